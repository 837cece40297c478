"""The listing job: opening the period that just ended, closing with and without open objections (waiting and
reminding the lean office once a day), finalizing, and nothing to list."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.core import mail

from innovation.jobs import is_due
from innovation.models import Listing
from innovation.services import contributions, listings
from integrations.models import WebhookDelivery
from lean.errors import ApplicationError
from lean.models import Notification
from lean.tenancy import tenant_scope
from scheduling.models import JobRun
from scheduling.services import run_job, schedules_update
from tests.innovation.factories import make_opl

OPENING = datetime(2025, 10, 10, 2, 0, tzinfo=UTC)  # 10 October, 10:00 in Shanghai


@pytest.fixture
def office(two_tenants, settings):
    """Tenant alpha with the populated listing finalized out of the way, quarterly listings on the 10th at 09:00,
    one OPL of August verified and waiting to be listed, and the lean office with an email address."""
    a, _b = two_tenants
    settings.EMAIL_HOST = "localhost"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    a.lean_office.user.email = "office@example.com"
    a.lean_office.user.save()
    with tenant_scope(a.tenant):
        old = a.extra["listing"]
        listings.objection_resolve(
            actor=a.lean_office, objection=a.extra["objection"], uphold=False, resolution="核实无误"
        )
        listings.listing_finalize(actor=a.lean_office, listing=old, now=old.closes_at + timedelta(seconds=1))
        schedules_update(
            actor=a.lean_office, changes={"innovation_listing": {"cadence": "quarterly", "day": 10, "hour": 9}}
        )
        opl = make_opl(a, title="皮带跑偏处理一点课", day=date(2025, 8, 15))
        contributions.contribution_verify(actor=a.manager, contribution=opl)
        a.extra["august_opl"] = opl
    return a


def scoped(ts, fn, *args, **kwargs):
    with tenant_scope(ts.tenant):
        return fn(*args, **kwargs)


def test_open_objection_wait_remind_resolve_finalize(office, django_capture_on_commit_callbacks):
    a = office
    assert not scoped(a, is_due, a.tenant, OPENING - timedelta(hours=2))  # 08:00 in Shanghai: not yet
    assert scoped(a, is_due, a.tenant, OPENING)

    run = run_job(job="innovation_listing", tenant=a.tenant, now=OPENING)
    assert (run.status, run.period, run.manual) == ("finished", "2025-Q3", False)
    assert run.result == {
        "period": "2025-Q3",
        "listed": 1,
        "listing_id": run.result["listing_id"],
        "finalized": [],
        "waiting": [],
        "reminded": [],
    }
    with tenant_scope(a.tenant):
        listing = Listing.objects.get(pk=run.result["listing_id"])
        assert (listing.period_start, listing.period_end) == (date(2025, 7, 1), date(2025, 9, 30))
        assert listing.closes_at == OPENING + timedelta(days=7)
        assert not is_due(a.tenant, OPENING + timedelta(hours=1))  # opened; nothing to close
        objection = listings.objection_raise(
            actor=a.reviewer, contribution=a.extra["august_opl"], text="实际完成人不符", now=OPENING + timedelta(days=1)
        )

    closed = listing.closes_at + timedelta(hours=1)
    with tenant_scope(a.tenant):
        assert is_due(a.tenant, closed)
        with pytest.raises(ApplicationError) as error:
            listings.listing_finalize(actor=None, listing=listing, now=closed)
        assert error.value.code == "objections_open"
        with pytest.raises(ApplicationError) as error:
            listings.listing_finalize(actor=None, listing=listing, now=listing.closes_at - timedelta(minutes=1))
        assert error.value.code == "window_open"
        before = list(Notification.objects.values_list("pk", flat=True))

    with django_capture_on_commit_callbacks(execute=True):
        waiting = run_job(job="innovation_listing", tenant=a.tenant, now=closed)
    assert (waiting.status, waiting.period) == ("finished", "")  # a closing run only
    assert (waiting.result["finalized"], waiting.result["waiting"], waiting.result["reminded"]) == (
        [],
        [listing.pk],
        [listing.pk],
    )
    with tenant_scope(a.tenant):
        reminder = Notification.objects.exclude(pk__in=before).get()
        assert reminder.recipient == a.lean_office
        assert listing.title in reminder.title and reminder.url.endswith(f"/listings/{listing.pk}/")
        listing.refresh_from_db()
        assert listing.state == Listing.State.OPEN and listing.reminded_at == closed
    assert [m.to for m in mail.outbox] == [["office@example.com"]]

    later_today = closed + timedelta(hours=2)
    with tenant_scope(a.tenant):
        assert not is_due(a.tenant, later_today)  # reminded today already
    again = run_job(job="innovation_listing", tenant=a.tenant, now=later_today)
    assert (again.result["waiting"], again.result["reminded"]) == ([listing.pk], [])
    tomorrow = closed + timedelta(days=1)
    with tenant_scope(a.tenant):
        assert is_due(a.tenant, tomorrow)
        listings.objection_resolve(actor=a.lean_office, objection=objection, uphold=False, resolution="已核实")
        assert Notification.objects.exclude(pk__in=before).filter(recipient=a.lean_office).count() == 1

    with django_capture_on_commit_callbacks(execute=True):
        final = run_job(job="innovation_listing", tenant=a.tenant, now=tomorrow)
    assert final.result["finalized"] == [listing.pk]
    with tenant_scope(a.tenant):
        listing.refresh_from_db()
        assert listing.state == Listing.State.FINAL and listing.finalized_by is None
        assert all(c.final for c in listing.contributions.all())
        assert WebhookDelivery.objects.filter(event_id=f"listing.finalized:{listing.pk}").exists()  # HR hears
        assert not is_due(a.tenant, tomorrow + timedelta(hours=1))


def test_nothing_to_list_is_a_finished_run(office):
    a = office
    run = run_job(job="innovation_listing", tenant=a.tenant, period="2025-Q2", actor=a.lean_office)
    assert (run.status, run.period, run.manual) == ("finished", "2025-Q2", True)
    assert run.result["listed"] == 0 and run.result["listing_id"] is None
    with tenant_scope(a.tenant):
        assert not Listing.objects.filter(period_start=date(2025, 4, 1)).exists()


def test_the_same_opening_twice_is_one_listing(office):
    a = office
    first = run_job(job="innovation_listing", tenant=a.tenant, period="2025-Q3")
    second = run_job(job="innovation_listing", tenant=a.tenant, period="2025-Q3")
    assert first.result["listing_id"] == second.result["listing_id"]
    with tenant_scope(a.tenant):
        assert Listing.objects.filter(period_start=date(2025, 7, 1)).count() == 1
        assert JobRun.objects.filter(job="innovation_listing", status="finished").count() == 2


def test_a_scheduled_run_opens_nothing_before_its_day(office):
    a = office
    early = datetime(2025, 10, 3, 2, 0, tzinfo=UTC)
    with tenant_scope(a.tenant):
        assert not is_due(a.tenant, early)
    run = run_job(job="innovation_listing", tenant=a.tenant, now=early)
    assert (run.status, run.period, run.result.get("listed")) == ("finished", "", None)
    with tenant_scope(a.tenant):
        assert not Listing.objects.filter(period_start=date(2025, 7, 1)).exists()
