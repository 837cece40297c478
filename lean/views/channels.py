"""The lean office's notification channels: WeCom and DingTalk group robots, their test message and the
delivery log. Email stays configured by the environment; in-app notifications need no setting."""

from django.conf import settings
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ..channels.selectors import channel_list, delivery_list
from ..channels.services import channel_create, channel_set_active, channel_test, channel_update
from ..errors import ApplicationError
from ..forms import apply_error, flash_error
from ..forms_channels import ChannelDeliveryFilterForm, ChannelForm
from ..models import ChannelDelivery, NotificationChannel
from ..paging import paginate
from ..permissions import require

RECENT_DELIVERIES = 20
DELIVERIES_PER_PAGE = 50


def channels_view(request, tenant_slug):
    """The channels with their last outcome, the add form, and the recent deliveries of all channels."""
    require(request, "channels.manage")
    form = ChannelForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if k != "clear_secret"}
            try:
                channel = channel_create(actor=request.membership, **data)
            except ApplicationError as error:
                apply_error(form, error)
            else:
                messages.success(
                    request,
                    _("The channel %(name)s was added. Send a test message to check it.") % {"name": channel.name},
                )
                return redirect("integrations-channel", tenant_slug=tenant_slug, notificationchannel_id=channel.pk)
        status = 400
    return render(
        request,
        "lean/channels.html",
        {
            "channels": channel_list(),
            "form": form,
            "recent": list(delivery_list()[:RECENT_DELIVERIES]),
            "email_configured": bool(settings.EMAIL_HOST),
        },
        status=status,
    )


def channel_view(request, tenant_slug, notificationchannel_id):
    """One channel: its settings (POST to change them), pause/resume, the test button and its delivery log."""
    require(request, "channels.manage")
    channel = get_object_or_404(NotificationChannel.objects.select_related("unit"), pk=notificationchannel_id)
    form = ChannelForm(
        request.POST if request.method == "POST" else None,
        channel=channel,
        initial={"name": channel.name, "webhook_url": channel.webhook_url, "unit": channel.unit},
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                channel_update(actor=request.membership, channel=channel, **form.cleaned_data)
            except ApplicationError as error:
                apply_error(form, error)
            else:
                messages.success(request, _("The channel was saved."))
                return redirect("integrations-channel", tenant_slug=tenant_slug, notificationchannel_id=channel.pk)
        status = 400
        channel.refresh_from_db()
    log_filter = ChannelDeliveryFilterForm(request.GET or None)
    shown = log_filter.cleaned_data.get("status") if log_filter.is_valid() else ""
    page, query = paginate(request, delivery_list(channel=channel, status=shown), DELIVERIES_PER_PAGE)
    template = "lean/channels_detail.html#delivery-log" if request.htmx else "lean/channels_detail.html"
    response = render(
        request,
        template,
        {"channel": channel, "form": form, "log_filter": log_filter, "status": shown, "page": page, "query": query},
        status=status,
    )
    patch_vary_headers(response, ["HX-Request"])
    return response


@require_POST
def channel_toggle_view(request, tenant_slug, notificationchannel_id):
    require(request, "channels.manage")
    channel = get_object_or_404(NotificationChannel, pk=notificationchannel_id)
    try:
        channel = channel_set_active(actor=request.membership, channel=channel, active=not channel.active)
    except ApplicationError as error:
        flash_error(request, error)
    else:
        if channel.active:
            messages.success(request, _("The channel receives notifications again."))
        else:
            messages.success(request, _("The channel is paused: no notification is posted to it."))
    return redirect("integrations-channel", tenant_slug=tenant_slug, notificationchannel_id=channel.pk)


@require_POST
def channel_test_view(request, tenant_slug, notificationchannel_id):
    """Post a test message now and say how the robot answered."""
    require(request, "channels.manage")
    channel = get_object_or_404(NotificationChannel, pk=notificationchannel_id)
    try:
        delivery = channel_test(actor=request.membership, channel=channel)
    except ApplicationError as error:
        flash_error(request, error)
    else:
        if delivery.status == ChannelDelivery.Status.SENT:
            messages.success(request, _("The test message was posted. Look for it in the group chat."))
        else:
            messages.error(request, _("The robot did not take the test message: %(error)s") % {"error": delivery.error})
    return redirect("integrations-channel", tenant_slug=tenant_slug, notificationchannel_id=channel.pk)
