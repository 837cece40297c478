"""The notice-board link of a public listing: the lean office makes (shown once) and revokes it; the public
read-only page answers the token, without login, for a screen in the workshop."""

from django.conf import settings
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from lean.errors import ApplicationError
from lean.forms import flash_error
from lean.permissions import require
from lean.tenancy import tenant_scope

from .. import selectors
from ..board import board_token_create, board_token_revoke, listing_for_board
from ..models import Listing

REFRESH_SECONDS = 300


def _listing(request, listing_id):
    listing = get_object_or_404(Listing, pk=listing_id)
    require(request, "innovation.listing.manage")
    return listing


@require_POST
def board_create_view(request, tenant_slug, listing_id):
    """Make (or replace) the link and show it once: a page of its own, not cached and not a redirect."""
    listing = _listing(request, listing_id)
    try:
        token = board_token_create(actor=request.membership, listing=listing)
    except ApplicationError as error:
        flash_error(request, error)
        return redirect("innovation-listing", tenant_slug=tenant_slug, listing_id=listing.pk)
    url = request.build_absolute_uri(reverse("innovation-board", kwargs={"token": token}))
    response = render(request, "innovation/board_created.html", {"listing": listing, "board_url": url})
    add_never_cache_headers(response)
    return response


@require_POST
def board_revoke_view(request, tenant_slug, listing_id):
    listing = _listing(request, listing_id)
    try:
        board_token_revoke(actor=request.membership, listing=listing)
    except ApplicationError as error:
        flash_error(request, error)
    else:
        messages.success(request, _("The notice-board link is revoked: its address shows nothing from now on."))
    return redirect("innovation-listing", tenant_slug=tenant_slug, listing_id=listing.pk)


@require_GET
def board_view(request, token):
    """The public, read-only listing for a notice-board screen: no login, large type, refreshed every five
    minutes. It answers only the listing of its token; a wrong or revoked token is "not found"."""
    listing = listing_for_board(token)
    tenant = listing.tenant
    language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) or tenant.default_language
    with tenant_scope(tenant), timezone.override(tenant.time_zone), translation.override(language):
        rows = list(selectors.listing_rows(listing=listing))
        for row in rows:
            row.people = list(row.credits.all())
        now = timezone.now()
        context = {
            "board_tenant": tenant,
            "listing": listing,
            "rows": rows,
            "summary": selectors.listing_summary(listing=listing),
            "window_open": listing.state == Listing.State.OPEN and now < listing.closes_at,
            "now": now,
            "refresh_seconds": REFRESH_SECONDS,
        }
        response = render(request, "innovation/board.html", context)
    add_never_cache_headers(response)
    # The token is in the address: keep it out of referrers and search engines.
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response
