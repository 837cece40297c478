"""Passwords: change, reset by email, the activation link that sets a first password, and the lean office's pages
that hand out activation links or force a reset. Django's own auth views, thinly adapted to tenants."""

import segno
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from ..accounts import (
    ACTIVATION_TIMEOUT,
    Delivery,
    activation_membership,
    activation_token_generator,
    member_access,
    member_activate,
    member_activation_issue,
    member_password_force_reset,
)
from ..errors import ApplicationError
from ..forms import apply_error
from ..forms_accounts import DeliveryForm, TenantPasswordResetForm
from ..permissions import require
from ..selectors import member_get
from ..tenancy import tenant_scope


class PasswordResetView(auth_views.PasswordResetView):
    """Asks for the enterprise code and employee number or email; the answer never says whether they exist."""

    form_class = TenantPasswordResetForm
    email_template_name = "registration/password_reset_email.txt"

    def get_initial(self):
        # Only a convenience from the tenant's login page; the form still takes the code the person submits.
        return {"tenant": self.request.GET.get("tenant", "")[:60]}


class ActivateView(auth_views.PasswordResetConfirmView):
    """The activation (first-login) link: the person sets their password and is signed in to the link's tenant.

    The link names the tenant and the membership; everything below runs inside that tenant's scope. Like Django's
    reset link, the token moves into the session and out of the address before the form is shown.
    """

    template_name = "lean/activate.html"
    token_generator = activation_token_generator
    reset_url_token = "set-password"

    def dispatch(self, request, *args, **kwargs):
        self.tenant, self.membership = activation_membership(kwargs.get("uidb64", ""))
        if self.tenant is None:
            return super().dispatch(request, *args, **kwargs)
        with tenant_scope(self.tenant):
            return super().dispatch(request, *args, **kwargs)

    def get_user(self, uidb64):
        return self.membership.user if self.membership is not None else None

    def form_valid(self, form):
        member_activate(membership=self.membership, form=form)
        del self.request.session[auth_views.INTERNAL_RESET_SESSION_TOKEN]
        login(self.request, form.user, backend="lean.auth.TenantLoginBackend")
        messages.success(self.request, _("Your password is set. Welcome!"))
        return redirect("home", tenant_slug=self.tenant.slug)

    def get_context_data(self, **kwargs):
        return super().get_context_data(membership=self.membership, login_tenant=self.tenant, **kwargs)


def _base_url(request) -> str:
    return request.build_absolute_uri("/")


def _qr_svg(url: str) -> str:
    return mark_safe(segno.make(url, error="m").svg_inline(scale=6, border=2, title=""))  # noqa: S308 (segno's SVG)


def _link_page(request, membership, url, *, forced):
    """The link on screen, once, with its QR code: not cached, not a redirect, never stored in a message."""
    response = render(
        request,
        "lean/member_activation_link.html",
        {
            "membership": membership,
            "url": url,
            "qr_svg": _qr_svg(url),
            "forced": forced,
            "days": ACTIVATION_TIMEOUT // 86400,
        },
    )
    add_never_cache_headers(response)
    return response


def _access_view(request, tenant_slug, membership_id, *, forced):
    membership = member_get(viewer=request.membership, membership_id=membership_id)
    require(request, "members.access", membership)
    access = member_access(membership=membership)
    form = DeliveryForm(request.POST if request.method == "POST" else None, access=access)
    if request.method == "POST" and form.is_valid():
        delivery = form.cleaned_data["delivery"]
        service = member_password_force_reset if forced else member_activation_issue
        try:
            url = service(
                actor=request.membership, membership=membership, delivery=delivery, base_url=_base_url(request)
            )
        except ApplicationError as error:
            apply_error(form, error)
        else:
            if delivery == Delivery.SCREEN:
                return _link_page(request, membership, url, forced=forced)
            messages.success(
                request,
                _("The password was reset and an activation link was sent to %(email)s.") % {"email": access.email}
                if forced
                else _("An activation link was sent to %(email)s.") % {"email": access.email},
            )
            return redirect("member-detail", tenant_slug=tenant_slug, membership_id=membership.pk)
    return render(
        request,
        "lean/member_access.html",
        {"membership": membership, "access": access, "form": form, "forced": forced},
        status=400 if request.method == "POST" else 200,
    )


def member_activation_view(request, tenant_slug, membership_id):
    """The lean office sends a member an activation link by email, or shows it on screen with a QR code."""
    return _access_view(request, tenant_slug, membership_id, forced=False)


def member_force_reset_view(request, tenant_slug, membership_id):
    """The lean office forces a new password: the old one and every session end, and an activation link goes out."""
    return _access_view(request, tenant_slug, membership_id, forced=True)
