"""Demo step of the scheduled jobs: the shortfall reports of the last two months and the last quarter of the demo
readings (so "new since the last report" shows), made by real runs of the job, and one run of the reminders."""

from lean.models import Membership, Role
from lean.tenancy import tenant_scope
from scheduling import services as jobs
from scheduling.models import JobRun

REPORT_PERIODS = ("2026-Q3", "2026-09", "2026-10")


def seed(tenant) -> bool:
    """Runs the jobs once for the demo tenant; False when an earlier start did it."""
    with tenant_scope(tenant):
        if JobRun.objects.filter(job="shortfall_report").exists():
            return False
        office = Membership.objects.filter(roles__contains=[Role.LEAN_OFFICE], active=True).order_by("pk").first()
        for period in REPORT_PERIODS:
            jobs.run_job(job="shortfall_report", tenant=tenant, period=period, actor=office)
        jobs.run_job(job="reminders", tenant=tenant, actor=office)
    return True
