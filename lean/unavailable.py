"""503 when the database is unavailable for a moment, instead of a stack trace or a bare 500.

A request whose database connection breaks (the server restarts, a failover, the backend is terminated) or
cannot be opened fails with Django's OperationalError or InterfaceError, wherever it happens: in a view, or in
a middleware (the tenant lookup, the session). Django turns it into a 500 at the innermost layer it passes
through; the `got_request_exception` receiver below marks the request, and UnavailableMiddleware, which sits
outside every middleware that reads the database, replaces that 500 with a 503: a translated page for the
browser, the stable JSON error `{"code": "unavailable", ...}` for the API, both with Retry-After.

Nothing is committed by the failed request: the error passes through the tenant scope's transaction, which
rolls back (or the connection is gone, which is the same). The next request recovers by itself: Django closes
the broken connection at the end of the request, and CONN_HEALTH_CHECKS checks a reused one before its first
query.

The page is rendered without the request's context processors (the menu and the bell read the database) from a
standalone template, in the language of the person's cookie or the product's default.
"""

import logging
import sys

from django.conf import settings
from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError
from django.dispatch import receiver
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

RETRY_AFTER = 10  # seconds: a restart or failover of PostgreSQL usually takes about that long
UNAVAILABLE_ERRORS = (OperationalError, InterfaceError)
_MARK = "_lean_database_unavailable"


@receiver(got_request_exception, dispatch_uid="lean.unavailable.mark")
def _mark_unavailable(sender, request=None, **kwargs):
    error = sys.exc_info()[1]
    if request is not None and isinstance(error, UNAVAILABLE_ERRORS):
        setattr(request, _MARK, True)


def _language(request) -> str:
    from .middleware import _cookie_language

    return _cookie_language(request) or settings.LANGUAGE_CODE


def unavailable_response(request) -> HttpResponse:
    """The 503 answer: JSON for the API, a page for everyone else."""
    with translation.override(_language(request)):
        message = _("The service is unavailable for a moment. Please try again shortly.")
        if "/api/" in request.path_info:
            response = JsonResponse({"code": "unavailable", "message": message, "field_errors": {}}, status=503)
        else:
            response = HttpResponse(render_to_string("503.html"), status=503)
        response["Content-Language"] = translation.get_language()
    response["Retry-After"] = str(RETRY_AFTER)
    response["Cache-Control"] = "no-store"
    response["Vary"] = "Cookie"
    return response


class UnavailableMiddleware:
    """Turns a request that failed because the database was unavailable into a 503 (see the module's docstring).

    Placed before SessionMiddleware and everything else that may read or write the database."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 500 and getattr(request, _MARK, False):
            logger.warning("database unavailable during %s %s: answered 503", request.method, request.path)
            return unavailable_response(request)
        return response
