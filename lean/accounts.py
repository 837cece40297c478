"""Everyone can sign in: password reset by email, activation links the lean office sends or shows, forced resets.

A person's password belongs to their User, shared by all their tenants; what a tenant's lean office may do to it
is therefore narrow. It never learns or sets a password: it hands the person a link (by email or on screen, as a
QR code) with which they set one themselves. For someone who is also a member of another tenant, the link goes
only by email to the person's own address, so one tenant's office can never take over an account another tenant
relies on.

Tokens are Django's (an HMAC over the user's password hash and last login, so a link stops working once used);
activation links have their own salt and a longer life than reset links.
"""

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.crypto import constant_time_compare
from django.utils.encoding import force_bytes, force_str
from django.utils.http import base36_to_int, urlsafe_base64_decode, urlsafe_base64_encode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from .errors import ApplicationError
from .models import Membership, Tenant
from .permissions import require
from .tenancy import across_tenants, as_user, tenant_scope

# How long an activation link works (seconds): longer than a reset link, since it may be printed or handed over.
ACTIVATION_TIMEOUT = getattr(settings, "LEAN_ACTIVATION_TIMEOUT", 7 * 24 * 3600)


class Delivery:
    EMAIL = "email"
    SCREEN = "screen"
    CHOICES = (EMAIL, SCREEN)


# Audit notes on the member's history (translated where they are shown: {% translate h.history_change_reason %}).
REASON_SENT = gettext_noop("Activation link sent by email")
REASON_SHOWN = gettext_noop("Activation link shown on screen")
REASON_FORCED = gettext_noop("Password reset forced")
REASON_ACTIVATED = gettext_noop("Password set with an activation link")


class ActivationTokenGenerator(PasswordResetTokenGenerator):
    """First-login links: a salt of their own (a reset token is no activation token), valid ACTIVATION_TIMEOUT
    instead of PASSWORD_RESET_TIMEOUT."""

    key_salt = "lean.accounts.ActivationTokenGenerator"

    def check_token(self, user, token):
        if not (user and token):
            return False
        try:
            ts_b36, _hash = token.split("-")
            ts = base36_to_int(ts_b36)
        except ValueError:
            return False
        if not any(
            constant_time_compare(self._make_token_with_timestamp(user, ts, secret), token)
            for secret in [self.secret, *self.secret_fallbacks]
        ):
            return False
        return (self._num_seconds(self._now()) - ts) <= ACTIVATION_TIMEOUT


activation_token_generator = ActivationTokenGenerator()


# --- reset by email ---------------------------------------------------------------------------------------------


@dataclass
class ResetRecipient:
    membership: Membership
    email: str


def password_reset_recipient(*, tenant_slug: str, login: str) -> ResetRecipient | None:
    """Whom a reset request reaches: the active member of the tenant with this employee number, username or email
    address, and the address the mail goes to (the person's own, else the one HR keeps for the membership). None
    when there is no such member or no address; the caller answers the same either way."""
    tenant = Tenant.objects.filter(slug=tenant_slug.strip().lower(), active=True).first()
    login = login.strip()
    if tenant is None or not login:
        return None
    with tenant_scope(tenant):
        by_name = Q(employee_number=login) | Q(user__username=login)
        if "@" in login:
            by_name |= Q(email__iexact=login) | Q(user__email__iexact=login)
        matches = list(
            Membership.objects.select_related("user", "tenant").filter(by_name, active=True, user__is_active=True)[:2]
        )
    if len(matches) != 1:  # an address two people share names nobody
        return None
    membership = matches[0]
    email = membership.user.email or membership.email
    return ResetRecipient(membership=membership, email=email) if email else None


# --- activation links -------------------------------------------------------------------------------------------


def _encode(membership: Membership) -> str:
    return urlsafe_base64_encode(force_bytes(f"{membership.tenant_id}.{membership.pk}"))


def activation_membership(uidb64: str):
    """The tenant and membership an activation link names, or (None, None) for a link that names nothing."""
    try:
        tenant_id, membership_id = (int(part) for part in force_str(urlsafe_base64_decode(uidb64)).split("."))
    except (TypeError, ValueError, OverflowError, UnicodeDecodeError):
        return None, None
    tenant = Tenant.objects.filter(pk=tenant_id, active=True).first()
    if tenant is None:
        return None, None
    with tenant_scope(tenant):
        membership = (
            Membership.objects.select_related("user", "tenant")
            .filter(pk=membership_id, active=True, user__is_active=True)
            .first()
        )
    return (tenant, membership) if membership is not None else (None, None)


def activation_url(*, membership: Membership, base_url: str) -> str:
    path = reverse(
        "activate",
        kwargs={"uidb64": _encode(membership), "token": activation_token_generator.make_token(membership.user)},
    )
    return base_url.rstrip("/") + path


def member_other_tenants(*, membership: Membership) -> int:
    """How many other tenants this person belongs to. Crosses tenants on purpose, seeing only this person's own
    memberships (row-level security's rule for a person's rows)."""
    user = membership.user
    with across_tenants(), as_user(user):
        return Membership.objects.filter(user=user).exclude(tenant_id=membership.tenant_id).count()


@dataclass
class AccessInfo:
    """What the lean office sees of a member's sign-in: whether they have a password, where a link can go."""

    has_password: bool
    email: str
    other_tenants: int

    @property
    def screen_allowed(self) -> bool:
        return self.other_tenants == 0


def member_access(*, membership: Membership) -> AccessInfo:
    user = membership.user
    other = member_other_tenants(membership=membership)
    # Someone the office shares with other tenants is reached only at their own address.
    email = user.email if other else (user.email or membership.email)
    return AccessInfo(has_password=user.has_usable_password(), email=email or "", other_tenants=other)


def _check(actor: Membership, membership: Membership, delivery: str) -> AccessInfo:
    require(actor, "members.access", membership)
    if delivery not in Delivery.CHOICES:
        raise ApplicationError(_("Choose how the link reaches the person."), code="invalid_delivery")
    if not membership.active or not membership.user.is_active:
        raise ApplicationError(_("This member is inactive and cannot sign in."), code="inactive")
    info = member_access(membership=membership)
    if delivery == Delivery.EMAIL and not info.email:
        raise ApplicationError(_("This member has no email address. Show the link on screen instead."), code="no_email")
    if delivery == Delivery.SCREEN and not info.screen_allowed:
        raise ApplicationError(
            _(
                "This person also belongs to another enterprise, so the link can only be sent to their own email "
                "address."
            ),
            code="shared_account",
        )
    return info


def _record(membership: Membership, *, user, reason: str) -> None:
    """One entry in the member's change history, readable by the lean office on the member's page."""
    row = Membership.objects.select_for_update().get(pk=membership.pk)
    row._history_user = user
    row._change_reason = reason
    row.save()


def _send_activation(*, membership: Membership, email: str, url: str, forced: bool) -> None:
    tenant = membership.tenant
    context = {
        "tenant": tenant,
        "membership": membership,
        "user": membership.user,
        "url": url,
        "forced": forced,
        "days": ACTIVATION_TIMEOUT // 86400,
    }
    # In the enterprise's language: the person reads it before they ever chose one.
    with translation.override(tenant.default_language):
        subject = "".join(render_to_string("lean/email/activation_subject.txt", context).splitlines())
        body = render_to_string("lean/email/activation_email.txt", context)
    transaction.on_commit(lambda: send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [email]))


@transaction.atomic
def member_activation_issue(*, actor: Membership, membership: Membership, delivery: str, base_url: str) -> str:
    """The lean office hands a member a link to set their password: mailed to the person, or returned to be shown
    on screen (with a QR code) for someone without email. Recorded in the member's history. Returns the link."""
    info = _check(actor, membership, delivery)
    url = activation_url(membership=membership, base_url=base_url)
    if delivery == Delivery.EMAIL:
        _send_activation(membership=membership, email=info.email, url=url, forced=False)
    _record(membership, user=actor.user, reason=REASON_SENT if delivery == Delivery.EMAIL else REASON_SHOWN)
    return url


@transaction.atomic
def member_password_force_reset(*, actor: Membership, membership: Membership, delivery: str, base_url: str) -> str:
    """The lean office forces a new password: the old one stops working at once, every session of the person ends
    (Django ties a session to the password hash), and the person gets an activation link to choose a new one."""
    if membership.pk == actor.pk:
        raise ApplicationError(
            _("You cannot force a reset of your own password. Change it from your menu instead."), code="self"
        )
    info = _check(actor, membership, delivery)
    user = membership.user
    user.set_unusable_password()
    user.save(update_fields=["password"])
    url = activation_url(membership=membership, base_url=base_url)
    if delivery == Delivery.EMAIL:
        _send_activation(membership=membership, email=info.email, url=url, forced=True)
    _record(membership, user=actor.user, reason=REASON_FORCED)
    _record(membership, user=actor.user, reason=REASON_SENT if delivery == Delivery.EMAIL else REASON_SHOWN)
    return url


@transaction.atomic
def member_activate(*, membership: Membership, form) -> None:
    """The person sets their password with an activation link (a validated SetPasswordForm); the link is spent."""
    form.save()
    _record(membership, user=membership.user, reason=REASON_ACTIVATED)
