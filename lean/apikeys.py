"""API keys: create (shown once), revoke, and authenticate a request's key for the tenant of its URL.

A key reads `lk_<tenant id>_<random>`. The tenant id in it lets a request with another tenant's key be told
"not found" without looking anything up across tenants; the lookup itself runs inside the URL's tenant scope.
"""

import hashlib
import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .errors import ApplicationError
from .models import ApiKey, ApiScope, Membership
from .permissions import require
from .tenancy import current_tenant

# last_used_at is written at most this often per key, so a busy client does not write on every request.
LAST_USED_EVERY = timedelta(minutes=1)


class KeyRefused(Exception):
    """The key is malformed, unknown, revoked, or its member left: 401. `other_tenant`: 404 instead."""

    def __init__(self, code: str, other_tenant: bool = False):
        super().__init__(code)
        self.code = code
        self.other_tenant = other_tenant


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def api_key_create(*, actor: Membership, name: str, scopes) -> tuple[ApiKey, str]:
    """Make a key; return it and the token, which is shown once and never stored."""
    require(actor, "apikeys.manage", message=_("Only the lean office manages API keys."))
    scopes = list(dict.fromkeys(scopes))
    errors = {}
    if not name.strip():
        errors["name"] = [_("Required.")]
    unknown = [s for s in scopes if s not in ApiScope.values]
    if unknown or not scopes:
        errors["scopes"] = [
            _("Choose at least one scope.") if not scopes else _("Unknown scope: %(s)s") % {"s": ", ".join(unknown)}
        ]
    if errors:
        raise ApplicationError(_("Check the highlighted fields."), code="invalid", field_errors=errors)
    tenant = current_tenant()
    prefix = f"lk_{tenant.pk}_{secrets.token_hex(4)}"
    token = f"{prefix}_{secrets.token_urlsafe(32)}"
    key = ApiKey(
        tenant=tenant, name=name.strip(), prefix=prefix, digest=_digest(token), scopes=scopes, created_by=actor
    )
    key._history_user = actor.user
    key.save()
    return key, token


@transaction.atomic
def api_key_revoke(*, actor: Membership, key: ApiKey) -> ApiKey:
    require(actor, "apikeys.manage", message=_("Only the lean office manages API keys."))
    key = ApiKey.objects.select_for_update().get(pk=key.pk)
    if key.revoked_at is None:
        key.revoked_at, key.revoked_by = timezone.now(), actor
        key._history_user = actor.user
        key.save()
    return key


def token_from_header(value: str) -> str | None:
    scheme, _sep, token = (value or "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip().startswith("lk_") else None


def api_key_authenticate(token: str, tenant) -> ApiKey:
    """The active key `token` names in `tenant` (whose scope is active), with the member it acts for."""
    parts = token.split("_")
    if len(parts) < 4 or not parts[1].isdigit():
        raise KeyRefused("invalid_key")
    if int(parts[1]) != tenant.pk:
        raise KeyRefused("invalid_key", other_tenant=True)
    prefix = "_".join(parts[:3])
    key = ApiKey.objects.select_related("created_by__user", "created_by__unit").filter(prefix=prefix).first()
    if key is None or not secrets.compare_digest(key.digest, _digest(token)):
        raise KeyRefused("invalid_key")
    if key.revoked_at is not None:
        raise KeyRefused("revoked_key")
    if not key.created_by.active:
        raise KeyRefused("inactive_key")
    now = timezone.now()
    if key.last_used_at is None or now - key.last_used_at > LAST_USED_EVERY:
        # The row stays locked until the request ends: a parallel request with the same key skips the write
        # instead of queueing behind the whole request.
        if ApiKey.objects.filter(pk=key.pk).select_for_update(skip_locked=True).values_list("pk"):
            ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
        key.last_used_at = now
    return key


def scope_for(view, method: str) -> str:
    """The scope an operation needs: the view's `api_scope` area (else its app: lean's own API is HR's),
    read for safe methods, write otherwise."""
    area = getattr(view, "api_scope", None) or type(view).__module__.split(".")[0]
    area = "hr" if area == "lean" else area
    return f"{area}:{'read' if method in ('GET', 'HEAD', 'OPTIONS') else 'write'}"
