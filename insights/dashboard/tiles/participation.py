"""The innovation tiles: participation and points by type and by unit (linking to the contributions and the unit
archives), and suggestion adoption by state and by unit (linking to the suggestion list)."""

from django.utils.translation import gettext as _

from innovation.models import Contribution, Suggestion
from insights.dashboard import selectors

from .cells import _f, _unit_label, cell, num, percent


def innovation(ctx) -> dict:
    scope, links = ctx["scope"], ctx["links"]
    data = selectors.innovation_figures(scope, ctx["units"])
    period = {"start": data["start"].isoformat(), "end": data["end"].isoformat()}
    verified = Contribution.Status.VERIFIED
    type_rows = [
        [
            cell(row["type__name"]),
            cell(
                num(row["count"]),
                links.url(
                    "innovation-contributions",
                    {"type": row["type_id"], "status": verified, "unit": links.unit(), **period},
                ),
                key="count",
            ),
            cell(num(row["points"], 2)),
        ]
        for row in data["by_type"]
    ]
    unit_rows = [
        [
            cell(
                _unit_label(row),
                None if row["own"] else links.url("innovation-unit", {"year": scope.year}, unit_id=row["unit"].pk),
                key="unit",
            ),
            cell(num(row.get("people", 0))),
            cell(num(row.get("participants", 0)), key="participants"),
            cell(percent(row["rate"])),
            cell(num(row.get("points", 0), 2)),
        ]
        for row in data["rows"]
        if row.get("people") or row.get("count")
    ]
    return {
        "title": _("Innovation participation"),
        "note": _(
            "Verified contributions of %(year)s: participation rate (people with one, over active people) and "
            "points by type and by unit."
        )
        % {"year": scope.year},
        "summary": [
            {"key": "rate", "label": _("Participation rate"), "value": percent(data["rate"])},
            {"key": "points", "label": _("Points"), "value": num(data["points"], 2)},
            {
                "key": "count",
                "label": _("Contributions"),
                "value": num(data["count"]),
                "href": links.url("innovation-contributions", {"status": verified, "unit": links.unit(), **period}),
            },
        ],
        "chart": {
            "type": "bar",
            "labels": [row["type__name"] for row in data["by_type"]],
            "datasets": [
                {"label": _("Points"), "data": [_f(row["points"]) for row in data["by_type"]], "color": "#6f42c1"}
            ],
        },
        "tables": [
            {
                "id": "innovation-types",
                "caption": _("Points by type"),
                "columns": [_("Type"), _("Contributions"), _("Points")],
                "rows": type_rows,
            },
            {
                "id": "innovation-units",
                "caption": _("Participation and points by unit"),
                "columns": [_("Unit"), _("People"), _("Participants"), _("Participation rate"), _("Points")],
                "rows": unit_rows,
            },
        ],
    }


def suggestions(ctx) -> dict:
    scope, links = ctx["scope"], ctx["links"]
    data = selectors.suggestion_adoption(scope, ctx["units"])

    def list_url(state="", unit=None):
        return links.url("innovation-suggestions", {"state": state, "year": scope.year, "unit": links.unit(unit)})

    state_rows = [
        [cell(label), cell(num(data["total"]["states"].get(state, 0)), list_url(state), key=state)]
        for state, label in Suggestion.State.choices
    ]
    unit_rows, names, rates = [], [], []
    for row in data["rows"]:
        if not row["all"]:
            continue
        href = None if row["own"] else list_url(unit=row["unit"])
        unit_rows.append(
            [
                cell(_unit_label(row), href, key="unit"),
                cell(num(row["all"])),
                cell(num(row["decided"])),
                cell(num(row["adopted"])),
                cell(percent(row["rate"])),
            ]
        )
        names.append(_unit_label(row))
        rates.append(None if row["rate"] is None else round(float(row["rate"]) * 100, 1))
    total = data["total"]
    return {
        "title": _("Suggestion adoption"),
        "note": _("Suggestions submitted in %(year)s; adoption rate: adopted (or implemented) over decided.")
        % {"year": scope.year},
        "summary": [
            {"key": "rate", "label": _("Adoption rate"), "value": percent(total["rate"])},
            {"key": "all", "label": _("Suggestions"), "value": num(total["all"]), "href": list_url()},
        ],
        "chart": {
            "type": "bar",
            "percent_axis": True,
            "labels": names,
            "datasets": [{"label": _("Adoption rate"), "data": rates, "color": "#fd7e14"}],
        },
        "tables": [
            {
                "id": "suggestions-states",
                "caption": _("Suggestions by state"),
                "columns": [_("State"), _("Suggestions")],
                "rows": state_rows,
            },
            {
                "id": "suggestions-units",
                "caption": _("Adoption by unit"),
                "columns": [_("Unit"), _("Submitted"), _("Decided"), _("Adopted"), _("Adoption rate")],
                "rows": unit_rows,
            },
        ],
    }
