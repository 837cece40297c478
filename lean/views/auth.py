"""Sign-in, sign-out, the tenant switcher, and the lock-out page."""

from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from ..auth import tenant_login_name
from ..forms import LoginForm
from ..middleware import tenant_public
from ..selectors import user_tenants
from ..sso import sso_settings_enabled


def _safe_next(request, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return fallback


@sensitive_post_parameters("password")
def _login(request, fixed_tenant=None):
    form = LoginForm(request.POST or None, fixed_tenant=fixed_tenant)
    if request.method == "POST" and form.is_valid():
        slug = form.tenant_slug()
        user = authenticate(
            request,
            username=tenant_login_name(slug, form.cleaned_data["login"]),
            password=form.cleaned_data["password"],
        )
        if getattr(request, "axes_locked_out", False):
            return locked_out(request)
        if user is not None:
            login(request, user, backend="lean.auth.TenantLoginBackend")
            return HttpResponseRedirect(_safe_next(request, reverse("home", kwargs={"tenant_slug": slug.lower()})))
        form.add_error(None, _("The enterprise code, employee number or password is not correct."))
    return render(
        request,
        "lean/login.html",
        {
            "form": form,
            "login_tenant": fixed_tenant,
            "next": request.GET.get("next", ""),
            # The tenant's single sign-on button (lean/sso.py), read inside the tenant scope the URL set.
            "sso": sso_settings_enabled() if fixed_tenant else None,
        },
        status=200 if request.method == "GET" or form.is_valid() else 400,
    )


def login_view(request):
    return _login(request)


@tenant_public
def tenant_login_view(request, tenant_slug):
    if request.membership is not None:
        return HttpResponseRedirect(reverse("home", kwargs={"tenant_slug": tenant_slug}))
    return _login(request, fixed_tenant=request.tenant)


@require_POST
def logout_view(request):
    logout(request)
    messages.info(request, _("You have signed out."))
    return HttpResponseRedirect(reverse("login"))


@login_required
def tenant_list_view(request):
    memberships = user_tenants(user=request.user)
    if len(memberships) == 1 and request.GET.get("choose") is None:
        return HttpResponseRedirect(reverse("home", kwargs={"tenant_slug": memberships[0].tenant.slug}))
    return render(request, "lean/tenant_list.html", {"memberships": memberships})


def locked_out(request, credentials=None, *args, **kwargs):
    """Shown instead of the login form after too many failed attempts for one account from one address."""
    return render(request, "lean/locked_out.html", status=429)


def root_view(request):
    if request.user.is_authenticated:
        return HttpResponseRedirect(reverse("tenant-list"))
    return HttpResponseRedirect(reverse("login"))
