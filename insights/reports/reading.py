"""Reading the reports: those a member may read (all for the lean office, a unit manager's subtree's), a page of
their periods, and one report with its rows' assessment marks as they are now."""

from django.core.paginator import Paginator
from django.db.models import F
from django.http import Http404

from insights.models import ShortfallReport
from lean import periods
from lean.access import within
from lean.models import Membership
from targets import selectors as target_selectors


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
