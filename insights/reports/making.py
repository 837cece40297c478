"""Making a period's reports once: built, saved and sent (each unit's report to its managers, the summary to the
lean office) in one transaction under an advisory lock on tenant and period, so that a second run, or one running
at the same time, gets the same set back unchanged."""

import hashlib

from django.db import connection, transaction
from django.db.models import F
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from insights.models import ShortfallReport
from lean import periods
from lean.notify import notify_each
from lean.selectors import lean_office_members, unit_managers_of
from lean.tenancy import current_tenant
from scheduling.models import JobRun

from .content import _summary, _unit_reports


def _lock(period: periods.Period) -> None:
    key = hashlib.blake2b(f"shortfall_report:{current_tenant().pk}:{period}".encode(), digest_size=8).digest()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s::bigint)", [int.from_bytes(key, "big", signed=True)])


def _period_reports(period: periods.Period):
    return ShortfallReport.objects.filter(period_kind=period.kind, period_start=period.start).select_related("unit")


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
