"""The tenant's group-robot channels: configure them, queue notifications for them, deliver and log.

`deliveries_queue` is what `lean.notify.notify_each` calls: a bounded number of queries whatever the number of
recipients (the active channels; the recipients' unit paths when a channel is unit-scoped; one insert), and the
posting itself happens in `lean.deliver_channel_message` after commit.
"""

import logging
from urllib.parse import parse_qs, urlsplit

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..errors import ApplicationError
from ..models import ChannelDelivery, Membership, NotificationChannel, Unit
from ..outbound import saved_url_problem
from ..permissions import require
from ..tenancy import current_tenant
from .base import DeliveryError
from .robots import markdown_text, robot_for

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 6  # with backoff 30 s × 2ⁿ: the last try is about 16 minutes after the first


def _require(actor: Membership) -> None:
    require(actor, "channels.manage", message=_("Only the lean office manages notification channels."))


def _check(*, kind: str, name: str, webhook_url: str, channel: NotificationChannel | None = None) -> dict:
    errors = {}
    if kind not in NotificationChannel.Kind.values:
        errors["kind"] = [_("Choose WeCom or DingTalk.")]
    if not name:
        errors["name"] = [_("Give the channel a name.")]
    elif NotificationChannel.objects.filter(name=name).exclude(pk=getattr(channel, "pk", None)).exists():
        errors["name"] = [_("Another channel already has this name.")]
    parts = urlsplit(webhook_url)
    query = parse_qs(parts.query)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        errors["webhook_url"] = [_("Enter an http(s) URL.")]
    elif problem := saved_url_problem(webhook_url):
        errors["webhook_url"] = [problem]
    elif kind == NotificationChannel.Kind.WECOM and not query.get("key", [""])[0]:
        errors["webhook_url"] = [_("A WeCom robot's webhook URL carries its key: …/webhook/send?key=…")]
    elif kind == NotificationChannel.Kind.DINGTALK and not query.get("access_token", [""])[0]:
        errors["webhook_url"] = [_("A DingTalk robot's webhook URL carries its token: …/robot/send?access_token=…")]
    return errors


def _invalid(errors: dict):
    return ApplicationError(_("Check the highlighted fields."), code="invalid", field_errors=errors)


@transaction.atomic
def channel_create(
    *, actor: Membership, kind: str, name: str, webhook_url: str, secret: str = "", unit: Unit | None = None
) -> NotificationChannel:
    """A new channel, active at once. WeCom robots take no secret; a DingTalk robot's signing secret is optional
    (the robot may be secured by keywords or addresses instead)."""
    _require(actor)
    name, webhook_url, secret = name.strip(), webhook_url.strip(), secret.strip()
    errors = _check(kind=kind, name=name, webhook_url=webhook_url)
    if errors:
        raise _invalid(errors)
    channel = NotificationChannel(
        tenant=current_tenant(),
        kind=kind,
        name=name,
        webhook_url=webhook_url,
        secret=secret if kind == NotificationChannel.Kind.DINGTALK else "",
        unit=unit,
        created_by=actor,
    )
    channel._history_user = actor.user
    channel.save()
    return channel


@transaction.atomic
def channel_update(
    *,
    actor: Membership,
    channel: NotificationChannel,
    name: str,
    webhook_url: str,
    unit: Unit | None = None,
    secret: str = "",
    clear_secret: bool = False,
) -> NotificationChannel:
    """Change a channel's name, address or unit. The secret is write-only: blank keeps the current one."""
    _require(actor)
    channel = NotificationChannel.objects.select_for_update().get(pk=channel.pk)
    name, webhook_url, secret = name.strip(), webhook_url.strip(), secret.strip()
    errors = _check(kind=channel.kind, name=name, webhook_url=webhook_url, channel=channel)
    if errors:
        raise _invalid(errors)
    channel.name, channel.webhook_url, channel.unit = name, webhook_url, unit
    if channel.kind == NotificationChannel.Kind.DINGTALK:
        if secret:
            channel.secret = secret
        elif clear_secret:
            channel.secret = ""
    channel._history_user = actor.user
    channel.save()
    return channel


@transaction.atomic
def channel_set_active(*, actor: Membership, channel: NotificationChannel, active: bool) -> NotificationChannel:
    _require(actor)
    channel.active = active
    channel._history_user = actor.user
    channel.save(update_fields=["active"])
    return channel


def channel_test(*, actor: Membership, channel: NotificationChannel) -> ChannelDelivery:
    """Post a test message now (the lean office waits for the answer) and log it; never retried."""
    _require(actor)
    title = _("Test message from Lean")
    text = _("%(name)s sent this to check the channel “%(channel)s”. If you read it, the channel works.") % {
        "name": actor.user.display_name,
        "channel": channel.name,
    }
    delivery = ChannelDelivery.objects.create(
        tenant=current_tenant(), channel=channel, title=title, text=text, is_test=True
    )
    _attempt(delivery, channel, final=True)
    return delivery


def _recipients_in(channel: NotificationChannel, recipients, paths: dict) -> bool:
    if channel.unit_id is None:
        return True
    return any(paths.get(m.unit_id, "").startswith(channel.unit.path) for m in recipients)


def deliveries_queue(messages) -> list[ChannelDelivery]:
    """One delivery per (message, active channel that wants it), posted after commit by a task. A unit-scoped
    channel wants a message when one of its recipients belongs to the unit's subtree."""
    messages = [msg for msg in messages if msg.recipients]
    if not messages:
        return []
    channels = list(NotificationChannel.objects.filter(active=True).select_related("unit").order_by("pk"))
    if not channels:
        return []
    paths = {}
    if any(c.unit_id for c in channels):
        unit_ids = {m.unit_id for msg in messages for m in msg.recipients}
        paths = dict(Unit.objects.filter(pk__in=unit_ids).values_list("pk", "path"))
    tenant = current_tenant()
    deliveries = ChannelDelivery.objects.bulk_create(
        [
            ChannelDelivery(
                tenant=tenant, channel=channel, title=msg.title[:200], text=markdown_text(msg.body, msg.url)
            )
            for msg in messages
            for channel in channels
            if _recipients_in(channel, msg.recipients, paths)
        ]
    )
    if deliveries:
        ids, tenant_id = [d.pk for d in deliveries], tenant.pk
        transaction.on_commit(lambda: _enqueue(tenant_id, ids))
    return deliveries


def _enqueue(tenant_id: int, delivery_ids, countdown: int = 0) -> None:
    from ..tasks import deliver_channel_message

    for delivery_id in delivery_ids:
        try:
            deliver_channel_message.apply_async(args=[tenant_id, delivery_id], countdown=countdown)
        except Exception:  # the broker is down: the delivery stays pending in the log, the request goes on
            logger.exception("queueing channel delivery %s of tenant %s failed", delivery_id, tenant_id)


def _attempt(delivery: ChannelDelivery, channel: NotificationChannel, *, final: bool) -> bool:
    delivery.attempts += 1
    delivery.last_attempt_at = timezone.now()
    try:
        robot_for(channel).post(delivery.title, delivery.text)
    except DeliveryError as error:
        delivery.error = str(error)[:500] or _("No answer")
        if final or delivery.attempts >= MAX_ATTEMPTS:
            delivery.status = ChannelDelivery.Status.FAILED
        delivery.save()
        return False
    delivery.status, delivery.sent_at, delivery.error = ChannelDelivery.Status.SENT, timezone.now(), ""
    delivery.save()
    return True


def delivery_attempt(*, delivery: ChannelDelivery) -> bool:
    """Post a queued delivery once and log the outcome; True when the robot took it. A paused or deleted
    channel is not posted to (the delivery fails with that reason)."""
    delivery = ChannelDelivery.objects.select_related("channel").get(pk=delivery.pk)
    if delivery.status == ChannelDelivery.Status.SENT:
        return True
    if delivery.status == ChannelDelivery.Status.FAILED:
        return False
    if not delivery.channel.active:
        delivery.status, delivery.error = ChannelDelivery.Status.FAILED, _("The channel is paused.")
        delivery.save(update_fields=["status", "error"])
        return False
    return _attempt(delivery, delivery.channel, final=False)


def backoff_seconds(attempts: int) -> int:
    return min(30 * 2 ** max(attempts - 1, 0), 3600)
