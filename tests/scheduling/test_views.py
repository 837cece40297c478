"""The lean office's job pages: the schedule (each job's cadence, day and hour, the next run times),
the runs with their status and error, and a manual run of a job for a period."""

from datetime import UTC, datetime, timedelta
from unittest import mock

import pytest
from celery import Celery
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from lean.tenancy import tenant_scope
from scheduling.models import JobRun, Schedule
from scheduling.services import next_run_at

BASE = "/t/alpha/jobs"
GOOD = {
    "shortfall_report-cadence": "monthly",
    "shortfall_report-day": "3",
    "shortfall_report-hour": "7",
    "innovation_listing-cadence": "quarterly",
    "innovation_listing-day": "12",
    "innovation_listing-hour": "10",
}


@pytest.fixture
def english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def make_runs(ts, count, **fields):
    with tenant_scope(ts.tenant):
        now = timezone.now()
        runs = JobRun.objects.bulk_create(
            [
                JobRun(
                    tenant=ts.tenant,
                    job=("shortfall_report", "innovation_listing", "reminders")[i % 3],
                    period="2026-09",
                    status=(JobRun.Status.FINISHED, JobRun.Status.FAILED, JobRun.Status.STARTED)[i % 3],
                    manual=i % 2 == 0,
                    triggered_by=ts.lean_office if i % 2 == 0 else None,
                    finished_at=now if i % 3 != 2 else None,
                    error="OperationalError: boom" if i % 3 == 1 else "",
                    **fields,
                )
                for i in range(count)
            ]
        )
    return runs


ROLE_TABLE = {
    #              settings runs run-now
    "lean_office": (200, 200, 302),
    "manager": (403, 403, 403),
    "reviewer": (403, 403, 403),
    "employee": (403, 403, 403),
}


@pytest.mark.parametrize("role", list(ROLE_TABLE))
def test_who_opens_the_job_pages(english, tenant_a, login, role):
    client = login(getattr(tenant_a, role))
    with mock.patch.object(Celery, "send_task") as send:
        got = (
            client.get(f"{BASE}/settings/").status_code,
            client.get(f"{BASE}/").status_code,
            client.post(f"{BASE}/run/", {"run-job": "shortfall_report", "run-period": "2026-09"}).status_code,
        )
    assert got == ROLE_TABLE[role]
    if role != "lean_office":
        assert client.post(f"{BASE}/settings/", GOOD).status_code == 403
        send.assert_not_called()
        with tenant_scope(tenant_a.tenant):
            assert not JobRun.objects.exists()
            assert not Schedule.objects.filter(day=3).exists()


def test_the_settings_are_saved_and_the_next_runs_shown(english, tenant_a, login):
    client = login(tenant_a.lean_office)
    page = client.get(f"{BASE}/settings/").content.decode()
    assert "Asia/Shanghai" in page and 'id="next-runs"' in page
    response = client.post(f"{BASE}/settings/", GOOD)
    assert response.status_code == 302
    with tenant_scope(tenant_a.tenant):
        saved = {s.job: (s.cadence, s.day, s.hour) for s in Schedule.objects.all()}
        assert saved == {"shortfall_report": ("monthly", 3, 7), "innovation_listing": ("quarterly", 12, 10)}
    # The listing job's own settings (the objection window) are linked, not repeated.
    assert "/t/alpha/innovation/listings/settings/" in page
    page = client.get(f"{BASE}/settings/").content.decode()
    expected = next_run_at(cadence="monthly", day=3, hour=7, time_zone="Asia/Shanghai", now=timezone.now())
    assert expected.strftime("%Y-%m-%d %H:%M") in page


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("shortfall_report-day", "31"),
        ("shortfall_report-hour", "24"),
        ("innovation_listing-day", "0"),
        ("innovation_listing-hour", "-1"),
        ("shortfall_report-cadence", "weekly"),
        ("shortfall_report-day", "x"),
    ],
)
def test_bad_settings_are_refused_and_nothing_is_stored(english, tenant_a, login, field, value):
    client = login(tenant_a.lean_office)
    response = client.post(f"{BASE}/settings/", {**GOOD, field: value})
    assert response.status_code == 400
    job, name = field.split("-")
    form = next(form for form in response.context["forms"] if form.job.name == job)
    assert form.errors.get(name)
    with tenant_scope(tenant_a.tenant):
        # All or nothing: the other job's good values are not stored either.
        assert {s.job: s.day for s in Schedule.objects.all()} in ({}, {"shortfall_report": 5, "innovation_listing": 10})


def test_the_next_run_times():
    shanghai = "Asia/Shanghai"
    # 2026-10-04 23:00 UTC is 2026-10-05 07:00 in Shanghai: the monthly run on the 5th at 08:00 is still today.
    now = datetime(2026, 10, 4, 23, 0, tzinfo=UTC)
    monthly = next_run_at(cadence="monthly", day=5, hour=8, time_zone=shanghai, now=now)
    assert (monthly.year, monthly.month, monthly.day, monthly.hour) == (2026, 10, 5, 8)
    # At 08:00 sharp the moment has come: the next one is a month later.
    later = next_run_at(cadence="monthly", day=5, hour=8, time_zone=shanghai, now=monthly)
    assert (later.month, later.day) == (11, 5)
    quarterly = next_run_at(cadence="quarterly", day=10, hour=9, time_zone=shanghai, now=now)
    assert (quarterly.year, quarterly.month, quarterly.day) == (2026, 10, 10)
    after = next_run_at(cadence="quarterly", day=10, hour=9, time_zone=shanghai, now=quarterly + timedelta(hours=1))
    assert (after.year, after.month) == (2027, 1)
    assert next_run_at(cadence="off", day=1, hour=0, time_zone=shanghai, now=now) is None


def test_the_runs_page_lists_filters_and_paginates(english, tenant_a, tenant_b, login):
    make_runs(tenant_a, 55)
    make_runs(tenant_b, 3)
    client = login(tenant_a.lean_office)
    page = client.get(f"{BASE}/").content.decode()
    assert page.count("data-run=") == 50 and "1 / 2" in page
    assert "<details" in page and "OperationalError: boom" in page
    assert tenant_a.lean_office.user.display_name in page
    failed = client.get(f"{BASE}/", {"status": "failed"}).content.decode()
    assert failed.count("data-run=") == 18 and "text-bg-success" not in failed.split("<tbody>")[1]
    only = client.get(f"{BASE}/", {"job": "reminders", "status": "started"}).content.decode()
    assert only.count("data-run=") == 18
    partial = client.get(f"{BASE}/", {"job": "reminders"}, HTTP_HX_REQUEST="true")
    assert partial.content.decode().lstrip().startswith('<div id="job-runs">')
    assert "HX-Request" in partial["Vary"]


def test_run_now_enqueues_the_job_after_commit(english, tenant_a, login, django_capture_on_commit_callbacks):
    client = login(tenant_a.lean_office)
    with mock.patch.object(Celery, "send_task") as send, django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{BASE}/run/", {"run-job": "shortfall_report", "run-period": "2026-Q3"}, follow=True)
    assert response.status_code == 200
    assert any("started" in str(m) for m in response.context["messages"])
    with tenant_scope(tenant_a.tenant):
        run = JobRun.objects.get()
    assert (run.job, run.period, run.status, run.manual, run.triggered_by_id) == (
        "shortfall_report",
        "2026-Q3",
        "started",
        True,
        tenant_a.lean_office.pk,
    )
    send.assert_called_once()
    name = send.call_args.args[0]
    assert name == "scheduling.run_tenant_job"
    assert send.call_args.kwargs["args"] == [tenant_a.tenant.pk, "shortfall_report"]
    assert send.call_args.kwargs["kwargs"]["run_id"] == run.pk


@pytest.mark.parametrize("period", ["2026-13", "2026", "soon", "2026-Q5"])
def test_a_bad_period_is_a_form_error(english, tenant_a, login, django_capture_on_commit_callbacks, period):
    client = login(tenant_a.lean_office)
    with mock.patch.object(Celery, "send_task") as send, django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{BASE}/run/", {"run-job": "shortfall_report", "run-period": period})
    assert response.status_code == 400
    assert response.context["run_form"].errors.get("period")
    send.assert_not_called()
    with tenant_scope(tenant_a.tenant):
        assert not JobRun.objects.exists()


def test_an_unknown_job_is_a_form_error(english, tenant_a, login):
    client = login(tenant_a.lean_office)
    with mock.patch.object(Celery, "send_task") as send:
        response = client.post(f"{BASE}/run/", {"run-job": "drop_tables", "run-period": ""})
    assert response.status_code == 400 and response.context["run_form"].errors.get("job")
    send.assert_not_called()


def test_the_runs_page_queries_are_bounded(tenant_a, login):
    client = login(tenant_a.lean_office)
    make_runs(tenant_a, 2)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"{BASE}/").status_code == 200
        return len(queries)

    small = count()
    make_runs(tenant_a, 45)
    assert count() == small
