"""Celery doors of innovation: thin, they run the job through lean.jobs.run_job."""

from celery import shared_task

from lean.jobs import INNOVATION_LISTING, run_job
from lean.models import JobRun
from lean.tasks import TenantTask
from lean.tenancy import current_tenant


@shared_task(name="innovation.listing_job", base=TenantTask, bind=True)
def listing_job(self, tenant_id, period=None, run_id=None):
    """Open the listing of the period that just ended (when due, or `period`) and close the listings whose
    objection window has closed."""
    run = JobRun.objects.get(pk=run_id) if run_id else None
    run = run_job(job=INNOVATION_LISTING, tenant=current_tenant(), period=period, run=run)
    return {"run_id": run.pk, "status": run.status, "period": run.period, "result": run.result, "error": run.error}
