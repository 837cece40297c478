"""The SQL floor of a page: the time its SQL statements take on their own, for the same data.

The page is requested once in-process (django.test.Client, signed in as the same person or with the same API
key) after a warm-up request, with every statement captured as PostgreSQL received it (psycopg2 interpolates
the parameters, so the text includes the tenant scope's `set_config`). Those statements are then replayed, in
order, on a plain cursor inside a transaction that is rolled back — fetching every row, as the page must — several
times; the median is the floor. The page's server time over it says what Python (ORM, serializers, templates)
adds. The captured count is also the page's query count at this tenant's size (compared with a small tenant's).
"""

import re
import statistics
import time

from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from .endpoints import KEY, Endpoint

MANY = re.compile(r"^\d+ times: ")
# Django logs its transaction control too; the replay runs in a transaction of its own (and must never commit), and
# the Server-Timing count, which sees only statements, leaves them out as well.
CONTROL = {"BEGIN", "COMMIT", "ROLLBACK"}


class Rollback(Exception):
    pass


def clients(people: dict, token: str | None) -> dict:
    """One in-process client per role (force_login: the same session rows a sign-in makes) and one for the key."""
    made = {}
    for role, member in people.items():
        client = Client(raise_request_exception=False)  # a failing page is a row marked failed, not the end
        client.force_login(member.user, backend="lean.auth.TenantLoginBackend")
        made[role] = client
    if token:
        made[KEY] = Client(raise_request_exception=False, headers={"Authorization": f"Bearer {token}"})
    return made


def capture(client: Client, url: str, slow: float = 30) -> tuple[int, list[str], float]:
    """(status, statements, seconds) of the page's second request: the first warms per-process caches (and makes
    the key's last_used_at write). A page slower than `slow` seconds is captured on its first request."""
    for _ in (1, 2):
        started = time.monotonic()
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        seconds = time.monotonic() - started
        if seconds > slow or response.status_code != 200:
            break
    statements = [q["sql"] for q in captured.captured_queries if q["sql"] not in CONTROL]
    return response.status_code, statements, seconds


def replay(statements: list[str], runs: int, budget: float) -> dict:
    """Median ms of running the statements (each result fetched) in one transaction rolled back; how many could not
    be replayed (an executemany call is logged as one statement, so it is left out); the error if one failed.
    After `budget` seconds it stops at 3 replays."""
    playable = [s for s in statements if not MANY.match(s)]
    times, error, begun = [], "", time.monotonic()
    for _ in range(runs):
        if len(times) >= 3 and time.monotonic() - begun > budget:
            break
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                raw = cursor.cursor  # psycopg2's own cursor: no Django wrapper, no parameter interpolation
                started = time.perf_counter()
                for sql in playable:
                    raw.execute(sql)
                    if raw.description is not None:
                        raw.fetchall()
                times.append((time.perf_counter() - started) * 1000)
                raise Rollback
        except Rollback:
            pass
        except Exception as failure:  # a statement that cannot run again: no floor rather than a wrong one
            error = f"{type(failure).__name__}: {str(failure).splitlines()[0] if str(failure) else ''}"
            times = []
            break
    return {
        "floor": statistics.median(times) if times else None,
        "floor_min": min(times) if times else None,
        "floor_runs": len(times),
        "not_replayed": len(statements) - len(playable),
        "replay_error": error,
    }


def measure(endpoint: Endpoint, client: Client, slug: str, runs: int, budget: float) -> dict:
    url = f"/t/{slug}{endpoint.path}"
    status, statements, seconds = capture(client, url, slow=budget)
    result = {
        "status": status,
        "queries": len(statements),
        "seconds": seconds,
        "floor": None,
        "not_replayed": 0,
        "replay_error": "",
    }
    if status == 200:
        result.update(replay(statements, runs, budget))
    return result
