"""The lean office's Integrations pages: API keys for machine clients (the HR system) and webhook endpoints
with their delivery log.

A new key's token appears only in the response that created it (never in the session, a message or the
database), so that response is not cached and is not a redirect.
"""

import json

from django.contrib import messages
from django.db.models import Count, OuterRef, Subquery
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import add_never_cache_headers, patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from integrations.forms import ApiKeyForm, DeliveryFilterForm, WebhookEndpointForm
from integrations.models import WebhookDelivery, WebhookEndpoint
from integrations.webhooks import delivery_resend, endpoint_create, endpoint_set_active
from lean.apikeys import api_key_create, api_key_revoke
from lean.errors import ApplicationError, Forbidden
from lean.forms import apply_error, flash_error
from lean.models import ApiKey, ApiScope
from lean.paging import paginate
from lean.permissions import can, require

DELIVERIES_PER_PAGE = 50


def _keys():
    keys = list(ApiKey.objects.select_related("created_by__user", "revoked_by__user").order_by("-created_at", "-id"))
    labels = dict(ApiScope.choices)
    for key in keys:
        key.scope_labels = [(scope, labels.get(scope, scope)) for scope in key.scopes]
    return keys


def _endpoints():
    last = WebhookDelivery.objects.filter(endpoint=OuterRef("pk")).order_by("-created_at", "-id")
    endpoints = list(
        WebhookEndpoint.objects.annotate(
            delivery_count=Count("deliveries"),
            last_status=Subquery(last.values("status")[:1]),
            last_at=Subquery(last.values("created_at")[:1]),
        ).order_by("-created_at", "-id")
    )
    statuses = dict(WebhookDelivery.Status.choices)
    for endpoint in endpoints:
        endpoint.last_status_label = statuses.get(endpoint.last_status, "")
    return endpoints


def integrations_view(request, tenant_slug):
    """API keys and webhook endpoints, each with its create form; POST `form=key` or `form=webhook`."""
    require(request, "apikeys.manage")
    may_webhooks = can(request.membership, "webhooks.manage")
    which = request.POST.get("form") if request.method == "POST" else None
    if which == "webhook" and not may_webhooks:
        raise Forbidden
    key_form = ApiKeyForm(request.POST if which == "key" else None)
    webhook_form = WebhookEndpointForm(request.POST if which == "webhook" else None) if may_webhooks else None
    created = token = None
    status = 200
    if which == "key":
        if key_form.is_valid():
            try:
                created, token = api_key_create(actor=request.membership, **key_form.cleaned_data)
            except ApplicationError as error:
                apply_error(key_form, error)
            else:
                key_form = ApiKeyForm()
        status = 200 if created else 400
    elif which == "webhook":
        if webhook_form.is_valid():
            try:
                endpoint = endpoint_create(actor=request.membership, **webhook_form.cleaned_data)
            except ApplicationError as error:
                apply_error(webhook_form, error)
            else:
                messages.success(request, _("The webhook endpoint was added. Give its secret to the receiver."))
                return redirect("integrations-webhook", tenant_slug=tenant_slug, webhookendpoint_id=endpoint.pk)
        status = 400
    elif request.method == "POST":
        status = 400
    response = render(
        request,
        "lean/integrations.html",
        {
            "keys": _keys(),
            "endpoints": _endpoints() if may_webhooks else None,
            "key_form": key_form,
            "webhook_form": webhook_form,
            "created_key": created,
            "created_token": token,
        },
        status=status,
    )
    add_never_cache_headers(response)
    return response


@require_POST
def key_revoke_view(request, tenant_slug, apikey_id):
    require(request, "apikeys.manage")
    key = get_object_or_404(ApiKey, pk=apikey_id)
    try:
        api_key_revoke(actor=request.membership, key=key)
    except ApplicationError as error:
        flash_error(request, error)
    else:
        messages.success(request, _("The API key %(name)s was revoked; it stops working now.") % {"name": key.name})
    return redirect("integrations", tenant_slug=tenant_slug)


def webhook_view(request, tenant_slug, webhookendpoint_id):
    """One endpoint: its settings and secret, and its delivery log (filtered by status, 50 a page)."""
    require(request, "webhooks.manage")
    endpoint = get_object_or_404(WebhookEndpoint, pk=webhookendpoint_id)
    form = DeliveryFilterForm(request.GET or None)
    status = form.cleaned_data.get("status") if form.is_valid() else ""
    deliveries = WebhookDelivery.objects.filter(endpoint=endpoint).order_by("-created_at", "-id")
    if status:
        deliveries = deliveries.filter(status=status)
    page, query = paginate(request, deliveries, DELIVERIES_PER_PAGE)
    for delivery in page:
        delivery.payload_text = json.dumps(delivery.payload, indent=2, ensure_ascii=False)
    template = "lean/webhook.html#delivery-log" if request.htmx else "lean/webhook.html"
    response = render(
        request, template, {"endpoint": endpoint, "form": form, "status": status, "page": page, "query": query}
    )
    patch_vary_headers(response, ["HX-Request"])
    return response


@require_POST
def webhook_toggle_view(request, tenant_slug, webhookendpoint_id):
    require(request, "webhooks.manage")
    endpoint = get_object_or_404(WebhookEndpoint, pk=webhookendpoint_id)
    try:
        endpoint = endpoint_set_active(actor=request.membership, endpoint=endpoint, active=not endpoint.active)
    except ApplicationError as error:
        flash_error(request, error)
    else:
        if endpoint.active:
            messages.success(request, _("The endpoint receives events again."))
        else:
            messages.success(request, _("The endpoint is paused: no new events are sent to it."))
    return redirect("integrations-webhook", tenant_slug=tenant_slug, webhookendpoint_id=endpoint.pk)


@require_POST
def delivery_resend_view(request, tenant_slug, webhookdelivery_id):
    require(request, "webhooks.manage")
    delivery = get_object_or_404(WebhookDelivery, pk=webhookdelivery_id)
    try:
        delivery_resend(actor=request.membership, delivery=delivery)
    except ApplicationError as error:
        flash_error(request, error)
    else:
        messages.success(request, _("The delivery %(id)s is queued to be sent again.") % {"id": delivery.event_id})
    response = redirect("integrations-webhook", tenant_slug=tenant_slug, webhookendpoint_id=delivery.endpoint_id)
    back_to = request.POST.get("status", "")
    if back_to in WebhookDelivery.Status.values:
        response["Location"] += f"?status={back_to}"
    return response
