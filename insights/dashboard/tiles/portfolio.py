"""The projects' tiles: the funnel of the year's projects by state and tier with the average days per state, and
the verified benefits by unit and state, each figure linking to the project table behind it."""

from django.utils.translation import gettext as _

from insights.dashboard import selectors
from projects.models import State, Tier

from .cells import _f, _unit_label, cell, num


def projects(ctx) -> dict:
    scope, links = ctx["scope"], ctx["links"]
    data = selectors.project_funnel(ctx["member"], scope)

    def table_url(**query):
        return links.url("projects-table", {"year": scope.year, "unit": links.unit(), **query})

    shown = [row for row in data["rows"] if row["total"] or row["left"]]
    rows = [
        [
            cell(row["label"]),
            cell(num(row["hq"]), table_url(state=row["state"], tier=Tier.HQ), key="hq"),
            cell(num(row["unit"]), table_url(state=row["state"], tier=Tier.UNIT), key="unit"),
            cell(num(row["total"]), table_url(state=row["state"]), key="total"),
            cell(num(row["days"], 1) if row["days"] is not None else "—"),
        ]
        for row in shown
    ]
    running = sum(r["total"] for r in data["rows"] if r["state"] in (State.IN_PROGRESS, State.MIDTERM, State.CLOSING))
    return {
        "title": _("Project funnel"),
        "note": _("Projects of %(year)s by state and tier; average days a project spent in each state.")
        % {"year": scope.year},
        "summary": [
            {"key": "total", "label": _("Projects"), "value": num(data["total"]), "href": table_url()},
            {"key": "running", "label": _("Under way"), "value": num(running)},
        ],
        "chart": {
            "type": "bar",
            "horizontal": True,
            "stacked": True,
            "labels": [row["label"] for row in shown],
            "datasets": [
                {"label": str(Tier.HQ.label), "data": [row["hq"] for row in shown], "color": "#0d6efd"},
                {"label": str(Tier.UNIT.label), "data": [row["unit"] for row in shown], "color": "#6ea8fe"},
            ],
        },
        "tables": [
            {
                "id": "projects-funnel",
                "caption": _("Projects by state and tier"),
                "columns": [_("State"), str(Tier.HQ.label), str(Tier.UNIT.label), _("Total"), _("Average days")],
                "rows": rows,
            }
        ],
    }


def benefits(ctx) -> dict:
    scope, links = ctx["scope"], ctx["links"]
    data = selectors.verified_benefits(ctx["member"], scope, ctx["units"])
    labels = dict(State.choices)

    def table_url(state, unit=None):
        return links.url("projects-table", {"state": state, "unit": links.unit(unit)})

    rows, names, series = [], [], {state: [] for state in selectors.BENEFIT_STATES}
    for row in data["rows"]:
        if not any(row.get(state) for state in selectors.BENEFIT_STATES) and not row.get("pending"):
            continue
        unit = None if row["own"] else row["unit"]
        line = [cell(_unit_label(row))]
        for state in selectors.BENEFIT_STATES:
            figure = row.get(state) or {"n": 0, "benefit": 0}
            href = table_url(state, unit) if not row["own"] and figure["n"] else None
            line += [cell(num(figure["n"]), href, key=f"{state}-n"), cell(num(figure["benefit"], 2))]
            series[state].append(_f(figure["benefit"]))
        line.append(cell(num(row.get("pending", 0), 2), key="pending"))
        rows.append(line)
        names.append(_unit_label(row))
    return {
        "title": _("Verified benefits"),
        "note": _(
            "Verified benefits (CNY) to date of the projects closed and released or filed to HQ, as signed off by "
            "finance; the benefits finance has not verified yet are shown apart."
        ),
        "summary": [
            {"key": "total", "label": _("Verified benefits (CNY)"), "value": num(data["total"], 2)},
            {
                "key": "pending",
                "label": _("Not yet verified by finance (CNY)"),
                "value": num(data["pending"], 2),
            },
            *[
                {
                    "key": state,
                    "label": labels[state],
                    "value": num(data["by_state"][state]["n"]),
                    "href": table_url(state),
                }
                for state in selectors.BENEFIT_STATES
            ],
        ],
        "chart": {
            "type": "bar",
            "stacked": True,
            "labels": names,
            "datasets": [
                {"label": str(labels[state]), "data": series[state], "color": color}
                for state, color in zip(selectors.BENEFIT_STATES, ["#198754", "#75b798"], strict=True)
            ],
        },
        "tables": [
            {
                "id": "benefits-units",
                "caption": _("Verified benefits by unit"),
                "columns": [
                    _("Unit"),
                    _("Closed: projects"),
                    _("Closed: CNY"),
                    _("Filed: projects"),
                    _("Filed: CNY"),
                    _("Not yet verified by finance: CNY"),
                ],
                "rows": rows,
            }
        ],
    }
