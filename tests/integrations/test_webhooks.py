"""Webhooks against a local test receiver: signature, retries with backoff, the delivery log, events."""

import json
import threading
from datetime import date
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from innovation.services import listings
from integrations import webhooks
from integrations.models import WebhookDelivery, WebhookEvent
from integrations.tasks import deliver_webhook
from lean.tenancy import tenant_scope
from tests.innovation.factories import make_qc

pytestmark = pytest.mark.django_db


class Receiver:
    """An HTTP server on localhost that answers the queued statuses in turn (then 200) and keeps what it got."""

    def __init__(self, statuses=()):
        self.statuses = list(statuses)
        self.received = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append((dict(self.headers), body))
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.end_headers()
                self.wfile.write(b"ok" if status == 200 else b"try later")

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()


@pytest.fixture
def receiver():
    made = []

    def make(statuses=()):
        made.append(Receiver(statuses))
        return made[-1]

    yield make
    for r in made:
        r.close()


def endpoint(ts, url, events=(WebhookEvent.LISTING_FINALIZED,)):
    return webhooks.endpoint_create(actor=ts.lean_office, url=url, events=list(events))


def test_a_delivery_is_signed_so_the_receiver_can_verify_it(tenant_a, receiver):
    a, hook = tenant_a, receiver()
    with tenant_scope(a.tenant):
        target = endpoint(a, hook.url)
        [delivery] = webhooks.event_emit(event="listing.finalized", data={"listing": {"id": 7}}, event_id="ev-1")
        assert webhooks.delivery_attempt(delivery=delivery)
    headers, body = hook.received[0]
    assert webhooks.verify(target.secret, body, headers["X-Lean-Signature"])
    assert not webhooks.verify("whsec_wrong", body, headers["X-Lean-Signature"])
    assert not webhooks.verify(target.secret, body + b" ", headers["X-Lean-Signature"])
    assert not webhooks.verify(target.secret, body, headers["X-Lean-Signature"], now=0)  # too old: a replay
    assert headers["X-Lean-Event"] == "listing.finalized" and headers["X-Lean-Delivery"] == "ev-1"
    assert json.loads(body)["data"] == {"listing": {"id": 7}}


def test_a_failing_receiver_is_retried_with_backoff_until_it_answers(tenant_a, receiver, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True  # the task's own retries run in place; the backoff is checked below
    from config.celery import app

    app.conf.task_always_eager = True
    try:
        a, hook = tenant_a, receiver([500, 503])
        with tenant_scope(a.tenant):
            endpoint(a, hook.url)
            [delivery] = webhooks.event_emit(event="listing.finalized", data={}, event_id="ev-2")
        deliver_webhook.apply(args=[a.tenant.pk, delivery.pk])
    finally:
        app.conf.task_always_eager = False
    with tenant_scope(a.tenant):
        delivery.refresh_from_db()
    assert len(hook.received) == 3
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("delivered", 3, 200)
    assert {h["X-Lean-Delivery"] for h, _b in hook.received} == {"ev-2"}  # one event id on every attempt
    assert [webhooks.backoff_seconds(n) for n in (1, 2, 3, 8, 12)] == [30, 60, 120, 3600, 3600]


def test_after_the_last_attempt_it_fails_and_the_lean_office_can_send_it_again(
    tenant_a, receiver, django_capture_on_commit_callbacks
):
    from unittest import mock

    a, hook = tenant_a, receiver([500] * webhooks.MAX_ATTEMPTS)
    with tenant_scope(a.tenant):
        endpoint(a, hook.url)
        [delivery] = webhooks.event_emit(event="listing.finalized", data={}, event_id="ev-3")
        for _ in range(webhooks.MAX_ATTEMPTS):
            webhooks.delivery_attempt(delivery=delivery)
        delivery.refresh_from_db()
        assert delivery.status == "failed" and "try later" in delivery.last_error
        with (
            mock.patch.object(deliver_webhook, "apply_async") as queued,
            django_capture_on_commit_callbacks(execute=True),
        ):
            webhooks.delivery_resend(actor=a.lean_office, delivery=delivery)
        queued.assert_called_once()
        assert webhooks.delivery_attempt(delivery=delivery)
        delivery.refresh_from_db()
        assert delivery.status == "delivered" and delivery.attempts == 1


def test_an_unreachable_receiver_is_logged_not_raised(tenant_a):
    with tenant_scope(tenant_a.tenant):
        endpoint(tenant_a, "http://127.0.0.1:9/nobody")
        [delivery] = webhooks.event_emit(event="listing.finalized", data={})
        assert not webhooks.delivery_attempt(delivery=delivery)
        delivery.refresh_from_db()
        assert delivery.status == "pending" and delivery.last_status_code is None and delivery.last_error


def test_finalizing_a_listing_emits_one_event_per_subscribed_endpoint(
    tenant_a, receiver, django_capture_on_commit_callbacks
):
    from unittest import mock

    a = tenant_a
    with tenant_scope(a.tenant):
        endpoint(a, "http://127.0.0.1:9/a")
        endpoint(a, "http://127.0.0.1:9/b", events=[WebhookEvent.PROJECT_CLOSED])
        make_qc(a)
        listing = listings.listing_open(
            actor=a.lean_office, period_start=date(2025, 1, 1), period_end=date(2025, 12, 31)
        )
    with mock.patch.object(deliver_webhook, "apply_async") as queued:
        with tenant_scope(a.tenant), django_capture_on_commit_callbacks(execute=True):
            listings.listing_finalize(actor=a.lean_office, listing=listing, now=listing.closes_at)
        with tenant_scope(a.tenant), django_capture_on_commit_callbacks(execute=True):
            listings.listing_finalize(actor=a.lean_office, listing=listing, now=listing.closes_at)  # again: no-op
    with tenant_scope(a.tenant):
        [delivery] = WebhookDelivery.objects.all()
        assert delivery.endpoint.url.endswith("/a") and delivery.event_id == f"listing.finalized:{listing.pk}"
        assert delivery.payload["data"]["points"] == "96.40" and delivery.payload["data"]["people"] == 2
    assert queued.call_count == 1
