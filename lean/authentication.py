"""DRF's view of an API key request (kept out of lean/apis.py: DRF imports authentication classes while its own
views module is loading, so this module must not import rest_framework.views)."""

from django.conf import settings
from rest_framework.authentication import BaseAuthentication
from rest_framework.throttling import SimpleRateThrottle


class ApiKeyAuthentication(BaseAuthentication):
    """The middleware already checked the key of the URL's tenant; this tells DRF who acts (and that no CSRF
    applies: a key is not a browser session)."""

    def authenticate(self, request):
        key = getattr(request._request, "api_key", None)
        return (key.created_by.user, key) if key is not None else None

    def authenticate_header(self, request):
        return 'Bearer realm="lean"'


class ApiKeyThrottle(SimpleRateThrottle):
    """Requests per API key (settings.LEAN_API_KEY_RATE); browser sessions are not throttled here. Over the
    rate: 429 with Retry-After."""

    scope = "api_key"

    def get_rate(self):
        return settings.LEAN_API_KEY_RATE

    def get_cache_key(self, request, view):
        key = getattr(request._request, "api_key", None)
        return None if key is None else self.cache_format % {"scope": self.scope, "ident": key.pk}
