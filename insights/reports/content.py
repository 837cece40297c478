"""Shortfall reports (短板报告): for a month or quarter, one report per unit with readings — its target shortfalls,
its benchmark shortfalls (worst quartile), which are new since the unit's previous report, which no project
attacks, and the trend of each over the last periods — and a tenant-wide summary for the lean office.

Rules:
- A report of period P lists the unresolved shortfalls whose own period lies inside P (a quarter's report also
  lists the monthly shortfalls of its three months).
- "New": the shortfall's key (source and indicator code, so it carries across years' trees) was not in the
  unit's previous report of the same period kind. A unit's first report has everything new.
- "Uncovered": no approved or running project covers the shortfall's indicator and unit over its period
  (projects/selectors/coverage.py, through targets.selectors.uncovered_q).
- "Assessed": the shortfall's indicator (by code) and unit are in the performance assessment of its year
  (targets.models.Assessment). Kept in the report when it is made, and read again whenever a report is shown or
  downloaded (one query), since the lean office may decide after the report was made.
- Trend: the unit's actual and achievement of the indicator in each of the last TREND_PERIODS periods of the
  report's kind (readings combined by the indicator's aggregation; achievement only where every reading has a
  target).
- Benchmark rows: quartile 4, the peer median (the shortfall's target) and the gap to it; the best and the gap to
  it come from benchmarking's comparisons (two queries per comparison kind); without them the row says so.
- A period's reports are made once, all in one transaction, under an advisory lock on tenant and period: a second
  run, or one running at the same time, gets the same set back unchanged. Query count per unit is bounded;
  nothing runs per indicator.
"""

import hashlib
from collections import defaultdict
from decimal import Decimal

from django.core.paginator import Paginator
from django.db import connection, transaction
from django.db.models import Avg, Count, F, Q, Sum
from django.db.models.functions import TruncMonth, TruncQuarter
from django.http import Http404
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from benchmarking.comparison import comparisons
from benchmarking.models import BenchmarkIndicator
from insights.models import ShortfallReport
from lean import periods
from lean.access import within
from lean.models import Membership, Unit
from lean.notify import notify_each
from lean.selectors import lean_office_members, unit_managers_of
from lean.tenancy import current_tenant
from scheduling import services as jobs
from scheduling.models import JobRun
from targets import selectors as target_selectors
from targets.models import Reading, Shortfall
from targets.services import achievement

JOB = "shortfall_report"  # its name in scheduling.registry
TREND_PERIODS = 6
WORST = 10
TRUNC = {periods.MONTH: TruncMonth, periods.QUARTER: TruncQuarter}


def default_report_period(today, cadence) -> periods.Period:
    """The previous complete month, or quarter for a quarterly cadence."""
    return jobs.default_period(cadence=cadence, today=today)


def _num(value) -> str | None:
    """A decimal as the report keeps it: exact, at most 4 places, no trailing zeros ("90", "0.9474")."""
    if value is None:
        return None
    value = Decimal(str(value)).quantize(Decimal("0.0001"))
    return format(value.normalize(), "f") if value else "0"


def _lock(period: periods.Period) -> None:
    key = hashlib.blake2b(f"shortfall_report:{current_tenant().pk}:{period}".encode(), digest_size=8).digest()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s::bigint)", [int.from_bytes(key, "big", signed=True)])


def _period_reports(period: periods.Period):
    return ShortfallReport.objects.filter(period_kind=period.kind, period_start=period.start).select_related("unit")


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


def report_url(report: ShortfallReport) -> str:
    """The report's page (the pages define the route; until they do, no link)."""
    try:
        return reverse("targets-report", kwargs={"tenant_slug": current_tenant().slug, "shortfallreport_id": report.pk})
    except NoReverseMatch:
        return ""


def _send(period: periods.Period, reports: list[ShortfallReport], summary: ShortfallReport) -> None:
    """Each unit's report to its managers (and those of the units above), the summary to the lean office: an
    in-app notification each, and an email after commit when email is configured. Three queries in all (the
    managers, the lean office, one insert), whatever the number of units and indicators."""
    label = period.label
    managers = unit_managers_of(report.unit for report in reports)
    messages = []
    for report in reports:
        if report.all_on_target:
            body = _("All indicators on target.")
        else:
            body = _("%(count)d shortfall(s), %(new)d new, %(uncovered)d not attacked by any project.") % {
                "count": report.shortfalls,
                "new": report.new,
                "uncovered": report.uncovered,
            }
        title = _("Shortfall report %(period)s: %(unit)s") % {"period": label, "unit": report.unit.name}
        messages.append((managers[report.unit_id], title, body, report_url(report)))
    totals = summary.content["totals"]
    body = _("%(units)d unit(s): %(short)d with shortfalls (%(count)d, %(new)d new, %(uncovered)d uncovered).") % {
        "units": totals["units"],
        "short": totals["units_short"],
        "count": totals["shortfalls"],
        "new": totals["new"],
        "uncovered": totals["uncovered"],
    }
    title = _("Shortfall reports %(period)s: summary") % {"period": label}
    messages.append((lean_office_members(), title, body, report_url(summary)))
    notify_each(messages)


def _make(*, period: periods.Period, run: JobRun | None) -> tuple[list[ShortfallReport], bool]:
    with transaction.atomic():
        _lock(period)
        existing = list(_period_reports(period).order_by(F("unit__path").asc(nulls_first=True), "id"))
        if existing:
            return existing, False
        reports = _unit_reports(period, run)
        ShortfallReport.objects.bulk_create(reports)
        summary = _summary(period, reports, run)
        summary.save()
        _send(period, reports, summary)
    return [summary, *reports], True


def shortfall_reports_make(*, period: periods.Period, run: JobRun | None = None) -> list[ShortfallReport]:
    """The period's reports (the summary first, then each unit's in tree order): made and sent once; afterwards
    (or while another run makes them) the existing set is returned unchanged."""
    return _make(period=period, run=run)[0]


# ---------------------------------------------------------------- reading


def report_list(*, viewer: Membership):
    """The reports a member may read: all of them for the lean office; the reports of a unit manager's subtree
    (not the tenant-wide summary); nothing for anyone else."""
    reports = ShortfallReport.objects.select_related("unit", "run").order_by(
        "-period_start", "period_kind", F("unit__path").asc(nulls_first=True)
    )
    if viewer is None or not viewer.active:
        return reports.none()
    return within(reports, viewer)


def report_periods(*, viewer: Membership, page, per_page: int):
    """A page of the periods that have reports the viewer may read, newest first, and for each the summary (the
    lean office's) and the units' reports. Two queries, whatever the number of reports."""
    reports = report_list(viewer=viewer)
    keys = reports.order_by("-period_start", "period_kind").values_list("period_kind", "period_start").distinct()
    page = Paginator(keys, per_page).get_page(page)
    shown = list(page)
    rows = list(reports.filter(period_start__in={start for _kind, start in shown})) if shown else []
    groups = []
    for kind, start in shown:
        mine = [r for r in rows if r.period_kind == kind and r.period_start == start]
        groups.append(
            {
                "period": periods.Period(start, kind),
                "summary": next((r for r in mine if r.unit_id is None), None),
                "units": [r for r in mine if r.unit_id is not None],
            }
        )
    return page, groups


def report_get(*, viewer: Membership, report_id: int) -> ShortfallReport:
    """One report the viewer may read (else 404), its rows' assessment marks as they are now."""
    report = report_list(viewer=viewer).filter(pk=report_id).first()
    if report is None:
        raise Http404
    return with_assessments(report)


def _report_rows(report: ShortfallReport) -> list[tuple[dict, int]]:
    content = report.content or {}
    if report.unit_id is None:
        return [(row, row.get("unit_id")) for row in content.get("worst", [])]
    return [(row, report.unit_id) for section in ("target", "benchmark") for row in content.get(section, [])]


def with_assessments(report: ShortfallReport) -> ShortfallReport:
    """Mark each row of the report (in memory) with whether its indicator and unit are in the performance
    assessment of the row's year now. One query."""
    rows = [(row, unit_id) for row, unit_id in _report_rows(report) if row.get("code") and row.get("period")]
    keys = {(row["code"], unit_id, int(str(row["period"])[:4])) for row, unit_id in rows}
    assessed = target_selectors.assessment_keys(keys=keys)
    for row, unit_id in rows:
        row["assessed"] = (row["code"], unit_id, int(str(row["period"])[:4])) in assessed
    return report


# ---------------------------------------------------------------- the job


def job_period(text, *, manual: bool, now, tenant) -> str:
    if text:
        return str(jobs.parse_job_period(text))
    today = jobs.local_now(tenant, now).date()
    return str(default_report_period(today, jobs.schedule_for(JOB).cadence))


def job_body(*, period: str, run: JobRun, now) -> dict:
    reports, created = _make(period=periods.parse(period), run=run)
    summary = reports[0]
    return {
        "period": period,
        "created": created,
        "reports": len(reports),
        "units": len(reports) - 1,
        "shortfalls": summary.shortfalls,
        "new": summary.new,
        "uncovered": summary.uncovered,
    }


def is_due(tenant, now) -> bool:
    """Due once this cycle's day and hour have come (tenant's time zone) and its period has no finished run."""
    return jobs.due_by_schedule(JOB, tenant=tenant, now=now)
