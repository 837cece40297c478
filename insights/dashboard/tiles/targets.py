"""The targets' tiles: the achievement heat map by branch and unit (each cell linking to the target tree of its
month) and the open shortfalls per unit, uncovered ones apart (linking to the shortfall list)."""

from django.utils.translation import gettext as _

from insights.dashboard import selectors
from targets.models import Shortfall

from .cells import _f, _unit_label, cell, level, num, percent


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
