"""The notice-board link of a public listing (创新公示 on a screen): a read-only address that needs no login.

The token reads `bt_<tenant id>_<random>`. Only its SHA-256 is kept on the listing, so the link is shown once,
when it is made; making a new one replaces it and revoking empties it. The tenant id in the token says which
tenant's scope to look the listing up in, so the lookup never crosses tenants.
"""

import hashlib
import re
import secrets

from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from lean.models import Membership, Tenant
from lean.permissions import require
from lean.tenancy import current_tenant, tenant_scope

from .models import Listing

TOKEN = re.compile(r"bt_([1-9][0-9]{0,17})_[A-Za-z0-9_-]{20,100}")


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _require_manager(actor: Membership) -> None:
    require(actor, "innovation.listing.manage", message=_("Only the lean office manages notice-board links."))


@transaction.atomic
def board_token_create(*, actor: Membership, listing: Listing) -> str:
    """Make the listing's notice-board link (replacing any earlier one) and return its token, shown once."""
    _require_manager(actor)
    listing = Listing.objects.select_for_update().get(pk=listing.pk)
    token = f"bt_{current_tenant().pk}_{secrets.token_urlsafe(32)}"
    listing.board_token_digest = _digest(token)
    listing.board_token_created_at = timezone.now()
    listing._history_user = actor.user
    listing.save(update_fields=["board_token_digest", "board_token_created_at"])
    return token


@transaction.atomic
def board_token_revoke(*, actor: Membership, listing: Listing) -> Listing:
    """Stop the listing's notice-board link: its address answers "not found" from now on."""
    _require_manager(actor)
    listing = Listing.objects.select_for_update().get(pk=listing.pk)
    if listing.board_token_digest:
        listing.board_token_digest = ""
        listing.board_token_created_at = None
        listing._history_user = actor.user
        listing.save(update_fields=["board_token_digest", "board_token_created_at"])
    return listing


def board_tenant(token: str) -> Tenant:
    """The active tenant the token names, or Http404 for a malformed token or an unknown or inactive tenant."""
    match = TOKEN.fullmatch(token or "")
    tenant = Tenant.objects.filter(pk=int(match.group(1)), active=True).first() if match else None
    if tenant is None:
        raise Http404
    return tenant


def listing_for_board(token: str) -> Listing:
    """The listing whose notice-board link this is, looked up inside its tenant's scope; Http404 when the token
    is malformed, unknown, revoked or names another tenant. `listing.tenant` is loaded for the caller's scope."""
    tenant = board_tenant(token)
    with tenant_scope(tenant):
        listing = Listing.objects.filter(board_token_digest=_digest(token)).first()
    if listing is None or not listing.board_token_digest:
        raise Http404
    listing.tenant = tenant
    return listing
