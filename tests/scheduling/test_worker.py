"""The jobs through a real Celery worker and the real (embedded) Redis broker, not eager mode."""

import time
from datetime import date

from insights.models import ShortfallReport
from lean.tenancy import tenant_scope
from scheduling.models import JobRun
from scheduling.services import job_enqueue
from scheduling.tasks import run_tenant_job


def test_shortfall_report_job_runs_through_a_real_worker(two_tenants, worker):
    a, b = two_tenants
    outcome = run_tenant_job.delay(a.tenant.pk, "shortfall_report", "2025-01").get(timeout=60)
    assert outcome["status"] == "finished" and outcome["result"]["created"] is True
    assert (
        run_tenant_job.delay(a.tenant.pk, "shortfall_report", "2025-01").get(timeout=60)["result"]["created"] is False
    )
    with tenant_scope(a.tenant):
        assert ShortfallReport.objects.filter(period_start=date(2025, 1, 1)).count() == 2
        assert JobRun.objects.filter(job="shortfall_report", period="2025-01", status="finished").count() == 2
    with tenant_scope(b.tenant):
        assert not ShortfallReport.objects.filter(period_start=date(2025, 1, 1)).exists()


def test_a_manual_run_is_sent_after_commit_and_finished_by_the_worker(two_tenants, worker):
    a, _b = two_tenants
    with tenant_scope(a.tenant):
        run = job_enqueue(actor=a.lean_office, job="shortfall_report", period="2025-01")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with tenant_scope(a.tenant):
            run.refresh_from_db()
        if run.status != JobRun.Status.STARTED:
            break
        time.sleep(0.2)
    assert run.status == "finished", run.error
    assert run.result["reports"] == 2
    with tenant_scope(a.tenant):
        assert ShortfallReport.objects.filter(run=run).count() == 2
