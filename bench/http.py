"""The HTTP benchmark (issue 15): the key pages and API operations through gunicorn, at the large tenant's size.

Run by `make bench` on the embedded servers of `.data/bench` (the data: `python manage.py seed_scale`). See
bench/README.md for what it does and how to read the table; results go to bench/results/latest.md and .json.

    python -m lean.embedded --data .data/bench -- bash -c \\
        'python manage.py migrate -v0 && python bench/http.py [--tenant scale] [--runs 30] [--skip load,sync]'
"""

import sys
from pathlib import Path

# As a script, this file's folder comes first on sys.path, and this file would then stand in for the standard
# library's `http` package (which Django and requests import): take the folder out, put the repository in.
BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != BENCH]
sys.path.insert(0, str(ROOT))

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import subprocess  # noqa: E402

import requests  # noqa: E402

# DEBUG off as on the server; static files without a manifest (bench/server.py says why).
os.environ["DEBUG"] = "0"
os.environ.setdefault("LEAN_MANIFEST_STATIC", "0")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

# Every connection, here and in gunicorn (which inherits the environment), gets a statement timeout, so that a
# page whose query runs for minutes at this size fails its row (an error) instead of holding the suite for hours.
_early = argparse.ArgumentParser(add_help=False)
_early.add_argument("--statement-timeout", type=float, default=30)
STATEMENT_TIMEOUT = _early.parse_known_args()[0].statement_timeout
if STATEMENT_TIMEOUT > 0 and "DATABASE_URL" in os.environ:
    _url = os.environ["DATABASE_URL"]
    _ms = int(STATEMENT_TIMEOUT * 1000)
    os.environ["DATABASE_URL"] = f"{_url}{'&' if '?' in _url else '?'}options=-c%20statement_timeout%3D{_ms}"

import django  # noqa: E402

django.setup()

from bench import endpoints, floor, jobs, report, server, sync  # noqa: E402
from lean.apikeys import api_key_create, api_key_revoke  # noqa: E402
from lean.models import ApiKey, ApiScope  # noqa: E402
from lean.tenancy import tenant_scope  # noqa: E402

STEPS = ("floor", "small", "load", "sync", "jobs")
KEY_NAME = "bench/http.py"


def options(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tenant", default="scale", help="the large tenant's slug (default: scale)")
    parser.add_argument("--office", default="SC-LO", help="a lean office member's employee number")
    parser.add_argument("--manager", default="SC-UM", help="a unit manager's employee number")
    parser.add_argument("--employee", default="SC-EM", help="an employee with contributions and projects")
    parser.add_argument("--password", default="lean-scale-2026", help="their password (signing in over HTTP)")
    parser.add_argument("--small-tenant", default="scale-001", help="a small tenant, for the query counts")
    parser.add_argument("--runs", type=int, default=30, help="timed requests per page (default 30)")
    parser.add_argument("--warmup", type=int, default=3, help="untimed requests first (default 3)")
    parser.add_argument("--floor-runs", type=int, default=10, help="replays of a page's SQL (default 10)")
    parser.add_argument(
        "--budget", type=float, default=60, help="seconds of timed requests per page before it stops at 5 (default 60)"
    )
    parser.add_argument(
        "--statement-timeout", type=float, default=30, help="seconds a SQL statement may run, 0 for no limit (30)"
    )
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers (default 4: bench/README.md)")
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients of the load test (default 8)")
    parser.add_argument("--seconds", type=float, default=15, help="length of each load test (default 15)")
    parser.add_argument("--job-runs", type=int, default=3, help="runs of each job (default 3)")
    parser.add_argument("--report-period", default="", help="the shortfall reports' month (default: the latest)")
    parser.add_argument("--sync-size", type=int, default=5000, help="employees in the HR sync (default 5,000)")
    parser.add_argument("--only", default="", help="time only the pages whose name contains this text")
    parser.add_argument("--skip", default="", help=f"comma-separated steps to leave out: {', '.join(STEPS)}")
    args = parser.parse_args(argv)
    args.skip = {s.strip() for s in args.skip.split(",") if s.strip()}
    if args.skip - set(STEPS):
        parser.error(f"unknown step(s) in --skip: {', '.join(sorted(args.skip - set(STEPS)))}")
    return args


def make_key(picked) -> tuple[object, str]:
    """A key with every scope, for this run (an interrupted run's key is revoked first)."""
    with tenant_scope(picked.tenant):
        for stale in ApiKey.objects.filter(name=KEY_NAME, revoked_at=None):
            api_key_revoke(actor=picked.people[endpoints.OFFICE], key=stale)
        return api_key_create(actor=picked.people[endpoints.OFFICE], name=KEY_NAME, scopes=ApiScope.values)


def revoke(picked, key) -> None:
    try:
        with tenant_scope(picked.tenant):
            api_key_revoke(actor=picked.people[endpoints.OFFICE], key=key)
    except Exception as error:  # the tenant was rebuilt meanwhile: nothing left to revoke, and the real error shows
        print(f"the benchmark's API key of {picked.tenant.slug} was not revoked: {error!r}", flush=True)


def in_process(picked, token, rows, args, *, replay: bool) -> dict:
    """name → the in-process capture (status, queries, and with `replay` the floor) of each endpoint."""
    made = floor.clients(picked.people, token)
    results = {}
    for endpoint in rows:
        if replay:
            results[endpoint.name] = floor.measure(
                endpoint, made[endpoint.who], picked.tenant.slug, args.floor_runs, args.budget / 2
            )
        else:
            status, statements, seconds = floor.capture(
                made[endpoint.who], f"/t/{picked.tenant.slug}{endpoint.path}", slow=args.budget / 2
            )
            results[endpoint.name] = {"status": status, "queries": len(statements), "seconds": seconds}
        done = results[endpoint.name]
        floor_ms = f", floor {done['floor']:.1f} ms" if done.get("floor") is not None else ""
        where = f"{picked.tenant.slug}, {endpoint.name}"
        print(f"  in-process {where}: HTTP {done['status']}, {done['queries']} queries{floor_ms}", flush=True)
    return results


def load(base, path, header: dict, args, name) -> dict:
    command = [sys.executable, "-m", "bench.load", "--url", f"{base}{path}", "--clients", str(args.clients)]
    command += ["--seconds", str(args.seconds)]
    done = subprocess.run(command, cwd=ROOT, env={**os.environ, **header}, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"bench/load.py failed:\n{done.stderr[-2000:]}")
    return {"name": name, **json.loads(done.stdout.strip().splitlines()[-1])}


def time_rows(base, sessions, rows, captured, small_counts, args) -> list[dict]:
    """Each row timed over HTTP, with its in-process floor and the small tenant's count, judged."""
    # Pages that failed or took seconds in-process are not warmed: a worker warms on their first request anyway.
    quick = [e for e in rows if captured.get(e.name, {}).get("status") == 200 and captured[e.name]["seconds"] < 2]
    server.warm_workers(sessions, [(e.who, f"{base}/t/{args.tenant}{e.path}") for e in quick], args.workers)
    judged = []
    for endpoint in rows:
        url = f"{base}/t/{args.tenant}{endpoint.path}"
        timed = server.time_requests(
            sessions[endpoint.who], url, warmup=args.warmup, runs=args.runs, budget=args.budget
        )
        inproc, other = captured.get(endpoint.name, {}), small_counts.get(endpoint.name, {})
        row = report.judge(
            {
                "name": endpoint.name,
                "who": endpoint.who,
                "path": endpoint.path,
                **timed,
                "queries_inproc": inproc.get("queries"),
                "floor": inproc.get("floor"),
                "floor_min": inproc.get("floor_min"),
                "floor_runs": inproc.get("floor_runs"),
                "not_replayed": inproc.get("not_replayed"),
                "replay_error": inproc.get("replay_error"),
                "queries_small": other.get("queries") if other.get("status") == 200 else None,
                "error_text": ", ".join(f"HTTP {s}×{n}" for s, n in timed["errors"].items() if s != "first"),
            }
        )
        judged.append(row)
        print(
            f"  {endpoint.name}: p50 {row['p50']} p95 {row['p95']} ms, {row['queries']} queries, floor "
            f"{row['floor'] and round(row['floor'], 1)} ms, small {row['queries_small']} {row['error_text']}",
            flush=True,
        )
    return judged


def throughput(base, picked, sessions, token, args) -> list[dict]:
    """The employee archive API with the key (judged), then the employee's archive page with their session."""
    archive = next(e for e in endpoints.endpoints(picked) if e.name == "API employee archive")
    done = load(base, f"/t/{args.tenant}{archive.path}", {"BENCH_AUTHORIZATION": f"Bearer {token}"}, args, archive.name)
    # judged only as the figure is stated: 8 clients
    done["judged"] = done["rps"] >= report.LOAD_RPS and done["errors"] == 0 if args.clients == 8 else None
    cookie = {"BENCH_COOKIE": f"sessionid={sessions[endpoints.EMPLOYEE].cookies['sessionid']}"}
    page = load(base, f"/t/{args.tenant}/innovation/", cookie, args, "employee archive page (my archive)")
    for result in (done, page):
        print(f"  load: {result}", flush=True)
    return [done, page]


def main(argv=None):
    args = options(argv)
    picked = endpoints.pick(args.tenant, office=args.office, manager=args.manager, employee=args.employee)
    rows = [e for e in endpoints.endpoints(picked) if args.only.lower() in e.name.lower()]
    small = None
    if "small" not in args.skip:
        try:
            small = endpoints.pick(args.small_tenant, office=args.office, manager=args.manager, employee=args.employee)
        except SystemExit as missing:
            print(f"no query counts of a small tenant: {missing}", flush=True)
    results = {
        "tenant": args.tenant,
        "small_tenant": small.tenant.slug if small else None,
        "runs": args.runs,
        "warmup": args.warmup,
        "floor_runs": args.floor_runs,
        "budget": args.budget,
        "machine": report.machine(args.workers),
        "sizes": report.data_sizes(picked.tenant),
        "notes": [*picked.notes, *(f"small tenant: {n}" for n in (small.notes if small else []))],
        "rows": [],
        "load": [],
        "jobs": [],
        "sync": None,
    }
    print(f"tenant {args.tenant}: {results['sizes']}", flush=True)
    key, token = make_key(picked)
    small_key = make_key(small) if small else None
    try:
        captured = in_process(picked, token, rows, args, replay="floor" not in args.skip)
        small_counts = {}
        if small:
            by_name = {e.name: e for e in endpoints.endpoints(small)}
            same = [by_name[r.name] for r in rows if r.name in by_name]
            small_counts = in_process(small, small_key[1], same, args, replay=False)
        with server.Gunicorn(args.workers) as base:
            sessions = {
                role: server.login(base, args.tenant, member.employee_number, args.password)
                for role, member in picked.people.items()
            }
            sessions[endpoints.KEY] = requests.Session()
            sessions[endpoints.KEY].headers["Authorization"] = f"Bearer {token}"
            results["rows"] = time_rows(base, sessions, rows, captured, small_counts, args)
            if "load" not in args.skip:
                results["load"] = throughput(base, picked, sessions, token, args)
            if "sync" not in args.skip:
                logins = {m.employee_number for m in picked.people.values()}
                done = sync.run(picked.tenant, base, token, size=args.sync_size, keep=logins)
                within = done["status"] == 200 and (done["server"] or 1e9) < 1000 * report.SYNC_S
                done["judged"] = within if args.sync_size == 5000 else None  # the figure is for 5,000
                results["sync"] = done
                print(f"  sync: {done}", flush=True)
        if "jobs" not in args.skip:
            jobs.unlimited()
            budget = 3 * args.budget
            for done in jobs.report_runs(picked.tenant, max(1, args.job_runs), args.report_period or None, budget):
                done["judged"] = done["p50"] is not None and done["p50"] < 1000 * report.REPORT_JOB_S
                results["jobs"].append(done)
                print(f"  job: {done}", flush=True)
            for done in jobs.listing_runs(picked.tenant, max(1, args.job_runs), budget):
                results["jobs"].append(done)
                print(f"  job: {done}", flush=True)
    finally:
        revoke(picked, key)
        if small_key:
            revoke(small, small_key[0])
    print()
    print(report.write(results))


if __name__ == "__main__":
    main()
