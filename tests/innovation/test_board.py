"""The notice-board link of a public listing: made by the lean office (shown once, only its SHA-256 kept),
revoked, and the public read-only page that answers only its own listing."""

import hashlib
import re
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.http import Http404
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from innovation.board import board_token_create, board_token_revoke, listing_for_board
from innovation.models import Listing
from lean.tenancy import tenant_scope

from .factories import make_innovation, make_opl

BASE = "/t/alpha/innovation/listings"


@pytest.fixture
def data(tenant_a, client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with tenant_scope(tenant_a.tenant):
        make_innovation(tenant_a)
    return tenant_a


def other_listing(ts, title="另一期公示"):
    now = timezone.now()
    return Listing.objects.create(
        tenant=ts.tenant,
        title=title,
        period_start=date(2024, 1, 1),
        period_end=date(2024, 6, 30),
        opened_at=now,
        closes_at=now + timedelta(days=7),
    )


def make_token(ts, listing=None):
    with tenant_scope(ts.tenant):
        return board_token_create(actor=ts.lean_office, listing=listing or ts.extra["listing"])


def board(token, client=None):
    return (client or Client()).get(f"/board/{token}/")


ROLE_TABLE = {"lean_office": (200, 302), "manager": (403, 403), "reviewer": (403, 403), "employee": (403, 403)}


@pytest.mark.parametrize("role", list(ROLE_TABLE))
def test_who_makes_and_revokes_the_link(client, data, login, role):
    listing = data.extra["listing"]
    login(getattr(data, role))
    got = (
        client.post(f"{BASE}/{listing.pk}/board/").status_code,
        client.post(f"{BASE}/{listing.pk}/board/revoke/").status_code,
    )
    assert got == ROLE_TABLE[role]
    page = client.get(f"{BASE}/{listing.pk}/").content.decode()
    assert ('id="board-link"' in page) == (role == "lean_office")


def test_the_link_is_shown_once_and_only_its_digest_is_stored(client, data, login):
    listing = data.extra["listing"]
    login(data.lean_office)
    response = client.post(f"{BASE}/{listing.pk}/board/")
    assert response.status_code == 200
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]
    url = re.search(r'value="(http://testserver/board/(bt_[^"/]+)/)"', response.content.decode())
    assert url, "the page shows the address"
    token = url.group(2)
    assert token.startswith(f"bt_{data.tenant.pk}_")
    with tenant_scope(data.tenant):
        listing.refresh_from_db()
    assert listing.board_token_digest == hashlib.sha256(token.encode()).hexdigest()
    assert token not in listing.board_token_digest and listing.board_token_created_at is not None
    # The listing's page says a link is active but does not show it again.
    page = client.get(f"{BASE}/{listing.pk}/").content.decode()
    assert "active" in page and token not in page
    assert board(token).status_code == 200


def test_the_public_page_needs_no_login_and_shows_the_listing(data):
    listing = data.extra["listing"]
    token = make_token(data)
    response = board(token)
    assert response.status_code == 200
    page = response.content.decode()
    assert '<meta http-equiv="refresh" content="300">' in page
    assert listing.title in page
    assert data.extra["opl"].title in page and data.extra["qc"].title in page
    assert data.unit.name in page or data.team.name in page
    assert data.employee.user.display_name in page
    closes = timezone.localtime(listing.closes_at, timezone=ZoneInfo(data.tenant.time_zone))
    assert closes.strftime("%Y-%m-%d %H:%M") in page
    assert response["Referrer-Policy"] == "no-referrer"
    # Read-only: no form, no objection button, nothing to post.
    assert "<form" not in page
    assert Client().post(f"/board/{token}/").status_code == 405


def test_the_token_answers_only_its_listing(data):
    with tenant_scope(data.tenant):
        second = other_listing(data)
    token = make_token(data)
    page = board(token).content.decode()
    assert data.extra["listing"].title in page and second.title not in page
    # Nothing in the request can point it at another listing.
    page = Client().get(f"/board/{token}/", {"listing_id": second.pk, "listing": second.pk}).content.decode()
    assert second.title not in page
    # The second listing's own link shows the second listing only.
    second_token = make_token(data, second)
    page = board(second_token).content.decode()
    assert second.title in page and data.extra["listing"].title not in page
    with tenant_scope(data.tenant):
        assert listing_for_board(token).pk == data.extra["listing"].pk
        assert listing_for_board(second_token).pk == second.pk


def test_another_tenants_listing_cannot_be_reached(two_tenants):
    a, b = two_tenants
    token_b = make_token(b)
    assert board(token_b).status_code == 200
    # B's random part under A's tenant id: looked up in A's scope, where it matches nothing.
    forged = token_b.replace(f"bt_{b.tenant.pk}_", f"bt_{a.tenant.pk}_", 1)
    assert board(forged).status_code == 404
    # A signed-in member of A gets nothing more.
    client = Client()
    client.force_login(a.lean_office.user, backend="lean.auth.TenantLoginBackend")
    assert client.get(f"/board/{forged}/").status_code == 404


def test_revoked_and_replaced_links_answer_404(data, client, login):
    listing = data.extra["listing"]
    first = make_token(data)
    second = make_token(data)  # a new link replaces the first
    assert board(first).status_code == 404
    assert board(second).status_code == 200
    login(data.lean_office)
    response = client.post(f"{BASE}/{listing.pk}/board/revoke/")
    assert response.status_code == 302
    assert board(second).status_code == 404
    with tenant_scope(data.tenant):
        listing.refresh_from_db()
        assert listing.board_token_digest == "" and listing.board_token_created_at is None
        board_token_revoke(actor=data.lean_office, listing=listing)  # twice is harmless


@pytest.mark.parametrize(
    "token",
    ["", "x", "bt_", "bt_1_", "bt_abc_" + "a" * 43, "bt_999999_" + "a" * 43, "lk_1_" + "a" * 43, "bt_0_" + "a" * 43],
)
def test_a_wrong_token_is_not_found(data, token):
    make_token(data)
    if token:
        assert board(token).status_code == 404
    with pytest.raises(Http404):
        listing_for_board(token)


def test_a_listing_without_a_link_is_not_found_by_any_digest(data):
    """A listing whose link was never made keeps an empty digest, which no token's SHA-256 equals."""
    token = make_token(data)
    with tenant_scope(data.tenant):
        board_token_revoke(actor=data.lean_office, listing=data.extra["listing"])
    assert board(token).status_code == 404


def test_the_board_page_queries_are_bounded(data):
    token = make_token(data)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert board(token).status_code == 200
        return len(queries)

    small = count()
    with tenant_scope(data.tenant):
        listing = data.extra["listing"]
        for _ in range(6):
            contribution = make_opl(data)
            contribution.status = contribution.Status.VERIFIED
            contribution.listing = listing
            contribution.save()
    assert count() == small
