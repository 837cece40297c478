"""The reports as a scheduled job (scheduling.registry): its default period (the previous complete month or
quarter), the period of a run, its body and whether it is due."""

from lean import periods
from scheduling import services as jobs
from scheduling.models import JobRun

from .making import _make

JOB = "shortfall_report"  # its name in scheduling.registry


def default_report_period(today, cadence) -> periods.Period:
    """The previous complete month, or quarter for a quarterly cadence."""
    return jobs.default_period(cadence=cadence, today=today)


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
