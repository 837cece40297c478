"""The slowest SQL statement of a page, with its plan: bench/explain.py '<path after /t/<slug>>' ... (see
docs/performance.md). Signs in as --office of --tenant (default SC-LO of scale), requests each page twice in-process
and prints the second request's time, its statements, and EXPLAIN (ANALYZE, BUFFERS) of the slowest one."""

import argparse
import os
import sys
import time
from pathlib import Path

# The repository on the path, and not this folder, whose http.py would stand in for the standard library's `http`.
BENCH = Path(__file__).resolve().parent
sys.path[:] = [str(BENCH.parent)] + [p for p in sys.path if Path(p or ".").resolve() != BENCH]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from lean.models import Membership, Tenant  # noqa: E402
from lean.tenancy import tenant_scope  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--tenant", default="scale")
    parser.add_argument("--office", default="SC-LO")
    args = parser.parse_args()
    tenant = Tenant.objects.get(slug=args.tenant)
    with tenant_scope(tenant):
        office = Membership.objects.select_related("user").get(employee_number=args.office)
    client = Client(HTTP_HOST="localhost")
    client.force_login(office.user)
    for path in args.paths:
        url = f"/t/{tenant.slug}{path}"
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(url)
            elapsed = (time.perf_counter() - started) * 1000
        sql_ms = sum(float(q["time"]) for q in queries.captured_queries) * 1000
        print(
            f"\n### `{path}`: {response.status_code}, {elapsed:.0f} ms, {sql_ms:.0f} ms in {len(queries)} statements\n"
        )
        slowest = max(queries.captured_queries, key=lambda q: float(q["time"]))
        with tenant_scope(tenant), connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + slowest["sql"])
            plan = [row[0] for row in cursor.fetchall()]
        print("```\n" + slowest["sql"][:600] + (" …" if len(slowest["sql"]) > 600 else "") + "\n```")
        print("```\n" + "\n".join(plan) + "\n```")


if __name__ == "__main__":
    main()
