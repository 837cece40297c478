"""What a period's reports say, built in memory in a bounded number of queries: per unit its target and benchmark
shortfalls with what is new, uncovered and assessed, the trend of each indicator over the last periods and the
best of its peers; and the tenant-wide summary with the worst achievements. Nothing here is saved or sent."""

from collections import defaultdict
from decimal import Decimal

from django.db.models import Avg, Count, Q, Sum
from django.db.models.functions import TruncMonth, TruncQuarter

from benchmarking.comparison import comparisons
from benchmarking.models import BenchmarkIndicator
from insights.models import ShortfallReport
from lean import periods
from lean.models import Unit
from lean.tenancy import current_tenant
from scheduling.models import JobRun
from targets import selectors as target_selectors
from targets.models import Reading, Shortfall
from targets.services import achievement

TREND_PERIODS = 6
WORST = 10
TRUNC = {periods.MONTH: TruncMonth, periods.QUARTER: TruncQuarter}


def _num(value) -> str | None:
    """A decimal as the report keeps it: exact, at most 4 places, no trailing zeros ("90", "0.9474")."""
    if value is None:
        return None
    value = Decimal(str(value)).quantize(Decimal("0.0001"))
    return format(value.normalize(), "f") if value else "0"


def _uncovered_q():
    return target_selectors.uncovered_q()


def _trends(period: periods.Period, pairs: set) -> dict:
    """(indicator code, unit id) → [{period, actual, achievement}] for the last TREND_PERIODS periods: one query."""
    span = periods.months_back(period, TREND_PERIODS)
    if not pairs:
        return {}
    kinds = [periods.MONTH] if period.kind == periods.MONTH else [periods.MONTH, periods.QUARTER]
    rows = (
        Reading.objects.filter(
            unit_id__in={unit_id for _code, unit_id in pairs},
            indicator__node__code__in={code for code, _unit in pairs},
            period_kind__in=kinds,
            period_start__gte=span[0].start,
            period_end__lte=period.end,
        )
        .annotate(bucket=TRUNC[period.kind]("period_start"))
        .values("indicator__node__code", "unit_id", "bucket", "indicator__direction", "indicator__aggregation")
        .annotate(
            sum_v=Sum("value"),
            avg_v=Avg("value"),
            sum_t=Sum("target"),
            avg_t=Avg("target"),
            n=Count("id"),
            t=Count("target"),
        )
        .order_by()
    )
    found = {}
    for row in rows:
        key = (row["indicator__node__code"], row["unit_id"])
        if key not in pairs:
            continue
        total = row["indicator__aggregation"] == "sum"
        actual = row["sum_v"] if total else row["avg_v"]
        target = (row["sum_t"] if total else row["avg_t"]) if row["t"] == row["n"] else None
        ach = achievement(row["indicator__direction"], actual, target) if target is not None else None
        bucket = row["bucket"].date() if hasattr(row["bucket"], "date") else row["bucket"]
        found[(key, bucket)] = {"actual": _num(actual), "achievement": _num(ach)}
    return {
        pair: [{"period": str(p), **found.get((pair, p.start), {"actual": None, "achievement": None})} for p in span]
        for pair in pairs
    }


def _best(benchmark_rows: list[Shortfall]) -> tuple[dict, bool]:
    """(code, unit id, period start) → (best, gap to best, rank, participants) from benchmarking's comparisons, and
    whether they could be reached at all. Two queries per comparison period kind."""
    if not benchmark_rows:
        return {}, True
    codes = {s.indicator.node.code for s in benchmark_rows}
    benchmarks = list(BenchmarkIndicator.objects.filter(code__in=codes))
    by_id = {b.pk: b for b in benchmarks}
    found = {}
    for kind in {b.frequency for b in benchmarks}:
        group = [b for b in benchmarks if b.frequency == kind]
        rows = [s for s in benchmark_rows if s.period_kind == kind]
        if not rows:
            continue
        start, end = min(s.period_start for s in rows), max(s.period_end for s in rows)
        for (benchmark_id, bucket), result in comparisons(benchmarks=group, start=start, end=end, kind=kind).items():
            for (who, unit_id), position in result.positions.items():
                if who == "unit":
                    found[(by_id[benchmark_id].code, unit_id, bucket)] = (
                        result.best,
                        position.gap_to_best,
                        position.rank,
                        result.count,
                    )
    return found, True


def _row(shortfall: Shortfall, *, previous_keys, uncovered_ids, assessed_ids=frozenset(), trends, best) -> dict:
    indicator = shortfall.indicator
    code = indicator.node.code
    key = f"{shortfall.source}:{code}"
    row = {
        "key": key,
        "source": shortfall.source,
        "shortfall_id": shortfall.pk,
        "indicator_id": indicator.pk,
        "code": code,
        "name": indicator.node.name,
        "measure_unit": indicator.measure_unit,
        "direction": indicator.direction,
        "period": str(shortfall.period),
        "actual": _num(shortfall.actual),
        "new": key not in previous_keys,
        "uncovered": shortfall.pk in uncovered_ids,
        "assessed": shortfall.pk in assessed_ids,
        "trend": trends.get((code, shortfall.unit_id), []),
    }
    if shortfall.source == Shortfall.Source.TARGET:
        row.update(target=_num(shortfall.target), gap=_num(shortfall.gap), achievement=_num(shortfall.achievement))
    else:
        found = best.get((code, shortfall.unit_id, shortfall.period_start))
        row.update(
            quartile=4,
            median=_num(shortfall.target),
            gap_to_median=_num(shortfall.gap),
            best=_num(found[0]) if found else None,
            gap_to_best=_num(found[1]) if found else None,
            rank=found[2] if found else None,
            participants=found[3] if found else None,
        )
    return row


def _keys(content: dict) -> set:
    return {row["key"] for section in ("target", "benchmark") for row in content.get(section, [])}


def _unit_reports(period: periods.Period, run: JobRun | None) -> list[ShortfallReport]:
    """The unit reports of `period`, built (not saved) in a bounded number of queries."""
    tenant = current_tenant()
    inside = Q(period_start__gte=period.start, period_end__lte=period.end)
    shortfalls = list(
        Shortfall.objects.filter(inside, resolved=False)
        .select_related("indicator__node")
        .order_by("unit_id", "source", "indicator__node__path", "period_start")
    )
    uncovered_ids = set(
        Shortfall.objects.filter(inside, resolved=False).filter(_uncovered_q()).values_list("pk", flat=True)
    )
    assessed_ids = set(
        Shortfall.objects.filter(inside, resolved=False)
        .filter(target_selectors.assessed_expression())
        .values_list("pk", flat=True)
    )
    unit_ids = set(Reading.objects.filter(inside).order_by().values_list("unit_id", flat=True).distinct())
    unit_ids |= {s.unit_id for s in shortfalls}
    units = list(Unit.objects.filter(pk__in=unit_ids).order_by("path"))
    previous = {
        report.unit_id: report
        for report in ShortfallReport.objects.filter(
            period_kind=period.kind, period_start__lt=period.start, unit_id__in=unit_ids
        )
        .order_by("unit_id", "-period_start")
        .distinct("unit_id")
        .only("id", "unit_id", "period_start", "period_kind", "content")
    }
    trends = _trends(period, {(s.indicator.node.code, s.unit_id) for s in shortfalls})
    best, best_available = _best([s for s in shortfalls if s.source == Shortfall.Source.BENCHMARK])
    by_unit = defaultdict(list)
    for shortfall in shortfalls:
        by_unit[shortfall.unit_id].append(shortfall)
    reports = []
    for unit in units:
        before = previous.get(unit.pk)
        previous_keys = _keys(before.content) if before else set()
        rows = [
            _row(
                s,
                previous_keys=previous_keys,
                uncovered_ids=uncovered_ids,
                assessed_ids=assessed_ids,
                trends=trends,
                best=best,
            )
            for s in by_unit[unit.pk]
        ]
        target_rows = [r for r in rows if r["source"] == Shortfall.Source.TARGET]
        benchmark_rows = [r for r in rows if r["source"] == Shortfall.Source.BENCHMARK]
        report = ShortfallReport(
            tenant=tenant,
            unit=unit,
            run=run,
            shortfalls=len(rows),
            new=sum(r["new"] for r in rows),
            uncovered=sum(r["uncovered"] for r in rows),
            all_on_target=not rows,
            content={
                "kind": "unit",
                "period": str(period),
                "unit": {"id": unit.pk, "code": unit.code, "name": unit.name},
                "target": target_rows,
                "benchmark": benchmark_rows,
                "trend_periods": [str(p) for p in periods.months_back(period, TREND_PERIODS)],
                "best_available": best_available,
                "previous": {"id": before.pk, "period": str(before.period)} if before else None,
            },
        )
        report.period = period
        reports.append(report)
    return reports


def _summary(period: periods.Period, reports: list[ShortfallReport], run: JobRun | None) -> ShortfallReport:
    units, worst = [], []
    for report in reports:
        content = report.content
        units.append(
            {
                "id": report.unit_id,
                "code": content["unit"]["code"],
                "name": content["unit"]["name"],
                "report_id": report.pk,
                "shortfalls": report.shortfalls,
                "target": len(content["target"]),
                "benchmark": len(content["benchmark"]),
                "new": report.new,
                "uncovered": report.uncovered,
                "all_on_target": report.all_on_target,
            }
        )
        for row in content["target"]:
            worst.append({**row, "unit": content["unit"]["name"], "unit_id": report.unit_id, "report_id": report.pk})
    worst = [r for r in worst if r["achievement"] is not None]
    worst.sort(key=lambda r: (Decimal(r["achievement"]), r["unit"], r["code"]))
    totals = {
        "units": len(units),
        "units_short": sum(1 for u in units if not u["all_on_target"]),
        "units_on_target": sum(1 for u in units if u["all_on_target"]),
        "shortfalls": sum(u["shortfalls"] for u in units),
        "target": sum(u["target"] for u in units),
        "benchmark": sum(u["benchmark"] for u in units),
        "new": sum(u["new"] for u in units),
        "uncovered": sum(u["uncovered"] for u in units),
    }
    summary = ShortfallReport(
        tenant=current_tenant(),
        unit=None,
        run=run,
        shortfalls=totals["shortfalls"],
        new=totals["new"],
        uncovered=totals["uncovered"],
        all_on_target=totals["shortfalls"] == 0,
        content={
            "kind": "summary",
            "period": str(period),
            "units": units,
            "totals": totals,
            "worst": [{k: v for k, v in r.items() if k != "trend"} for r in worst[:WORST]],
        },
    )
    summary.period = period
    return summary
