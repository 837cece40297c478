"""Celery doors of projects: thin, they run the job through lean.jobs.run_job."""

from celery import shared_task

from lean.jobs import REMINDERS, run_job
from lean.models import JobRun
from lean.tasks import TenantTask
from lean.tenancy import current_tenant


@shared_task(name="projects.reminders_job", base=TenantTask, bind=True)
def reminders_job(self, tenant_id, run_id=None):
    """Today's reminders: reviews coming due and pending scores."""
    run = JobRun.objects.get(pk=run_id) if run_id else None
    run = run_job(job=REMINDERS, tenant=current_tenant(), run=run)
    return {"run_id": run.pk, "status": run.status, "period": run.period, "result": run.result, "error": run.error}
