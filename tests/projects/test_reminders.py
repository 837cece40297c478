"""The daily reminders: midterm and closing reviews coming due, pending scores; once a local day."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from lean.models import Notification
from lean.tenancy import tenant_scope
from projects import services
from projects.reminders import is_due
from scheduling.services import run_job
from tests.projects.factories import make_project


def local(year, month, day, hour=9):
    """A moment given in Shanghai time (the tenants' zone), as UTC."""
    return datetime(year, month, day, tzinfo=UTC) + timedelta(hours=hour - 8)


def sent_since(before):
    return Notification.objects.exclude(pk__in=before).select_related("recipient").order_by("pk")


@pytest.fixture
def a(two_tenants):
    return two_tenants[0]


def test_midterm_coming_due_reminds_the_leader(a, monkeypatch):
    with tenant_scope(a.tenant):
        project = make_project(a, title="提高磨煤机出力")  # planned 2025-03-01 … 2025-11-30: halfway on 16 July
        services.team_set(actor=a.manager, project=project, rows=[services.TeamRow(a.employee, "leader", Decimal(100))])
        for action, actor in [("submit", a.manager), ("approve", a.lean_office), ("start", a.manager)]:
            project = services.project_transition(actor=actor, project=project, action=action)
        before = list(Notification.objects.values_list("pk", flat=True))

    clock = {"now": local(2025, 7, 8)}
    monkeypatch.setattr("django.utils.timezone.now", lambda: clock["now"])  # notifications are made "then" too
    assert run_job(job="reminders", tenant=a.tenant).result["midterm"] == 0  # 8 days ahead
    clock["now"] = local(2025, 7, 9)
    run = run_job(job="reminders", tenant=a.tenant)
    assert (run.status, run.period) == ("finished", "2025-07-09")
    assert run.result == {"midterm": 1, "closing": 0, "scores": 0, "skipped": 0}
    with tenant_scope(a.tenant):
        (reminder,) = sent_since(before)
        assert reminder.recipient == a.employee  # the leader, not who filed it
        assert project.code in reminder.title and "2025-07-16" in reminder.body
        assert reminder.url.endswith(f"/projects/{project.pk}/")
    clock["now"] = local(2025, 7, 9, 23)
    again = run_job(job="reminders", tenant=a.tenant)
    assert again.result == {"midterm": 0, "closing": 0, "scores": 0, "skipped": 1}  # never twice a day
    clock["now"] = local(2025, 7, 10, 0) + timedelta(minutes=1)
    next_day = run_job(job="reminders", tenant=a.tenant)
    assert next_day.result["midterm"] == 1


def test_closing_coming_due_after_the_midterm_passed(a):
    with tenant_scope(a.tenant):
        review = a.extra["review"]
        criteria = {c.pk: Decimal(90) for c in a.extra["criteria"]}
        services.review_submit_scores(actor=a.extra["reviewer2"], review=review, scores=criteria)
        services.review_decide(actor=a.reviewer, review=review, result="pass")
        before = list(Notification.objects.values_list("pk", flat=True))
    assert run_job(job="reminders", tenant=a.tenant, now=local(2025, 11, 15)).result["closing"] == 0  # 15 days
    run = run_job(job="reminders", tenant=a.tenant, now=local(2025, 11, 16))
    assert run.result == {"midterm": 0, "closing": 1, "scores": 0, "skipped": 0}
    with tenant_scope(a.tenant):
        (reminder,) = sent_since(before)
        assert reminder.recipient == a.manager and "2025-11-30" in reminder.body


def test_pending_scores_remind_the_reviewer_by_mail_too(a, settings, django_capture_on_commit_callbacks):
    settings.EMAIL_HOST = "localhost"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    reviewer2 = a.extra["reviewer2"]
    reviewer2.user.email = "rv2@example.com"
    reviewer2.user.save()
    with tenant_scope(a.tenant):
        before = list(Notification.objects.values_list("pk", flat=True))
    soon = timezone.now() + timedelta(days=2)
    assert run_job(job="reminders", tenant=a.tenant, now=soon).result["scores"] == 0  # open only 2 days
    later = timezone.now() + timedelta(days=4)
    with django_capture_on_commit_callbacks(execute=True):
        run = run_job(job="reminders", tenant=a.tenant, now=later)
    assert run.result["scores"] == 1  # the reviewer who scored already is left alone
    with tenant_scope(a.tenant):
        (reminder,) = sent_since(before)
        assert reminder.recipient == reviewer2
        assert reminder.url.endswith(f"/reviews/{a.extra['review'].pk}/")
    assert [m.to for m in mail.outbox] == [["rv2@example.com"]]


def test_due_once_a_local_day_from_eight(a):
    with tenant_scope(a.tenant):
        assert not is_due(a.tenant, local(2025, 7, 9, 7) + timedelta(minutes=59))
        assert is_due(a.tenant, local(2025, 7, 9, 8))
    run_job(job="reminders", tenant=a.tenant, now=local(2025, 7, 9, 8))
    with tenant_scope(a.tenant):
        assert not is_due(a.tenant, local(2025, 7, 9, 23))
        assert is_due(a.tenant, local(2025, 7, 10, 8))
