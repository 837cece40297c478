"""The scheduled jobs at the large tenant's size, in-process, each run inside a transaction that is rolled back (a
period's reports and listing are made once, so every run must start from none), with the SQL query count.

- Shortfall reports: `run_job(shortfall_report)` for the latest month that has shortfalls and for its quarter, the
  reports of that period (if an earlier run made them) removed first inside the transaction.
- Listing: the largest listing is taken apart inside the transaction (its contributions unlisted, the listing
  removed), then `run_job(innovation_listing)` opens that period's listing again (every verified unlisted
  contribution up to its end, the notifications of everyone credited) and closes the listings whose window has
  passed; then `listings_close` one minute after the new listing's window, which finalizes it (points lock).
"""

import statistics
import time
from datetime import timedelta

from django.db import DatabaseError, connection, transaction
from django.db.models import Count, Max
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from innovation import jobs as listing_jobs
from innovation.models import Contribution, Listing
from innovation.services.listings import listing_open
from insights.models import ShortfallReport
from lean import periods
from lean.errors import ApplicationError
from lean.models import Tenant
from lean.tenancy import tenant_scope
from scheduling import services as jobs
from scheduling.models import JobRun
from targets.models import Shortfall


class Rollback(Exception):
    pass


def _timed(work) -> tuple[float, int, object]:
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        outcome = work()
        elapsed = (time.perf_counter() - started) * 1000
    return elapsed, len(queries), outcome


class JobFailed(Exception):
    pass


def _failed(name: str, error: str) -> dict:
    return {"name": name, "runs": 0, "p50": None, "max": None, "queries": None, "detail": f"failed: {error}"}


def _summary(name: str, runs: list[tuple[float, int, str]]) -> dict:
    times = [r[0] for r in runs]
    return {
        "name": name,
        "runs": len(runs),
        "p50": statistics.median(times),
        "max": max(times),
        "queries": max(r[1] for r in runs),
        "detail": runs[-1][2],
    }


def _period_text(start, end_inclusive) -> str:
    for kind in (periods.MONTH, periods.QUARTER, periods.YEAR):
        period = periods.Period(start, kind)
        if period.end - timedelta(days=1) == end_inclusive:
            return str(period)
    return ""


def report_runs(tenant: Tenant, runs: int, period_text: str | None, budget: float = 180) -> list[dict]:
    with tenant_scope(tenant):
        if period_text:
            month = periods.parse(period_text)
        else:
            latest = Shortfall.objects.filter(period_kind=periods.MONTH).aggregate(m=Max("period_start"))["m"]
            if latest is None:
                return []
            month = periods.Period(latest, periods.MONTH)
    results = []
    for period in dict.fromkeys([month, month.containing(periods.QUARTER)]):
        try:
            results.append(_summary(f"shortfall report job, {period}", _report_period(tenant, period, runs, budget)))
        except (JobFailed, DatabaseError) as error:  # a failed run, or a statement over the timeout
            results.append(_failed(f"shortfall report job, {period}", str(error).splitlines()[0]))
    return results


def unlimited() -> None:
    """Jobs run without the pages' statement timeout (bench/http.py), on this connection from now on."""
    with connection.cursor() as cursor:
        cursor.execute("SET statement_timeout = 0")


def _report_period(tenant: Tenant, period: periods.Period, runs: int, budget: float) -> list:
    """The timed runs after a warm-up one; when the runs take minutes, those made once `budget` is spent (the
    warm-up itself if it alone took that long)."""
    measured, begun = [], time.monotonic()
    for _ in range(runs + 1):
        if measured and time.monotonic() - begun > budget:
            break
        with tenant_scope(tenant):
            try:
                with transaction.atomic():
                    ShortfallReport.objects.filter(period_kind=period.kind, period_start=period.start).delete()
                    elapsed, queries, run = _timed(
                        lambda: jobs.run_job(job="shortfall_report", tenant=tenant, period=str(period), manual=True)
                    )
                    if run.status != JobRun.Status.FINISHED:
                        raise JobFailed(run.error)
                    detail = f"{run.result['units']} unit reports, {run.result['shortfalls']} shortfalls listed"
                    measured.append((elapsed, queries, detail))
                    raise Rollback
            except Rollback:
                pass
    return measured[1:] or measured


def _open(tenant, listing, period: str):
    """The listing job for the listing's period (its two steps called directly when the period is no month,
    quarter or year, which the job cannot be asked for: the demo's listings span several months)."""
    if period:
        run = jobs.run_job(job="innovation_listing", tenant=tenant, period=period, manual=True)
        if run.status != JobRun.Status.FINISHED:
            raise JobFailed(run.error)
        return run.result.get("listed")
    opened = listing_open(actor=None, period_start=listing.period_start, period_end=listing.period_end)
    listing_jobs.listings_close(tenant=tenant, now=timezone.now())
    return opened.contributions.count()


def _listing_cycles(tenant, listing, period, label, runs, budget) -> tuple[list, list]:
    opened, finalized, begun = [], [], time.monotonic()
    for _ in range(runs + 1):
        if opened and time.monotonic() - begun > budget:
            break
        with tenant_scope(tenant):
            try:
                with transaction.atomic():
                    Contribution.objects.filter(listing=listing).update(listing=None, final=False)
                    Listing.objects.filter(pk=listing.pk).delete()
                    elapsed, queries, listed = _timed(lambda: _open(tenant, listing, period))
                    opened.append((elapsed, queries, f"{label}: {listed} contributions listed"))
                    new = Listing.objects.get(period_start=listing.period_start, period_end=listing.period_end)
                    later = new.closes_at + timedelta(minutes=1)
                    elapsed, queries, closed = _timed(
                        lambda later=later: listing_jobs.listings_close(tenant=tenant, now=later)
                    )
                    finalized.append((elapsed, queries, f"{len(closed['finalized'])} listing(s) finalized"))
                    raise Rollback
            except Rollback:
                pass
    return opened[1:] or opened, finalized[1:] or finalized


def listing_runs(tenant: Tenant, runs: int, budget: float = 180) -> list[dict]:
    with tenant_scope(tenant):
        listing = Listing.objects.annotate(n=Count("contributions")).order_by("-n", "-period_end").first()
        if listing is None:
            return []
    period = _period_text(listing.period_start, listing.period_end)
    label = period or f"{listing.period_start}…{listing.period_end}"
    try:
        opened, finalized = _listing_cycles(tenant, listing, period, label, runs, budget)
    except (JobFailed, DatabaseError, ApplicationError) as error:
        return [_failed(f"listing job: open {label}", str(error).splitlines()[0])]
    how = "" if period else " (its steps: listing_open, listings_close)"
    return [
        _summary(f"listing job: open {label}{how}", opened),
        _summary("listing job: finalize after the window", finalized),
    ]
