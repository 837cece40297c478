"""Webhooks: the tenant's endpoints, events turned into deliveries, signed delivery with retries, re-sending.

Every delivery is a POST of JSON {id, event, created_at, tenant, data} with the headers
  X-Lean-Event: listing.finalized
  X-Lean-Delivery: <event id>          (the same on every attempt and for every endpoint: dedupe on it)
  X-Lean-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<body>" with the endpoint's secret>
A receiver recomputes the HMAC over the raw body and rejects a time too far from its clock (replays).
"""

import hashlib
import hmac
import json
import secrets
import time
import uuid

import requests
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from integrations.models import WebhookDelivery, WebhookEndpoint, WebhookEvent
from lean.errors import ApplicationError
from lean.models import Membership
from lean.outbound import PrivateAddress, check_before_call, saved_url_problem
from lean.permissions import require
from lean.tenancy import current_tenant

TIMEOUT_SECONDS = 10
MAX_ATTEMPTS = 8  # with backoff 30 s × 2ⁿ: the last try is about an hour after the first


def sign(secret: str, body: bytes, timestamp: int) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def verify(secret: str, body: bytes, header: str, *, tolerance: int = 300, now: float | None = None) -> bool:
    """What a receiver does (and what the tests and docs/hr_client.py use)."""
    try:
        parts = dict(item.split("=", 1) for item in header.split(","))
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs((time.time() if now is None else now) - timestamp) > tolerance:
        return False
    return hmac.compare_digest(sign(secret, body, timestamp), header)


def _check(url: str, events) -> dict:
    errors = {}
    if not url.startswith(("https://", "http://")):
        errors["url"] = [_("Enter an http(s) URL.")]
    elif problem := saved_url_problem(url):
        errors["url"] = [problem]
    if not events or any(e not in WebhookEvent.values for e in events):
        errors["events"] = [_("Choose at least one event.")]
    return errors


@transaction.atomic
def endpoint_create(*, actor: Membership, url: str, events, description: str = "") -> WebhookEndpoint:
    require(actor, "webhooks.manage", message=_("Only the lean office manages webhooks."))
    errors = _check(url.strip(), events)
    if errors:
        raise ApplicationError(_("Check the highlighted fields."), code="invalid", field_errors=errors)
    endpoint = WebhookEndpoint(
        tenant=current_tenant(),
        url=url.strip(),
        events=list(dict.fromkeys(events)),
        description=description.strip(),
        secret=f"whsec_{secrets.token_urlsafe(32)}",
        created_by=actor,
    )
    endpoint._history_user = actor.user
    endpoint.save()
    return endpoint


@transaction.atomic
def endpoint_set_active(*, actor: Membership, endpoint: WebhookEndpoint, active: bool) -> WebhookEndpoint:
    require(actor, "webhooks.manage", message=_("Only the lean office manages webhooks."))
    endpoint.active = active
    endpoint._history_user = actor.user
    endpoint.save()
    return endpoint


def event_emit(*, event: str, data: dict, event_id: str | None = None) -> list[WebhookDelivery]:
    """One delivery per active endpoint that wants `event`, sent after the surrounding transaction commits.
    `event_id` makes emitting idempotent (the same event twice makes no second delivery)."""
    tenant = current_tenant()
    event_id = event_id or uuid.uuid4().hex
    endpoints = WebhookEndpoint.objects.filter(active=True, events__contains=[event])
    already = set(WebhookDelivery.objects.filter(event_id=event_id).values_list("endpoint_id", flat=True))
    payload = json.loads(
        json.dumps(
            {"id": event_id, "event": event, "created_at": timezone.now(), "tenant": tenant.slug, "data": data},
            cls=DjangoJSONEncoder,
        )
    )
    deliveries = WebhookDelivery.objects.bulk_create(
        [
            WebhookDelivery(tenant=tenant, endpoint=e, event=event, event_id=event_id, payload=payload)
            for e in endpoints
            if e.pk not in already
        ]
    )
    for delivery in deliveries:
        _enqueue(delivery)
    return deliveries


def _enqueue(delivery: WebhookDelivery, countdown: int = 0) -> None:
    from integrations.tasks import deliver_webhook

    tenant_id, delivery_id = delivery.tenant_id, delivery.pk
    transaction.on_commit(lambda: deliver_webhook.apply_async(args=[tenant_id, delivery_id], countdown=countdown))


def delivery_attempt(*, delivery: WebhookDelivery) -> bool:
    """POST the delivery once; record the outcome. True when the receiver answered 2xx."""
    delivery = WebhookDelivery.objects.select_related("endpoint").get(pk=delivery.pk)
    if delivery.status == WebhookDelivery.Status.DELIVERED:
        return True
    body = json.dumps(delivery.payload, ensure_ascii=False, separators=(",", ":")).encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "Lean-Webhooks/1",
        "X-Lean-Event": delivery.event,
        "X-Lean-Delivery": delivery.event_id,
        "X-Lean-Signature": sign(delivery.endpoint.secret, body, int(time.time())),
    }
    delivery.attempts += 1
    delivery.last_attempt_at = timezone.now()
    try:
        check_before_call(delivery.endpoint.url)
        response = requests.post(delivery.endpoint.url, data=body, headers=headers, timeout=TIMEOUT_SECONDS)
        delivery.last_status_code, delivery.last_error = (
            response.status_code,
            "" if response.ok else response.text[:500],
        )
        ok = response.ok
    except (requests.RequestException, PrivateAddress) as error:
        delivery.last_status_code, delivery.last_error, ok = None, str(error)[:500], False
    if ok:
        delivery.status, delivery.delivered_at = WebhookDelivery.Status.DELIVERED, timezone.now()
    elif delivery.attempts >= MAX_ATTEMPTS:
        delivery.status = WebhookDelivery.Status.FAILED
    delivery.save()
    return ok


def backoff_seconds(attempts: int) -> int:
    return min(30 * 2 ** max(attempts - 1, 0), 3600)


@transaction.atomic
def delivery_resend(*, actor: Membership, delivery: WebhookDelivery) -> WebhookDelivery:
    """The lean office sends a delivery again (after fixing the receiver): a fresh round of attempts."""
    require(actor, "webhooks.manage", message=_("Only the lean office manages webhooks."))
    delivery = WebhookDelivery.objects.select_for_update().get(pk=delivery.pk)
    delivery.status, delivery.attempts = WebhookDelivery.Status.PENDING, 0
    delivery.save(update_fields=["status", "attempts"])
    _enqueue(delivery)
    return delivery
