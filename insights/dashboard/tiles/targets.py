"""A tile's figures as the page and its JSON endpoint show them: headline figures, a chart (Chart.js data),
tables (the accessible alternative to the chart, and where each figure links to the list behind it).

Every label goes through gettext, so the JSON comes in the language of the request. Links carry the same
filters the tile used (year, unit, state, tier …): the list they open counts what the tile counted.
"""

from decimal import Decimal
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext as _

from innovation.models import Contribution, Suggestion
from insights.dashboard import selectors
from insights.dashboard.scope import Scope
from projects.models import State, Tier
from targets.models import Shortfall

TILES = ["achievement", "shortfalls", "benchmarks", "projects", "benefits", "innovation", "suggestions"]


class Links:
    def __init__(self, slug: str, scope: Scope):
        self.slug, self.scope = slug, scope

    def url(self, name: str, query: dict | None = None, **kwargs) -> str:
        url = reverse(name, kwargs={"tenant_slug": self.slug, **kwargs})
        query = {k: v for k, v in (query or {}).items() if v not in (None, "")}
        return f"{url}?{urlencode(query)}" if query else url

    def unit(self, unit=None):
        """The unit a link narrows to: a row's unit, else the scope's (when one was picked or imposed)."""
        if unit is not None:
            return unit.pk
        return self.scope.unit_id


def cell(text, href=None, **extra) -> dict:
    return {"text": str(text), "href": href, **extra}


def num(value, places=0) -> str:
    """1200000 → "1,200,000" (grouped by thousands, as both languages write figures)."""
    return f"{Decimal(value or 0):,.{places}f}"


def percent(value) -> str:
    return "—" if value is None else f"{Decimal(value) * 100:.1f}%"


def _f(value) -> float | None:
    return None if value is None else round(float(value), 4)


def _unit_label(row) -> str:
    return _("%(unit)s (itself)") % {"unit": row["unit"].name} if row["own"] else row["unit"].name


def level(value) -> str:
    """The colour band of an achievement (as on the target tree page)."""
    if value is None:
        return "none"
    shown = round(Decimal(value), 3)
    if shown >= 1:
        return "good"
    if shown >= Decimal("0.9"):
        return "warn"
    return "bad"


# ---------------------------------------------------------------- the tiles


def achievement(ctx) -> dict:
    scope, links = ctx["scope"], ctx["links"]
    data = selectors.achievement_heatmap(scope, ctx["units"])
    months = [m.label for m in data["months"]]

    def cells(source, unit=None, link=True):
        out = []
        for month, figure in zip(data["months"], source, strict=True):
            if figure is None:
                out.append(cell("—", level="none"))
                continue
            value = figure["achievement"]
            query = {"year": scope.year, "period": str(month), "unit": links.unit(unit)}
            out.append(
                cell(
                    percent(value),
                    links.url("targets-tree", query) if link else None,
                    level=level(value),
                    value=_f(value),
                    missed=figure["missed"],
                    pairs=figure["pairs"],
                    title=_("%(missed)s of %(pairs)s missed the target") % figure,
                )
            )
        return out

    branch_rows = [[cell(row["label"]), *cells(row["cells"])] for row in data["branches"]]
    unit_rows = [
        [cell(_unit_label(row)), *cells(row["cells"], row["unit"], link=not row["own"])]
        for row in data["units"]
        if any(row["cells"])
    ]
    return {
        "title": _("Target achievement"),
        "note": _(
            "Mean achievement of the monthly readings against their targets (each capped at 120%%), "
            "tree of %(year)s. Green: on target; amber: 90%% or more; red: below."
        )
        % {"year": scope.year},
        "summary": [],
        "chart": None,
        "heatmap": True,
        "tables": [
            {
                "id": "achievement-branches",
                "caption": _("By branch"),
                "columns": [_("Branch"), *months],
                "rows": branch_rows,
            },
            {"id": "achievement-units", "caption": _("By unit"), "columns": [_("Unit"), *months], "rows": unit_rows},
        ],
    }


def shortfalls(ctx) -> dict:
    scope, links = ctx["scope"], ctx["links"]
    data = selectors.shortfall_counts(scope, ctx["units"])

    def list_url(unit=None, **query):
        return links.url("targets-shortfalls", {"year": scope.year, "unit": links.unit(unit), **query})

    rows, labels, covered, uncovered = [], [], [], []
    for row in data["rows"]:
        total, open_ = row.get("total", 0), row.get("uncovered", 0)
        if not total:
            continue
        unit = None if row["own"] else row["unit"]
        linked = not row["own"]
        rows.append(
            [
                cell(_unit_label(row)),
                cell(num(total), list_url(unit) if linked else None, key="total"),
                cell(num(open_), list_url(unit, uncovered="on") if linked else None, key="uncovered"),
                cell(num(row.get("target", 0))),
                cell(num(row.get("benchmark", 0))),
                cell(num(row.get("assessed", 0)), list_url(unit, assessed="yes") if linked else None, key="assessed"),
            ]
        )
        labels.append(_unit_label(row))
        covered.append(total - open_)
        uncovered.append(open_)
    return {
        "title": _("Shortfalls"),
        "note": _("Open shortfalls of the %(year)s target tree; uncovered: no approved or running project covers them.")
        % {"year": scope.year},
        "summary": [
            {"key": "total", "label": _("Open shortfalls"), "value": num(data["total"]), "href": list_url()},
            {
                "key": "uncovered",
                "label": _("Uncovered"),
                "value": num(data["uncovered"]),
                "href": list_url(uncovered="on"),
                "alert": data["uncovered"] > 0,
            },
        ],
        "chart": {
            "type": "bar",
            "horizontal": True,
            "stacked": True,
            "labels": labels,
            "datasets": [
                {"label": _("Attacked by a project"), "data": covered, "color": "#198754"},
                {"label": _("Uncovered"), "data": uncovered, "color": "#b3261e"},
            ],
        },
        "tables": [
            {
                "id": "shortfalls-units",
                "caption": _("Open shortfalls by unit"),
                "columns": [
                    _("Unit"),
                    _("Open"),
                    _("Uncovered"),
                    str(Shortfall.Source.TARGET.label),
                    str(Shortfall.Source.BENCHMARK.label),
                    _("In the assessment"),
                ],
                "rows": rows,
            }
        ],
    }


def benchmarks(ctx) -> dict:
    links = ctx["links"]
    data = selectors.benchmark_positions(ctx["scope"])
    names = [_("Quartile 1 (best)"), _("Quartile 2"), _("Quartile 3"), _("Quartile 4 (worst)"), _("No quartile")]
    colors = ["#146c43", "#75b798", "#ffc107", "#b3261e", "#adb5bd"]
    keys = [1, 2, 3, 4, None]
    rows = []
    for row in data:
        benchmark = row["benchmark"]
        query = {"period": str(row["period"])} if row["period"] else {}
        href = links.url("benchmarking-indicator", query, benchmark_indicator_id=benchmark.pk)
        rows.append(
            [
                cell(f"{benchmark.code} {benchmark.name}", href, key="benchmark"),
                cell(row["period"].label if row["period"] else "—"),
                *[cell(num(row["quartiles"][k]), key=f"q{k or 0}") for k in keys],
            ]
        )
    worst = sum(row["quartiles"][4] for row in data)
    return {
        "title": _("Benchmark position"),
        "note": _("Units of the scope in each quartile of the latest compared period, per benchmark indicator."),
        "summary": [
            {"key": "indicators", "label": _("Benchmark indicators"), "value": num(len(data))},
            {
                "key": "worst",
                "label": _("Units in the worst quartile"),
                "value": num(worst),
                "href": links.url(
                    "targets-shortfalls",
                    {"year": ctx["scope"].year, "unit": links.unit(), "source": Shortfall.Source.BENCHMARK},
                ),
                "alert": worst > 0,
            },
        ],
        "chart": {
            "type": "bar",
            "horizontal": True,
            "stacked": True,
            "percent": True,
            "labels": [row["benchmark"].code for row in data],
            "datasets": [
                {"label": name, "data": [row["quartiles"][k] for row in data], "color": color}
                for name, color, k in zip(names, colors, keys, strict=True)
            ],
        },
        "tables": [
            {
                "id": "benchmarks-strip",
                "caption": _("Units per quartile"),
                "columns": [_("Benchmark indicator"), _("Period"), *names],
                "rows": rows,
            }
        ],
    }


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


BUILDERS = {
    "achievement": achievement,
    "shortfalls": shortfalls,
    "benchmarks": benchmarks,
    "projects": projects,
    "benefits": benefits,
    "innovation": innovation,
    "suggestions": suggestions,
}


def context(*, member, scope: Scope, slug: str, units=None) -> dict:
    """What the tile builders share: the member, the scope, the link maker and the row units (one query)."""
    return {
        "member": member,
        "scope": scope,
        "links": Links(slug, scope),
        "units": units if units is not None else selectors.row_units(scope),
    }


def build(name: str, ctx: dict) -> dict:
    tile = BUILDERS[name](ctx)
    tile["name"] = name
    return tile
