"""Celery doors of the target tree: thin, they run the job through lean.jobs.run_job."""

from celery import shared_task

from lean.jobs import SHORTFALL_REPORT, run_job
from lean.models import JobRun
from lean.tasks import TenantTask
from lean.tenancy import current_tenant


@shared_task(name="targets.shortfall_report_job", base=TenantTask, bind=True)
def shortfall_report_job(self, tenant_id, period=None, run_id=None):
    """Make (once) and send the shortfall reports of `period` (the tenant's default when empty)."""
    run = JobRun.objects.get(pk=run_id) if run_id else None
    run = run_job(job=SHORTFALL_REPORT, tenant=current_tenant(), period=period, run=run)
    return {"run_id": run.pk, "status": run.status, "period": run.period, "result": run.result, "error": run.error}
