"""The public listing pages: the list, opening a listing and the window setting (lean office), a listing by unit
with its objections (every member), resolving objections and finalizing through the pages, and the query counts
of the listing pages at two sizes."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from innovation.models import Contribution, ContributionType, Credit, InnovationSettings, Listing, Objection
from innovation.services import listings, scoring
from lean.tenancy import tenant_scope

from .factories import make_innovation, make_qc

D = Decimal
BASE = "/t/alpha/innovation"


@pytest.fixture
def data(tenant_a, client, settings):
    """make_innovation's listing of 2025-H1 (its window open, the reviewer's objection to the QC activity open);
    the pages in English, so the messages read as written."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with tenant_scope(tenant_a.tenant):
        make_innovation(tenant_a)
        for member, name in ((tenant_a.reviewer, "异议人王五"), (tenant_a.lean_office, "精益办赵六")):
            member.user.full_name = name
            member.user.save()
    return tenant_a


def listing_url(listing):
    return f"{BASE}/listings/{listing.pk}/"


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


ROLE_TABLE = {
    #                list new  settings detail finalize resolve
    "lean_office": (200, 200, 200, 200, 302, 400),
    "manager": (200, 403, 403, 200, 403, 403),
    "reviewer": (200, 403, 403, 200, 403, 403),
    "employee": (200, 403, 403, 200, 403, 403),
}


@pytest.mark.parametrize("role", list(ROLE_TABLE))
def test_who_opens_which_page(client, data, login, role):
    listing, objection = data.extra["listing"], data.extra["objection"]
    login(getattr(data, role))
    got = (
        client.get(f"{BASE}/listings/").status_code,
        client.get(f"{BASE}/listings/new/").status_code,
        client.get(f"{BASE}/listings/settings/").status_code,
        client.get(listing_url(listing)).status_code,
        client.post(f"{listing_url(listing)}finalize/").status_code,
        client.post(f"{BASE}/objections/{objection.pk}/resolve/").status_code,
    )
    assert got == ROLE_TABLE[role]
    with tenant_scope(data.tenant):
        assert Listing.objects.get(pk=listing.pk).state == Listing.State.OPEN
        assert Objection.objects.get(pk=objection.pk).state == Objection.State.OPEN
    assert client.get(f"{listing_url(listing)}finalize/").status_code == 405


def test_the_list_shows_open_listings_first_with_their_counts(client, data, login):
    listing = data.extra["listing"]
    with tenant_scope(data.tenant):
        old = Listing.objects.create(
            tenant=data.tenant,
            title="2024年创新积分公示",
            period_start=date(2024, 1, 1),
            period_end=date(2024, 12, 31),
            state=Listing.State.FINAL,
            opened_at=timezone.now() - timedelta(days=30),
            closes_at=timezone.now() - timedelta(days=23),
            finalized_at=timezone.now() - timedelta(days=20),
            finalized_by=data.lean_office,
        )
        newer_final = Listing.objects.create(
            tenant=data.tenant,
            title="2025下半年",
            period_start=date(2025, 7, 1),
            period_end=date(2025, 12, 31),
            state=Listing.State.FINAL,
            opened_at=timezone.now(),
            closes_at=timezone.now(),
        )
    login(data.employee)
    response = client.get(f"{BASE}/listings/")
    rows = list(response.context["page"])
    assert rows == [listing, newer_final, old]
    first = rows[0]
    # The OPL (the employee's) and the QC activity (manager 60 %, employee 40 %).
    assert (first.contribution_count, first.people_count, first.open_objections) == (2, 2, 1)
    with tenant_scope(data.tenant):
        assert first.points_total == sum(c.points for c in Contribution.objects.filter(listing=listing))
    assert (rows[2].contribution_count, rows[2].points_total) == (0, D("0.00"))
    body = response.content.decode()
    assert 'id="listing-new"' not in body and "left" in body  # the days left in the window
    login(data.lean_office)
    body = client.get(f"{BASE}/listings/").content.decode()
    assert 'id="listing-new"' in body and 'id="listing-settings"' in body


def test_the_lean_office_opens_a_listing_and_sets_the_window(client, data, login):
    login(data.lean_office)
    response = client.post(f"{BASE}/listings/settings/", {"objection_days": "0"})
    assert response.status_code == 400 and response.context["form"].errors["objection_days"]
    response = client.post(f"{BASE}/listings/settings/", {"objection_days": "10"})
    assert response.status_code == 302
    with tenant_scope(data.tenant):
        assert InnovationSettings.objects.get().objection_days == 10
    # Nothing verified is waiting: said clearly, nothing opened.
    response = client.post(f"{BASE}/listings/new/", {"period_start": "2025-07-01", "period_end": "2025-09-30"})
    assert response.status_code == 400
    assert response.context["form"].non_field_errors() and 'id="form-errors"' in response.content.decode()
    response = client.post(f"{BASE}/listings/new/", {"period_start": "2025-09-30", "period_end": "2025-07-01"})
    assert response.status_code == 400 and response.context["form"].errors["period_end"]
    with tenant_scope(data.tenant):
        assert Listing.objects.count() == 1
        qc = make_qc(data, day=date(2025, 8, 1))
    response = client.post(
        f"{BASE}/listings/new/", {"period_start": "2025-07-01", "period_end": "2025-09-30", "title": "三季度公示"}
    )
    with tenant_scope(data.tenant):
        listing = Listing.objects.get(period_start=date(2025, 7, 1))
        qc.refresh_from_db()
        assert qc.listing == listing and listing.title == "三季度公示"
        assert listing.closes_at - listing.opened_at == timedelta(days=10)
    assert response.status_code == 302 and response.url == listing_url(listing)
    # The same period again: the listing that exists.
    response = client.post(f"{BASE}/listings/new/", {"period_start": "2025-07-01", "period_end": "2025-09-30"})
    assert response.status_code == 302 and response.url == listing_url(listing)
    assert client.post(f"{BASE}/listings/new/", {}).status_code == 400


def test_a_listing_by_unit_with_its_objections(client, data, login):
    listing, qc, opl = data.extra["listing"], data.extra["qc"], data.extra["opl"]
    login(data.employee)
    response = client.get(listing_url(listing))
    assert response.context["chosen"] == str(data.unit.pk)  # their top unit by default
    body = response.content.decode()
    assert qc.title in body and opl.title in body and 'value="all"' in body
    assert f"/contributions/{qc.pk}/object/" in body and 'name="text"' in body  # the window is open
    assert 'id="finalize-form"' not in body and "resolve-form" not in body
    assert "人员分配有误" in body and "异议人王五" not in body  # who objected is not shown
    rows = {row.pk: row for row in response.context["rows"]}
    assert rows[qc.pk].open_objections == 1 and rows[qc.pk].mine and rows[opl.pk].mine
    summary = response.context["summary"]
    assert (summary["count"], summary["people"]) == (2, 2)
    # HQ with everything below it; the team alone (htmx: the rows only).
    response = client.get(listing_url(listing), {"unit": data.hq.pk})
    assert response.context["summary"]["count"] == 2  # HQ with everything below it
    response = client.get(listing_url(listing), {"unit": data.team.pk}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "<html" not in body and "1 contribution<" in body and opl.title in body and qc.title not in body
    assert client.get(listing_url(listing), {"unit": "x"}).context["chosen"] == str(data.unit.pk)
    login(data.lean_office)
    response = client.get(listing_url(listing))
    body = response.content.decode()
    assert response.context["chosen"] == "all" and 'id="finalize-form"' in body and "resolve-form" in body
    assert "异议人王五" in body


def test_object_resolve_and_finalize_through_the_pages(client, data, login):
    listing, qc, opl = data.extra["listing"], data.extra["qc"], data.extra["opl"]
    first = data.extra["objection"]
    with tenant_scope(data.tenant):
        second = listings.objection_raise(actor=data.employee, contribution=opl, text="日期有误")
    login(data.lean_office)
    # The window is open: refused, with the reason.
    response = client.post(f"{listing_url(listing)}finalize/", follow=True)
    assert any("open until" in m for m in messages_of(response))
    with tenant_scope(data.tenant):
        Listing.objects.filter(pk=listing.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
    # The window closed but objections are open: refused, nothing changes.
    response = client.post(f"{listing_url(listing)}finalize/", follow=True)
    assert any("2 objection" in m for m in messages_of(response))
    with tenant_scope(data.tenant):
        assert Listing.objects.get(pk=listing.pk).state == Listing.State.OPEN
        assert not Contribution.objects.filter(listing=listing, final=True).exists()
    assert f"/contributions/{qc.pk}/object/" not in response.content.decode()  # the window closed
    # A resolution needs a decision and a text.
    url = f"{BASE}/objections/{first.pk}/resolve/"
    response = client.post(url, {f"o{first.pk}-decision": "dismiss", f"o{first.pk}-resolution": ""})
    assert response.status_code == 400 and "resolve-form" in response.content.decode()
    response = client.post(url, {f"o{first.pk}-decision": "maybe", f"o{first.pk}-resolution": "x"})
    assert response.status_code == 400
    with tenant_scope(data.tenant):
        assert Objection.objects.get(pk=first.pk).state == Objection.State.OPEN
    response = client.post(url, {f"o{first.pk}-decision": "dismiss", f"o{first.pk}-resolution": "分配与记录一致"})
    assert response.status_code == 302 and response.url == f"{listing_url(listing)}#objection-{first.pk}"
    url = f"{BASE}/objections/{second.pk}/resolve/"
    response = client.post(url, {f"o{second.pk}-decision": "uphold", f"o{second.pk}-resolution": "日期更正后再公示"})
    assert response.status_code == 302
    # Resolving again is refused as a message.
    response = client.post(url, {f"o{second.pk}-decision": "dismiss", f"o{second.pk}-resolution": "x"}, follow=True)
    assert any("already resolved" in m for m in messages_of(response))
    with tenant_scope(data.tenant):
        assert Objection.objects.get(pk=first.pk).state == Objection.State.DISMISSED
        opl.refresh_from_db()
        assert opl.listing is None  # upheld: off the listing, to be corrected
    response = client.post(f"{listing_url(listing)}finalize/", follow=True)
    assert response.redirect_chain[-1][0] == listing_url(listing)
    with tenant_scope(data.tenant):
        listing.refresh_from_db()
        qc.refresh_from_db()
        assert listing.state == Listing.State.FINAL and listing.finalized_by == data.lean_office
        assert qc.final and not Contribution.objects.get(pk=opl.pk).final
    login(data.employee)
    response = client.get(listing_url(listing))
    body = response.content.decode()
    assert "final" in body and "精益办赵六" in body
    assert "/object/" not in body and "resolve-form" not in body
    assert "分配与记录一致" in body and "日期更正后再公示" in body


def bulk_listing(ts, listing, n: int, prefix: str):
    """`n` verified contributions on `listing`, spread over the unit and the team, each with two people."""
    kind = ContributionType.objects.get(code="qc")
    version = scoring.rule_version_for(date(2025, 3, 1))
    units = [ts.unit, ts.team, ts.hq]
    rows = Contribution.objects.bulk_create(
        [
            Contribution(
                tenant=ts.tenant,
                type=kind,
                unit=units[i % 3],
                title=f"{prefix}{i}",
                occurred_on=date(2025, 3, 1),
                status=Contribution.Status.VERIFIED,
                points=D("50.00"),
                rule_version=version,
                listing=listing,
            )
            for i in range(n)
        ]
    )
    Credit.objects.bulk_create(
        [
            Credit(tenant=ts.tenant, contribution=row, member=member, share=D(50), points=D("25.00"))
            for row in rows
            for member in (ts.manager, ts.employee)
        ]
    )
    for i, row in enumerate(rows[:: max(1, n // 5)]):
        Objection.objects.create(
            tenant=ts.tenant, listing=listing, contribution=row, raised_by=ts.reviewer, text=f"异议{i}"
        )


def bulk_listings(ts, n: int, year: int):
    now = timezone.now()
    Listing.objects.bulk_create(
        [
            Listing(
                tenant=ts.tenant,
                title=f"{year}-{i}",
                period_start=date(year, 1, 1) + timedelta(days=i),
                period_end=date(year, 1, 1) + timedelta(days=i),
                state=Listing.State.FINAL if i % 2 else Listing.State.OPEN,
                opened_at=now,
                closes_at=now + timedelta(days=3),
            )
            for i in range(n)
        ]
    )


def count_queries(client, url, params=None):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, params or {}).status_code == 200
    return len(queries)


@pytest.mark.parametrize("role", ["lean_office", "employee"])
def test_the_listing_pages_run_the_same_queries_at_two_sizes(client, data, login, role):
    with tenant_scope(data.tenant):
        now = timezone.now()
        small, big = (
            Listing.objects.create(
                tenant=data.tenant,
                title=title,
                period_start=start,
                period_end=start,
                opened_at=now,
                closes_at=now + timedelta(days=5),
            )
            for title, start in (("小", date(2024, 1, 1)), ("大", date(2024, 2, 1)))
        )
        bulk_listing(data, small, 6, "S")
        bulk_listing(data, big, 180, "L")
    login(getattr(data, role))
    counts = {}
    for listing in (small, big):
        counts[listing.title] = (
            count_queries(client, listing_url(listing)),
            count_queries(client, listing_url(listing), {"unit": "all"}),
            count_queries(client, listing_url(listing), {"unit": data.team.pk}),
        )
    assert counts["小"] == counts["大"], counts
    assert len(client.get(listing_url(big), {"unit": "all"}).context["rows"].object_list) == 180
    with tenant_scope(data.tenant):
        bulk_listings(data, 3, 2020)
    few = count_queries(client, f"{BASE}/listings/")
    with tenant_scope(data.tenant):
        bulk_listings(data, 40, 2021)
    assert count_queries(client, f"{BASE}/listings/") == few
