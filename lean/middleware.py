"""The door for pages: the tenant comes from the URL (`/t/<tenant_slug>/…`) and nowhere else."""

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import RequestDataTooBig
from django.db import transaction
from django.http import Http404, JsonResponse
from django.urls import Resolver404, resolve
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from . import versioned_cache
from .apikeys import KeyRefused, api_key_authenticate, token_from_header
from .models import Membership, Tenant
from .tenancy import tenant_scope

SUPPORTED_LANGUAGES = {code for code, _name in settings.LANGUAGES}


def _cookie_language(request):
    code = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    return code if code in SUPPORTED_LANGUAGES else None


class LanguageMiddleware:
    """Chinese by default; the person's choice (cookie) wins, then the tenant's default (TenantMiddleware).

    The browser's Accept-Language is deliberately ignored: the product's default is Simplified Chinese.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = _cookie_language(request) or settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", translation.get_language())
        patch_vary = response.headers.get("Vary", "")
        if "Cookie" not in patch_vary:
            response.headers["Vary"] = f"{patch_vary}, Cookie" if patch_vary else "Cookie"
        translation.deactivate()
        return response


def _authenticate_key(request, tenant):
    """An API request with `Authorization: Bearer <key>`: the key decides who acts (the tenant still comes
    from the URL). Another tenant's key is "not found"; a bad, revoked or orphaned key answers 401."""
    token = token_from_header(request.META["HTTP_AUTHORIZATION"])
    if token is None:
        return _json_error(401, "invalid_key", _("Send the API key as 'Authorization: Bearer <key>'."))
    try:
        key = api_key_authenticate(token, tenant)
    except KeyRefused as refused:
        if refused.other_tenant:
            raise Http404 from None
        return _json_error(401, refused.code, _("The API key is not valid (wrong, revoked, or its owner left)."))
    request.api_key, request.membership = key, key.created_by
    return None


def _json_error(status, code, message):
    response = JsonResponse({"code": code, "message": str(message), "field_errors": {}}, status=status)
    response["WWW-Authenticate"] = 'Bearer realm="lean"'
    return response


class RejectNulMiddleware:
    """PostgreSQL text cannot hold NUL characters, so an API request carrying one (in its query or its JSON
    body, raw or as \\u0000) is refused up front with the stable 400 instead of failing deep in a query."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "/api/" not in request.path_info:
            return self.get_response(request)
        try:
            has_nul = (
                "%00" in request.META.get("QUERY_STRING", "")
                or "\x00" in request.path_info
                or (request.method in ("POST", "PUT", "PATCH") and _body_has_nul(request))
            )
        except RequestDataTooBig:
            message = _("The request is too large. Send at most %(size)s MB at once.")
            size = settings.DATA_UPLOAD_MAX_MEMORY_SIZE / (1024 * 1024)
            return JsonResponse(
                {"code": "too_large", "message": str(message % {"size": f"{size:g}"}), "field_errors": {}}, status=400
            )
        if has_nul:
            return JsonResponse(
                {"code": "invalid", "message": str(_("NUL characters are not allowed.")), "field_errors": {}},
                status=400,
            )
        return self.get_response(request)


def _body_has_nul(request) -> bool:
    # A multipart body carries files, binary by nature (a PDF holds NUL bytes), and is not limited to Django's
    # in-memory size; its text fields are DRF CharFields, which refuse NUL themselves.
    if request.content_type == "multipart/form-data":
        return False
    body = request.body
    return b"\x00" in body or b"\\u0000" in body.lower()


def tenant_public(view):
    """Mark a tenant page that a visitor may open without being a member (the tenant's login page)."""
    view.tenant_public = True
    return view


class TenantMiddleware:
    """Sets request.tenant and request.membership, and runs the rest of the request inside the tenant scope.

    Someone who is not an active member of the tenant gets 404, exactly as for a tenant that does not exist.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.tenant = None
        request.membership = None
        request.api_key = None
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return self.get_response(request)
        slug = match.kwargs.get("tenant_slug")
        if slug is None:
            return self.get_response(request)

        tenant = versioned_cache.get_or_compute(
            "lean.tenant", slug, lambda: Tenant.objects.filter(slug=slug, active=True).first()
        )
        if tenant is None:
            raise Http404
        with tenant_scope(tenant), timezone.override(tenant.time_zone):
            request.tenant = tenant
            if not _cookie_language(request):
                translation.activate(tenant.default_language)
                request.LANGUAGE_CODE = tenant.default_language
            if request.path_info.startswith(f"/t/{slug}/api/") and "HTTP_AUTHORIZATION" in request.META:
                refused = _authenticate_key(request, tenant)
                if refused is not None:
                    return refused
            elif request.user.is_authenticated:
                request.membership = (
                    Membership.objects.select_related("unit", "user").filter(user=request.user, active=True).first()
                )
            if request.membership is None and not getattr(match.func, "tenant_public", False):
                if not request.user.is_authenticated and not request.path_info.startswith(f"/t/{slug}/api/"):
                    return redirect_to_login(request.get_full_path(), f"/t/{slug}/login/")
                raise Http404
            response = self.get_response(request)
            if response.status_code >= 500:
                # An exception below was already turned into this response, so the block would commit: a view's
                # writes made before it failed must not be kept half-way.
                transaction.set_rollback(True)
            return response
