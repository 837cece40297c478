"""Single sign-on pages: the lean office's settings, and the sign-in through the tenant's OpenID Connect provider
(`/t/<tenant>/sso/login/` → the provider → `/t/<tenant>/sso/callback/`)."""

from django.contrib import messages
from django.contrib.auth import login
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from lean.forms import apply_error
from lean.forms_sso import SsoSettingsForm
from lean.middleware import tenant_public
from lean.permissions import require

from ..errors import ApplicationError
from ..sso import (
    SsoRefused,
    discovery_url,
    sso_begin,
    sso_check,
    sso_complete,
    sso_next_url,
    sso_settings_enabled,
    sso_settings_get,
    sso_settings_update,
)

INITIAL = {"scopes": "openid profile", "employee_number_claim": "employee_number"}


def _callback_url(request, tenant_slug: str) -> str:
    return request.build_absolute_uri(reverse("sso-callback", kwargs={"tenant_slug": tenant_slug}))


def sso_settings_view(request, tenant_slug):
    """The tenant's provider: POST `action=save` stores the settings, `action=test` reads the provider's
    discovery document as a sign-in would and shows what it found."""
    require(request, "sso.manage")
    config = sso_settings_get()
    initial = (
        {
            "enabled": config.enabled,
            "button_label": config.button_label,
            "issuer": config.issuer,
            "client_id": config.client_id,
            "scopes": config.scopes,
            "employee_number_claim": config.employee_number_claim,
        }
        if config
        else INITIAL
    )
    has_secret = bool(config and config.client_secret)
    action = request.POST.get("action") if request.method == "POST" else None
    form = SsoSettingsForm(request.POST if action == "save" else None, initial=initial, has_secret=has_secret)
    check = check_error = None
    status = 200
    if action == "save":
        if form.is_valid():
            try:
                config = sso_settings_update(actor=request.membership, **form.cleaned_data)
            except ApplicationError as error:
                apply_error(form, error)
            else:
                if config.enabled:
                    messages.success(request, _("Single sign-on is saved and on: the sign-in page shows its button."))
                else:
                    messages.success(request, _("Single sign-on is saved and off."))
                return redirect("sso-settings", tenant_slug=tenant_slug)
        status = 400
    elif action == "test":
        if config is None or not config.issuer:
            check_error = _("Save the issuer URL first.")
        else:
            try:
                check = sso_check(config=config)
            except SsoRefused as error:
                check_error = error.message
        status = 200 if check else 400
    elif request.method == "POST":
        status = 400
    response = render(
        request,
        "lean/sso_settings.html",
        {
            "form": form,
            "config": config,
            "has_secret": has_secret,
            "callback_url": _callback_url(request, tenant_slug),
            "discovery": discovery_url(config.issuer) if config and config.issuer else "",
            "check": check,
            "check_error": check_error,
        },
        status=status,
    )
    add_never_cache_headers(response)
    return response


def _refused(request, error: SsoRefused):
    return render(request, "lean/sso_error.html", {"message": error.message, "code": error.code}, status=error.status)


@tenant_public
@never_cache
@require_GET
def sso_login_view(request, tenant_slug):
    config = sso_settings_enabled()
    if config is None:
        raise Http404
    if request.membership is not None:
        return HttpResponseRedirect(reverse("home", kwargs={"tenant_slug": tenant_slug}))
    next_url = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        next_url = ""
    try:
        return sso_begin(
            request=request, config=config, redirect_uri=_callback_url(request, tenant_slug), next_url=next_url
        )
    except SsoRefused as error:
        return _refused(request, error)


@tenant_public
@never_cache
@require_GET
def sso_callback_view(request, tenant_slug):
    config = sso_settings_enabled()
    if config is None:
        raise Http404
    try:
        membership = sso_complete(request=request, config=config)
    except SsoRefused as error:
        return _refused(request, error)
    next_url = sso_next_url(request=request, config=config)
    # No authenticate(): the provider vouched for the person, so django-axes neither throttles nor counts this
    # sign-in (a password lock-out does not block it); its user_logged_in handler still writes the access log.
    # The session remembers the tenant backend, whose get_user serves the following requests.
    login(request, membership.user, backend="lean.auth.TenantLoginBackend")
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        next_url = ""
    return HttpResponseRedirect(next_url or reverse("home", kwargs={"tenant_slug": tenant_slug}))
