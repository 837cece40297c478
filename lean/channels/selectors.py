"""Reads of the channels pages: the channels with their last outcome, and the delivery log."""

from django.db.models import Count, OuterRef, Q, Subquery

from ..models import ChannelDelivery, NotificationChannel


def channel_list():
    """Every channel of the tenant with its unit, counts of sent and failed deliveries and the last outcome:
    one query whatever the number of channels and deliveries."""
    last = ChannelDelivery.objects.filter(channel=OuterRef("pk")).order_by("-created_at", "-id")
    return list(
        NotificationChannel.objects.select_related("unit")
        .annotate(
            sent_count=Count("deliveries", filter=Q(deliveries__status=ChannelDelivery.Status.SENT)),
            failed_count=Count("deliveries", filter=Q(deliveries__status=ChannelDelivery.Status.FAILED)),
            last_status=Subquery(last.values("status")[:1]),
            last_at=Subquery(last.values("created_at")[:1]),
        )
        .order_by("name", "id")
    )


def delivery_list(*, channel: NotificationChannel | None = None, status: str = ""):
    """The delivery log, newest first, with each delivery's channel."""
    deliveries = ChannelDelivery.objects.select_related("channel").order_by("-created_at", "-id")
    if channel is not None:
        deliveries = deliveries.filter(channel=channel)
    if status:
        deliveries = deliveries.filter(status=status)
    return deliveries
