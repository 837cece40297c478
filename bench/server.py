"""gunicorn for the HTTP benchmark, the sign-ins over HTTP, and sequential timed requests.

The server runs as production does (docker-compose.yml: `gunicorn config.wsgi:application`, sync workers), with
DEBUG off and the Server-Timing header on (lean/server_timing.py), against the database the embedded servers'
environment names. Two settings differ from production, both said in the results: the API key's rate limit is
lifted (600/min would answer 429 during the load test; the throttle's cache round trip is still made), and static
files are not looked up in a collectstatic manifest (the benchmark fetches no static file, and the manifest would
have to be built into the shared .data/staticfiles first).
"""

import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
TIMING = re.compile(r'app;dur=(?P<app>[\d.]+), db;dur=(?P<db>[\d.]+);desc="(?P<count>\d+) queries"')

SERVER_ENV = {
    "DEBUG": "0",
    "LEAN_SERVER_TIMING": "1",
    "LEAN_MANIFEST_STATIC": "0",
    "LEAN_API_KEY_RATE": "1000/s",
    "LOG_LEVEL": "WARNING",
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Gunicorn:
    """`with Gunicorn(workers) as base_url:` — started, answering, and stopped (its process group) at the end."""

    def __init__(self, workers: int):
        self.workers = workers
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = tempfile.NamedTemporaryFile("w+", prefix="bench-gunicorn-", suffix=".log", delete=False)
        self.proc = None

    def __enter__(self) -> str:
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            str(self.workers),
            "--timeout",
            "300",  # the 5,000-record sync must not be cut off by the worker timeout
            "--no-control-socket",
        ]
        env = {**os.environ, **SERVER_ENV}
        self.proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"gunicorn stopped at start:\n{self.tail()}")
            try:
                if requests.get(f"{self.base}/login/", timeout=2).status_code == 200:
                    return self.base
            except requests.RequestException:
                pass
            time.sleep(0.3)
        self.__exit__(None, None, None)
        raise SystemExit(f"gunicorn did not answer within 60 s:\n{self.tail()}")

    def tail(self, lines: int = 40) -> str:
        self.log.flush()
        return "\n".join(Path(self.log.name).read_text(errors="replace").splitlines()[-lines:])

    def __exit__(self, *exc):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()  # gunicorn's arbiter stops its workers on SIGTERM
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        return False


def login(base: str, slug: str, number: str, password: str) -> requests.Session:
    """A browser session signed in through the tenant's login form (CSRF token from the form and its cookie)."""
    session = requests.Session()
    page = session.get(f"{base}/t/{slug}/login/", timeout=30)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    if page.status_code != 200 or token is None:
        raise SystemExit(f"login page of {slug}: HTTP {page.status_code}, no CSRF token")
    answer = session.post(
        f"{base}/t/{slug}/login/",
        data={"csrfmiddlewaretoken": token.group(1), "login": number, "password": password},
        allow_redirects=False,
        timeout=60,
    )
    if answer.status_code != 302 or "sessionid" not in session.cookies:
        raise SystemExit(f"signing in as {slug}/{number} failed (HTTP {answer.status_code}): check the password")
    return session


def parse_timing(header: str | None) -> tuple[float, float, int] | None:
    match = TIMING.search(header or "")
    return (float(match["app"]), float(match["db"]), int(match["count"])) if match else None


def percentile(values: list[float], pct: float) -> float | None:
    """Nearest-rank percentile (p50 of 30 is the 15th smallest, p95 the 29th, p99 the largest)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * pct // 100))
    return ordered[int(rank) - 1]


def warm_workers(sessions: dict, targets: list[tuple[str, str]], workers: int) -> None:
    """Each worker process answers every target a first time (imports, compiled templates, its database
    connection) before anything is timed: each target is asked `workers` times at once, so every idle worker
    takes one."""

    def get(who_url):
        who, url = who_url
        session = sessions[who]
        try:
            requests.get(url, cookies=session.cookies.get_dict(), headers=dict(session.headers), timeout=600)
        except requests.RequestException:
            pass  # the timed requests will say what is wrong

    with ThreadPoolExecutor(max_workers=workers) as pool:
        for target in targets:
            list(pool.map(get, [target] * workers))


def time_requests(session: requests.Session, url: str, *, warmup: int, runs: int, budget: float) -> dict:
    """Warm-up requests, then `runs` sequential ones: server time (app, db) and queries (the most frequent count)
    from Server-Timing, the client's wall time, and the statuses that were not 200. A slow page stops early: the
    warm-up after a quarter of `budget` seconds, the timed requests once `budget` is spent and 5 are made (a page
    of seconds fails its figure whatever the sixth says, and the suite must end)."""
    app, db, wall, counts, errors = [], [], [], [], {}
    begun, timed_from = time.monotonic(), None
    for i in range(warmup + runs):
        if i < warmup and time.monotonic() - begun > budget / 4:
            continue
        if i >= warmup:
            timed_from = timed_from or time.monotonic()
            failed = sum(n for k, n in errors.items() if k != "first")
            if (len(app) >= 5 or failed >= 5) and time.monotonic() - timed_from > budget:
                break
            if failed >= 3 and not app:  # it fails every time: three say so
                break
        started = time.perf_counter()
        try:
            response = session.get(url, timeout=600)
        except requests.RequestException as failure:  # e.g. the worker killed at gunicorn's timeout
            errors["no answer"] = errors.get("no answer", 0) + 1
            errors.setdefault("first", repr(failure)[:300])
            continue
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            errors[response.status_code] = errors.get(response.status_code, 0) + 1
            if len(errors) == 1 and errors[response.status_code] == 1:
                errors["first"] = response.text[:300]
        timing = parse_timing(response.headers.get("Server-Timing"))
        if i < warmup or timing is None or response.status_code != 200:
            continue  # an error's time and queries are not the page's: it is counted in `errors` instead
        app.append(timing[0])
        db.append(timing[1])
        counts.append(timing[2])
        wall.append(elapsed)
    return {
        "p50": percentile(app, 50),
        "p95": percentile(app, 95),
        "p99": percentile(app, 99),
        "db_p50": percentile(db, 50),
        "wall_p50": percentile(wall, 50),
        # the usual count; a worker's new database connection (every CONN_MAX_AGE) adds its start-up check
        "queries": max(set(counts), key=counts.count) if counts else None,
        "queries_range": [min(counts), max(counts)] if counts else None,
        "queries_vary": len(set(counts)) > 1,
        "runs": len(app),
        "errors": errors,
    }
