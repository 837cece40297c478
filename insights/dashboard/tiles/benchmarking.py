"""The benchmarking tile: per benchmark indicator, the scope's units in each quartile of its latest compared period,
linking to the indicator's comparison and to the benchmark shortfalls."""

from django.utils.translation import gettext as _

from insights.dashboard import selectors
from targets.models import Shortfall

from .cells import cell, num


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
