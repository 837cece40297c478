"""The lean office's Integrations pages: API keys (shown once, stored hashed, revoked) and webhook endpoints with
their delivery log."""

import hashlib
from unittest import mock

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from integrations.models import WebhookDelivery, WebhookEndpoint, WebhookEvent
from integrations.webhooks import endpoint_create
from lean.models import ApiKey
from lean.tenancy import tenant_scope
from tests.factories import make_member

PAGE = "/t/alpha/integrations/"


def make_endpoint(tenant_set, url="https://hr.example.com/hook", events=(WebhookEvent.LISTING_FINALIZED,)):
    with tenant_scope(tenant_set.tenant):
        return endpoint_create(actor=tenant_set.lean_office, url=url, events=list(events), description="HR")


def make_delivery(tenant_set, endpoint, n, status=WebhookDelivery.Status.DELIVERED, **fields):
    with tenant_scope(tenant_set.tenant):
        return WebhookDelivery.objects.create(
            tenant=tenant_set.tenant,
            endpoint=endpoint,
            event=WebhookEvent.LISTING_FINALIZED,
            event_id=f"evt-{n:04d}",
            payload={"id": f"evt-{n:04d}", "event": "listing.finalized", "data": {"listing": n, "名": "甲"}},
            status=status,
            **fields,
        )


def create_key(client, name="HR system", scopes=("hr:read",)):
    return client.post(PAGE, {"form": "key", "key-name": name, "key-scopes": list(scopes)})


def api_units(tenant_set, token):
    return Client().get(f"/t/{tenant_set.tenant.slug}/api/v1/units/", HTTP_AUTHORIZATION=f"Bearer {token}")


@pytest.mark.parametrize(("role", "expected"), [("lean_office", 200), ("manager", 403), ("employee", 403)])
def test_who_may_open_the_pages(client, tenant_a, login, role, expected):
    endpoint = make_endpoint(tenant_a)
    delivery = make_delivery(tenant_a, endpoint, 1)
    with tenant_scope(tenant_a.tenant):
        from lean.apikeys import api_key_create

        key, _token = api_key_create(actor=tenant_a.lean_office, name="k", scopes=["hr:read"])
    login(getattr(tenant_a, role))
    assert client.get(PAGE).status_code == expected
    assert client.get(f"{PAGE}webhooks/{endpoint.pk}/").status_code == expected
    if expected == 403:
        posts = [
            (PAGE, {"form": "key", "key-name": "x", "key-scopes": ["hr:read"]}),
            (PAGE, {"form": "webhook", "webhook-url": "https://x.example.com", "webhook-events": ["project.closed"]}),
            (f"{PAGE}keys/{key.pk}/revoke/", {}),
            (f"{PAGE}webhooks/{endpoint.pk}/toggle/", {}),
            (f"{PAGE}deliveries/{delivery.pk}/resend/", {}),
        ]
        for url, data in posts:
            assert client.post(url, data).status_code == 403, url
        with tenant_scope(tenant_a.tenant):
            assert ApiKey.objects.count() == 1 and WebhookEndpoint.objects.count() == 1
            assert ApiKey.objects.get().active and WebhookEndpoint.objects.get().active


def test_the_nav_shows_integrations_to_the_lean_office_only(client, tenant_a, login):
    login(tenant_a.lean_office)
    assert PAGE in client.get("/t/alpha/").content.decode()
    login(tenant_a.manager)
    assert PAGE not in client.get("/t/alpha/").content.decode()


def test_a_new_key_is_shown_once_and_only_its_digest_is_stored(client, tenant_a, login):
    login(tenant_a.lean_office)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = create_key(client, scopes=["hr:read", "projects:read"])
    assert response.status_code == 200
    token = response.context["created_token"]
    assert token.startswith("lk_") and token in response.content.decode()
    assert 'id="new-token"' in response.content.decode() and "it will not be shown again" in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    with tenant_scope(tenant_a.tenant):
        key = ApiKey.objects.get()
    assert key.name == "HR system" and key.scopes == ["hr:read", "projects:read"]
    assert key.created_by_id == tenant_a.lean_office.pk
    assert key.digest != token and key.digest == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(dict(client.session))
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM lean_apikey WHERE digest = %s OR prefix = %s", [token, token])
        assert cursor.fetchone()[0] == 0

    again = client.get(PAGE)
    assert token not in again.content.decode() and key.prefix in again.content.decode()
    assert api_units(tenant_a, token).status_code == 200


def test_a_key_without_hr_read_cannot_read_units(client, tenant_a, login):
    login(tenant_a.lean_office)
    token = create_key(client, scopes=["projects:read"]).context["created_token"]
    assert api_units(tenant_a, token).status_code == 403


@pytest.mark.parametrize(
    "data",
    [
        {"key-name": "HR"},
        {"key-name": "HR", "key-scopes": ["hr:admin"]},
        {"key-name": "  ", "key-scopes": ["hr:read"]},
    ],
)
def test_bad_key_input_is_shown_with_400_and_stores_nothing(client, tenant_a, login, data):
    login(tenant_a.lean_office)
    response = client.post(PAGE, {"form": "key", **data})
    assert response.status_code == 400
    assert response.context["key_form"].errors
    assert response.context["created_token"] is None
    with tenant_scope(tenant_a.tenant):
        assert not ApiKey.objects.exists()


def test_a_revoked_key_answers_401(client, tenant_a, login):
    login(tenant_a.lean_office)
    token = create_key(client).context["created_token"]
    with tenant_scope(tenant_a.tenant):
        key = ApiKey.objects.get()
    assert client.get(f"{PAGE}keys/{key.pk}/revoke/").status_code == 405
    response = client.post(f"{PAGE}keys/{key.pk}/revoke/")
    assert response.status_code == 302 and response["Location"] == PAGE
    with tenant_scope(tenant_a.tenant):
        key.refresh_from_db()
    assert key.revoked_at is not None and key.revoked_by_id == tenant_a.lean_office.pk
    assert api_units(tenant_a, token).status_code == 401
    page = client.get(PAGE).content.decode()
    assert f'action="{PAGE}keys/{key.pk}/revoke/"' not in page


def test_another_tenants_objects_are_not_found(client, tenant_a, tenant_b, login):
    endpoint = make_endpoint(tenant_b)
    delivery = make_delivery(tenant_b, endpoint, 1)
    with tenant_scope(tenant_b.tenant):
        from lean.apikeys import api_key_create

        key, _token = api_key_create(actor=tenant_b.lean_office, name="b", scopes=["hr:read"])
    login(tenant_a.lean_office)
    assert client.get(f"{PAGE}webhooks/{endpoint.pk}/").status_code == 404
    assert client.post(f"{PAGE}webhooks/{endpoint.pk}/toggle/").status_code == 404
    assert client.post(f"{PAGE}deliveries/{delivery.pk}/resend/").status_code == 404
    assert client.post(f"{PAGE}keys/{key.pk}/revoke/").status_code == 404
    with tenant_scope(tenant_b.tenant):
        key.refresh_from_db()
        endpoint.refresh_from_db()
    assert key.active and endpoint.active


def test_lean_office_adds_a_webhook_endpoint(client, tenant_a, login):
    login(tenant_a.lean_office)
    response = client.post(
        PAGE,
        {
            "form": "webhook",
            "webhook-url": "https://hr.example.com/lean",
            "webhook-description": "HR",
            "webhook-events": ["listing.finalized", "project.closed"],
        },
    )
    with tenant_scope(tenant_a.tenant):
        endpoint = WebhookEndpoint.objects.get()
    assert response.status_code == 302 and response["Location"] == f"{PAGE}webhooks/{endpoint.pk}/"
    assert endpoint.url == "https://hr.example.com/lean" and endpoint.events == ["listing.finalized", "project.closed"]
    assert endpoint.secret.startswith("whsec_")
    page = client.get(response["Location"]).content.decode()
    assert endpoint.secret in page  # inside the <details> "show" block
    listing = client.get(PAGE).content.decode()
    assert "https://hr.example.com/lean" in listing and endpoint.secret not in listing


@pytest.mark.parametrize(
    "data",
    [
        {"webhook-url": "not a url", "webhook-events": ["project.closed"]},
        {"webhook-url": "ftp://files.example.com/x", "webhook-events": ["project.closed"]},
        {"webhook-url": "https://hr.example.com/lean"},
        {"webhook-url": "https://hr.example.com/lean", "webhook-events": ["user.deleted"]},
    ],
)
def test_bad_webhook_input_is_shown_with_400_and_stores_nothing(client, tenant_a, login, data):
    login(tenant_a.lean_office)
    response = client.post(PAGE, {"form": "webhook", **data})
    assert response.status_code == 400
    assert response.context["webhook_form"].errors
    with tenant_scope(tenant_a.tenant):
        assert not WebhookEndpoint.objects.exists()


def test_the_delivery_log_lists_and_filters_deliveries(client, tenant_a, login):
    endpoint = make_endpoint(tenant_a)
    make_delivery(tenant_a, endpoint, 1, attempts=1, last_status_code=200)
    make_delivery(
        tenant_a, endpoint, 2, status=WebhookDelivery.Status.FAILED, attempts=8, last_status_code=502, last_error="Bad"
    )
    other = make_endpoint(tenant_a, url="https://other.example.com/hook")
    make_delivery(tenant_a, other, 3)
    login(tenant_a.lean_office)
    url = f"{PAGE}webhooks/{endpoint.pk}/"
    page = client.get(url).content.decode()
    assert "evt-0001" in page and "evt-0002" in page and "evt-0003" not in page
    assert "502" in page and "&quot;listing&quot;: 2" in page  # the payload, in its <details>

    failed = client.get(url, {"status": "failed"}, HTTP_HX_REQUEST="true")
    assert failed.status_code == 200 and "HX-Request" in failed["Vary"]
    body = failed.content.decode()
    assert "evt-0002" in body and "evt-0001" not in body and "<html" not in body

    overview = client.get(PAGE)
    rows = {e.pk: e for e in overview.context["endpoints"]}
    assert rows[endpoint.pk].delivery_count == 2 and rows[endpoint.pk].last_status == "failed"


def test_the_delivery_log_is_paginated_by_50(client, tenant_a, login):
    endpoint = make_endpoint(tenant_a)
    for n in range(55):
        make_delivery(tenant_a, endpoint, n)
    login(tenant_a.lean_office)
    first = client.get(f"{PAGE}webhooks/{endpoint.pk}/")
    assert len(first.context["page"]) == 50 and first.context["page"].paginator.num_pages == 2
    assert len(client.get(f"{PAGE}webhooks/{endpoint.pk}/", {"page": 2}).context["page"]) == 5


def test_send_again_resets_the_delivery_and_queues_it(client, tenant_a, login, django_capture_on_commit_callbacks):
    endpoint = make_endpoint(tenant_a)
    delivery = make_delivery(
        tenant_a, endpoint, 1, status=WebhookDelivery.Status.FAILED, attempts=8, last_status_code=500
    )
    login(tenant_a.lean_office)
    with mock.patch("integrations.tasks.deliver_webhook.apply_async") as apply_async:
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(f"{PAGE}deliveries/{delivery.pk}/resend/", {"status": "failed"})
    assert response.status_code == 302
    assert response["Location"] == f"{PAGE}webhooks/{endpoint.pk}/?status=failed"
    apply_async.assert_called_once()
    assert apply_async.call_args.kwargs["args"] == [tenant_a.tenant.pk, delivery.pk]
    with tenant_scope(tenant_a.tenant):
        delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.PENDING and delivery.attempts == 0
    assert client.get(f"{PAGE}deliveries/{delivery.pk}/resend/").status_code == 405


def test_pausing_and_resuming_an_endpoint(client, tenant_a, login):
    endpoint = make_endpoint(tenant_a)
    login(tenant_a.lean_office)
    url = f"{PAGE}webhooks/{endpoint.pk}/toggle/"
    assert client.get(url).status_code == 405
    assert client.post(url)["Location"] == f"{PAGE}webhooks/{endpoint.pk}/"
    with tenant_scope(tenant_a.tenant):
        endpoint.refresh_from_db()
        assert not endpoint.active
        client.post(url)
        endpoint.refresh_from_db()
        assert endpoint.active


def queries_for(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def add_data(tenant_set, endpoint, start):
    from lean.apikeys import api_key_create, api_key_revoke

    with tenant_scope(tenant_set.tenant):
        for i in range(6):
            actor = make_member(tenant_set.hq, ["lean_office"])
            key, _token = api_key_create(actor=actor, name=f"key {start + i}", scopes=["hr:read", "hr:write"])
            if i % 2:
                api_key_revoke(actor=tenant_set.lean_office, key=key)
    for i in range(4):
        other = make_endpoint(tenant_set, url=f"https://h{start + i}.example.com/hook")
        make_delivery(tenant_set, other, start * 100 + i, status=WebhookDelivery.Status.FAILED, last_error="x")
    for i in range(12):
        make_delivery(tenant_set, endpoint, start * 1000 + i)


def test_query_counts_do_not_grow_with_data(client, tenant_a, login):
    endpoint = make_endpoint(tenant_a)
    add_data(tenant_a, endpoint, 1)
    login(tenant_a.lean_office)
    urls = [PAGE, f"{PAGE}webhooks/{endpoint.pk}/", f"{PAGE}webhooks/{endpoint.pk}/?status=delivered"]
    small = [queries_for(client, url) for url in urls]
    add_data(tenant_a, endpoint, 2)
    add_data(tenant_a, endpoint, 3)
    assert [queries_for(client, url) for url in urls] == small
