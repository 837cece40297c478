"""Running jobs: the JobRun record, manual runs, the settings, the dispatcher choosing due tenants by cadence and time
zone, and the management command."""

from datetime import UTC, datetime

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import OperationalError

from config.celery import app
from insights.models import ShortfallReport
from lean.errors import ApplicationError
from lean.models import Tenant
from lean.tenancy import tenant_scope
from scheduling import services as jobs
from scheduling.models import JobRun
from scheduling.services import TASK_NAME, cycle_period, job_enqueue, run_job, schedule_for, schedules_update
from scheduling.tasks import dispatch_tenant_jobs


def at(*args):
    return datetime(*args, tzinfo=UTC)


@pytest.fixture
def sent(monkeypatch):
    calls = []
    monkeypatch.setattr(app, "send_task", lambda name, args, kwargs=None: calls.append((name, args, kwargs or {})))
    return calls


def test_the_jobs_are_registered():
    from scheduling.registry import JOBS

    assert set(JOBS) == {"shortfall_report", "innovation_listing", "reminders"}
    assert {job.name for job in JOBS.values() if job.schedule} == {"shortfall_report", "innovation_listing"}
    assert set(jobs.job_labels()) == set(JOBS)
    app.loader.import_default_modules()
    assert {TASK_NAME, "scheduling.dispatch"} <= set(app.tasks)


def test_run_job_records_a_finished_run(two_tenants):
    a, _b = two_tenants
    run = run_job(job="shortfall_report", tenant=a.tenant, period="2025-01", actor=a.lean_office)
    assert (run.status, run.period, run.manual, run.triggered_by) == ("finished", "2025-01", True, a.lean_office)
    assert run.finished_at is not None and run.error == ""
    assert run.result == {
        "period": "2025-01",
        "created": True,
        "reports": 2,
        "units": 1,
        "shortfalls": 1,
        "new": 1,
        "uncovered": 0,
    }


def test_run_job_records_a_bad_period_as_failed(two_tenants):
    a, _b = two_tenants
    run = run_job(job="shortfall_report", tenant=a.tenant, period="2025")
    assert run.status == "failed"
    assert "请选择月份（2026-10）或季度（2026-Q3）" in run.error
    with tenant_scope(a.tenant):
        assert JobRun.objects.get(pk=run.pk).status == "failed"


def test_run_job_reraises_database_errors_for_the_retry(two_tenants, monkeypatch):
    a, _b = two_tenants

    def lost(**kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    from dataclasses import replace

    from scheduling.registry import JOBS

    monkeypatch.setitem(JOBS, "shortfall_report", replace(JOBS["shortfall_report"], body=lost))
    with pytest.raises(OperationalError):
        run_job(job="shortfall_report", tenant=a.tenant, period="2025-01")
    with tenant_scope(a.tenant):
        assert not JobRun.objects.filter(period="2025-01").exists()  # the whole attempt rolled back


def test_run_job_continues_an_enqueued_run_and_skips_a_finished_one(
    two_tenants, sent, django_capture_on_commit_callbacks
):
    a, _b = two_tenants
    with tenant_scope(a.tenant):
        with django_capture_on_commit_callbacks(execute=True):
            run = job_enqueue(actor=a.lean_office, job="shortfall_report", period="2025-01")
        assert (run.status, run.manual, run.triggered_by, run.period) == ("started", True, a.lean_office, "2025-01")
    assert sent == [(TASK_NAME, [a.tenant.pk, "shortfall_report"], {"run_id": run.pk, "period": "2025-01"})]
    done = run_job(job="shortfall_report", tenant=a.tenant, period="2025-01", run=run)
    assert done.pk == run.pk and done.status == "finished"
    again = run_job(job="shortfall_report", tenant=a.tenant, period="2025-01", run=run)
    assert again.pk == run.pk and again.finished_at == done.finished_at
    with tenant_scope(a.tenant):
        assert ShortfallReport.objects.filter(run=run).count() == 2
        assert JobRun.objects.filter(job="shortfall_report", period="2025-01").count() == 1


def test_enqueue_is_for_the_lean_office_and_checks_the_period(two_tenants, sent):
    a, _b = two_tenants
    with tenant_scope(a.tenant):
        runs = JobRun.objects.count()
        with pytest.raises(ApplicationError) as error:
            job_enqueue(actor=a.manager, job="shortfall_report")
        assert error.value.code == "permission_denied"
        with pytest.raises(ApplicationError) as error:
            job_enqueue(actor=a.lean_office, job="shortfall_report", period="2026-13")
        assert error.value.code == "invalid_period"
        with pytest.raises(ApplicationError) as error:
            job_enqueue(actor=a.lean_office, job="nope")
        assert error.value.code == "unknown_job"
        assert JobRun.objects.count() == runs
        run = job_enqueue(actor=a.lean_office, job="reminders")
        assert run.period  # today's local date


def test_settings_update_validates(two_tenants):
    a, _b = two_tenants
    with tenant_scope(a.tenant):
        report = schedule_for("shortfall_report")
        assert (report.cadence, report.day, report.hour) == ("monthly", 5, 8)
        listing = schedule_for("innovation_listing")
        assert (listing.cadence, listing.day, listing.hour) == ("quarterly", 10, 9)
        changes = report.history.count()
        with pytest.raises(ApplicationError) as error:
            schedules_update(
                actor=a.lean_office,
                changes={"shortfall_report": {"day": 29, "cadence": "weekly"}, "innovation_listing": {"hour": 24}},
            )
        assert set(error.value.field_errors) == {
            "shortfall_report.day",
            "shortfall_report.cadence",
            "innovation_listing.hour",
        }
        with pytest.raises(ApplicationError):
            schedules_update(actor=a.lean_office, changes={"reminders": {"day": 3}})  # runs on its own clock
        with pytest.raises(ApplicationError):
            schedules_update(actor=a.manager, changes={"shortfall_report": {"day": 3}})
        schedules_update(
            actor=a.lean_office,
            changes={"shortfall_report": {"cadence": "quarterly", "day": "3"}, "innovation_listing": {"hour": 0}},
        )
        report.refresh_from_db()
        listing.refresh_from_db()
        assert (report.cadence, report.day, listing.hour) == ("quarterly", 3, 0)
        assert report.history.count() == changes + 1


def test_cycle_period_in_the_tenants_time_zone():
    tenant = Tenant(time_zone="Asia/Shanghai")
    monthly = {"cadence": "monthly", "day": 5, "hour": 8, "tenant": tenant}
    assert cycle_period(now=at(2025, 3, 4, 23, 59), **monthly) is None  # 07:59 on the 5th in Shanghai
    assert str(cycle_period(now=at(2025, 3, 5, 0, 0), **monthly)) == "2025-02"
    assert cycle_period(now=at(2025, 3, 31, 23, 0), **monthly) is None  # 1 April there: not the 5th yet
    quarterly = {**monthly, "cadence": "quarterly"}
    assert cycle_period(now=at(2025, 4, 4, 12, 0), **quarterly) is None
    assert str(cycle_period(now=at(2025, 4, 5, 0, 0), **quarterly)) == "2025-Q1"
    assert str(cycle_period(now=at(2025, 6, 20, 0, 0), **quarterly)) == "2025-Q1"
    assert cycle_period(now=at(2025, 6, 20, 0, 0), **{**monthly, "cadence": "off"}) is None


def test_dispatcher_chooses_due_tenants_by_cadence_and_time_zone(two_tenants, sent, monkeypatch):
    a, b = two_tenants
    b.tenant.time_zone = "America/New_York"
    b.tenant.save()
    clock = {"now": at(2025, 3, 5, 0, 30)}  # Shanghai: 5 March 08:30; New York: 4 March 19:30
    monkeypatch.setattr("django.utils.timezone.now", lambda: clock["now"])

    def reports_sent():
        found = [args[0] for name, args, _kw in sent if name == TASK_NAME and args[1] == "shortfall_report"]
        sent.clear()
        return found

    dispatch_tenant_jobs()
    assert reports_sent() == [a.tenant.pk]
    clock["now"] = at(2025, 3, 5, 13, 30)  # New York: 5 March 08:30
    dispatch_tenant_jobs()
    assert reports_sent() == [a.tenant.pk, b.tenant.pk]
    # alpha's February report is made; beta goes quarterly and its Q4 report is already made
    run_job(job="shortfall_report", tenant=a.tenant, period="2025-02")
    with tenant_scope(b.tenant):
        schedules_update(actor=b.lean_office, changes={"shortfall_report": {"cadence": "quarterly"}})
    run_job(job="shortfall_report", tenant=b.tenant, period="2024-Q4")
    dispatch_tenant_jobs()
    assert reports_sent() == []
    with tenant_scope(a.tenant):
        schedules_update(actor=a.lean_office, changes={"shortfall_report": {"cadence": "off"}})
    clock["now"] = at(2025, 4, 5, 13, 30)
    dispatch_tenant_jobs()
    assert reports_sent() == [b.tenant.pk]  # beta's Q1; alpha is off


def test_a_failed_run_leaves_the_period_due(two_tenants, monkeypatch):
    a, _b = two_tenants
    from insights.reports import is_due

    now = at(2025, 3, 5, 0, 30)
    monkeypatch.setattr("insights.reports.making._send", lambda *args: 1 / 0)
    assert run_job(job="shortfall_report", tenant=a.tenant, period="2025-02").status == "failed"
    with tenant_scope(a.tenant):
        assert is_due(a.tenant, now)
    monkeypatch.undo()
    assert run_job(job="shortfall_report", tenant=a.tenant, period="2025-02").status == "finished"
    with tenant_scope(a.tenant):
        assert not is_due(a.tenant, now)


def test_management_command_runs_a_job(two_tenants, capsys):
    a, _b = two_tenants
    call_command("run_job", "alpha", "shortfall_report", "--period", "2025-01")
    out = capsys.readouterr().out
    assert "shortfall_report 2025-01: finished" in out
    assert '"reports": 2' in out
    with pytest.raises(CommandError):
        call_command("run_job", "nobody", "shortfall_report")
    with pytest.raises(CommandError):
        call_command("run_job", "alpha", "nothing")
    with pytest.raises(CommandError):
        call_command("run_job", "alpha", "shortfall_report", "--period", "2025")
    with tenant_scope(a.tenant):
        assert JobRun.objects.filter(status="failed").count() == 1
