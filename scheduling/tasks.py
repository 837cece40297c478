"""The Celery doors of the scheduled jobs: the dispatcher beat wakes, and the one task that runs any registered job
for a tenant (through services.run_job, which records the run)."""

import logging

from celery import shared_task
from django.utils import timezone

from lean.models import Tenant
from lean.tasks import TenantTask
from lean.tenancy import current_tenant, tenant_scope
from scheduling.models import JobRun
from scheduling.registry import JOBS
from scheduling.services import TASK_NAME, run_job

logger = logging.getLogger(__name__)


@shared_task(name="scheduling.dispatch")
def dispatch_tenant_jobs():
    """Start every due job of every active tenant; one tenant's failure never stops the others."""
    from celery import current_app

    now = timezone.now()
    started = 0
    for tenant in Tenant.objects.filter(active=True).order_by("pk"):
        for job in JOBS.values():
            try:
                with tenant_scope(tenant):
                    due = job.is_due(tenant, now)
                if due:
                    current_app.send_task(TASK_NAME, args=[tenant.pk, job.name])
                    started += 1
            except Exception:
                logger.exception("dispatching %s for tenant %s failed", job.name, tenant.pk)
    return started


@shared_task(name=TASK_NAME, base=TenantTask, bind=True)
def run_tenant_job(self, tenant_id, job, period=None, run_id=None):
    """Run `job` for the tenant: for `period` (the job's default when empty), continuing the manual run `run_id`."""
    run = JobRun.objects.get(pk=run_id) if run_id else None
    run = run_job(job=job, tenant=current_tenant(), period=period, run=run)
    return {"run_id": run.pk, "status": run.status, "period": run.period, "result": run.result, "error": run.error}
