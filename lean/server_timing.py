"""The Server-Timing header for the HTTP benchmark (bench/http.py): the request's time in the application and
in SQL, with the number of statements.

    Server-Timing: app;dur=41.2, db;dur=12.7;desc="9 queries"

On only with `LEAN_SERVER_TIMING=1` (settings.LEAN_SERVER_TIMING), and then the outermost middleware, so `app`
covers every other middleware (sessions, the tenant scope, CSRF, rendering). Off, it is not in MIDDLEWARE at all;
listed anyway with the setting off, it takes itself out (MiddlewareNotUsed). It tells the world how long the
database took, which a production site need not say, hence off by default.
"""

import time

from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.db import connection


class _SqlClock:
    """Wraps each statement of the request's database connection: how many, and the time spent in them."""

    def __init__(self):
        self.count = 0
        self.seconds = 0.0

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started
            self.count += 1


class ServerTimingMiddleware:
    def __init__(self, get_response):
        if not getattr(settings, "LEAN_SERVER_TIMING", False):
            raise MiddlewareNotUsed
        self.get_response = get_response

    def __call__(self, request):
        clock = _SqlClock()
        started = time.perf_counter()
        with connection.execute_wrapper(clock):
            response = self.get_response(request)
        app_ms = (time.perf_counter() - started) * 1000
        response["Server-Timing"] = (
            f'app;dur={app_ms:.2f}, db;dur={clock.seconds * 1000:.2f};desc="{clock.count} queries"'
        )
        return response
