"""The HTTP benchmark's results: the machine, the data, one row per page or operation judged against the issue's
figures, the load test, the jobs and the sync; as markdown (printed, and bench/results/latest.md) and JSON
(bench/results/latest.json)."""

import json
import os
import platform
import sys
from datetime import datetime
from pathlib import Path

import django
import gunicorn
from django.db import connection

from benchmarking.models import BenchmarkIndicator
from innovation.models import Contribution, Listing
from lean.models import Membership, Unit
from lean.tenancy import tenant_scope
from projects.models import Project, Review
from targets.models import Indicator, Reading, Shortfall, TargetTree

RESULTS = Path(__file__).resolve().parent / "results"

# The figures of issue 15.
PAGE_P95_MS = 150
FLOOR_RATIO = 3
QUERY_SLACK = 3  # a relation with no rows in the small tenant skips its prefetch query; a per-row query adds dozens
LOAD_RPS = 300
REPORT_JOB_S = 60
SYNC_S = 10


def _first_line(path: str, prefix: str) -> str:
    try:
        for line in Path(path).read_text().splitlines():
            if line.startswith(prefix):
                return line.split(":", 1)[1].strip() if ":" in line else line.split("=", 1)[1].strip('"')
    except OSError:
        pass
    return ""


def machine(workers: int) -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0]
    memory_kb = _first_line("/proc/meminfo", "MemTotal")
    return {
        "cpu": _first_line("/proc/cpuinfo", "model name") or platform.processor(),
        "cores": os.cpu_count(),
        "memory_gb": round(int(memory_kb.split()[0]) / 1024 / 1024, 1) if memory_kb else None,
        "os": (_first_line("/etc/os-release", "PRETTY_NAME=") or platform.system()) + f" ({platform.release()})",
        "python": sys.version.split()[0],
        "postgresql": postgres,
        "django": django.get_version(),
        "gunicorn": f"{gunicorn.__version__}, {workers} sync workers",
        "date": datetime.now().astimezone().isoformat(timespec="seconds"),
        "load_average": load_average(),
    }


def load_average() -> str:
    """The machine's load (1, 5, 15 minutes): other work on it slows every figure."""
    return ", ".join(f"{v:.2f}" for v in os.getloadavg())


def data_sizes(tenant) -> dict:
    with tenant_scope(tenant):
        return {
            "units": Unit.objects.count(),
            "members": Membership.objects.count(),
            "target trees": TargetTree.objects.count(),
            "indicators": Indicator.objects.count(),
            "readings": Reading.objects.count(),
            "shortfalls": Shortfall.objects.count(),
            "benchmark indicators": BenchmarkIndicator.objects.count(),
            "projects": Project.objects.count(),
            "reviews": Review.objects.count(),
            "contributions": Contribution.objects.count(),
            "listings": Listing.objects.count(),
        }


def judge(row: dict) -> dict:
    """The row's verdict on each figure: True (pass), False (fail) or None (not measured)."""
    p95, p50, floor = row.get("p95"), row.get("p50"), row.get("floor")
    large, small = row.get("queries_inproc"), row.get("queries_small")
    ratio = p50 / floor if p50 is not None and floor else None
    row["ratio"] = ratio
    verdict = {
        "p95": None if p95 is None else p95 < PAGE_P95_MS,
        "floor": None if ratio is None else ratio <= FLOOR_RATIO,
        "flat": None if large is None or small is None else large <= small + QUERY_SLACK,
        "errors": not row.get("errors"),
    }
    row["verdict"] = verdict
    row["pass"] = all(v is not False for v in verdict.values())
    return row


def _ms(value, digits=0) -> str:
    return "–" if value is None else f"{value:,.{digits}f}"


def _mark(value) -> str:
    return {True: "pass", False: "**fail**", None: "–"}[value]


def markdown(results: dict) -> str:
    m, out = results["machine"], []
    out.append(f"# HTTP benchmark: tenant `{results['tenant']}` ({m['date']})\n")
    out.append(
        f"Machine: {m['cpu']}, {m['cores']} cores, {m['memory_gb']} GB; {m['os']}; Python {m['python']}, "
        f"PostgreSQL {m['postgresql']}, Django {m['django']}, gunicorn {m['gunicorn']}. Load average at the start "
        f"{m['load_average']}, at the end {results.get('load_average_end', '–')}.\n"
    )
    sizes = ", ".join(f"{k} {v:,}" for k, v in results["sizes"].items())
    out.append(f"Data: {sizes}. Small tenant for the query counts: `{results['small_tenant'] or '–'}`.\n")
    for note in results["notes"]:
        out.append(f"- {note}")
    if results["notes"]:
        out.append("")
    out.append(
        f"Server time (Server-Timing `app`) of `n` sequential requests (up to {results['runs']}; a slow page stops "
        f"at 5 after {results['budget']:g} s) after {results['warmup']} warm-up ones, in ms; `SQL` the part spent in "
        f"SQL (p50); `floor` the same statements replayed alone (median of up to {results['floor_runs']}); `ratio` "
        "p50 / floor; `queries` at this size, then in the small "
        f"tenant. Figures: p95 < {PAGE_P95_MS} ms, ratio ≤ {FLOOR_RATIO}, queries no more than the small tenant's "
        f"(+{QUERY_SLACK}), no error.\n"
    )
    out.append(
        "| page / operation | as | n | p50 | p95 | p99 | SQL | floor | ratio | queries | small | p95 | ≤3× floor "
        "| flat | result |"
    )
    out.append("|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|---|---|---|")
    for row in results["rows"]:
        v = row["verdict"]
        queries = _ms(row.get("queries")) + ("*" if row.get("queries_vary") else "")
        result = "pass" if row["pass"] else "**fail**" + (f" ({row['error_text']})" if row.get("error_text") else "")
        out.append(
            f"| {row['name']} | {row['who']} | {row.get('runs', 0)} | {_ms(row.get('p50'), 1)} "
            f"| {_ms(row.get('p95'), 1)} | {_ms(row.get('p99'), 1)} | {_ms(row.get('db_p50'), 1)} "
            f"| {_ms(row.get('floor'), 1)} | {_ms(row.get('ratio'), 2)} | {queries} | {_ms(row.get('queries_small'))} "
            f"| {_mark(v['p95'])} | {_mark(v['floor'])} | {_mark(v['flat'])} | {result} |"
        )
    out.append("\n`*` the count varied between requests (the most frequent is shown; the range is in the JSON).\n")
    out.append("## Throughput (a separate process, loopback)\n")
    out.append("| target | clients | s | requests/s | errors | latency p50 | p95 | p99 | server p50 | result |")
    out.append("|---|--:|--:|--:|--:|--:|--:|--:|--:|---|")
    for load in results["load"]:
        judged = load.get("judged")
        result = "–" if judged is None else _mark(judged)
        out.append(
            f"| {load['name']} | {load['clients']} | {load['seconds']} | {_ms(load['rps'], 1)} | {load['errors']} "
            f"| {_ms(load['latency_p50'], 1)} | {_ms(load['latency_p95'], 1)} | {_ms(load['latency_p99'], 1)} "
            f"| {_ms(load['server_p50'], 1)} | {result} |"
        )
    out.append(f"\nFigure: the employee archive API ≥ {LOAD_RPS} requests/s with 8 clients and no error.\n")
    out.append("## Jobs (in-process, each run rolled back) and the HR sync (over HTTP)\n")
    out.append("| job / operation | runs | p50 ms | max ms | queries | what | result |")
    out.append("|---|--:|--:|--:|--:|---|---|")
    for job in results["jobs"]:
        out.append(
            f"| {job['name']} | {job['runs']} | {_ms(job['p50'])} | {_ms(job['max'])} | {_ms(job['queries'])} "
            f"| {job['detail']} | {_mark(job.get('judged'))} |"
        )
    sync = results.get("sync")
    if sync:
        what = f"HTTP {sync['status']}: {sync['updates_sent']:,} updates, {sync['new_sent']:,} new → {sync['result']}"
        out.append(
            f"| {sync['name']} (server time; wall {_ms(sync['wall'])} ms) | 1 | {_ms(sync['server'])} | – "
            f"| {_ms(sync['queries'])} | {what} | {_mark(sync.get('judged'))} |"
        )
    out.append(f"\nFigures: the shortfall report job < {REPORT_JOB_S} s, the sync of 5,000 employees < {SYNC_S} s.\n")
    out.append("## Summary\n")
    for line in results["summary"]:
        out.append(f"- {line}")
    return "\n".join(out) + "\n"


def summary(results: dict) -> list[str]:
    rows = results["rows"]

    def failing(key):
        return [r["name"] for r in rows if r["verdict"][key] is False]

    lines = []
    for key, text in (
        ("p95", f"p95 < {PAGE_P95_MS} ms"),
        ("floor", f"page time ≤ {FLOOR_RATIO}× its SQL floor"),
        ("flat", "query count independent of the tenant's size"),
        ("errors", "no error"),
    ):
        bad = failing(key)
        measured = sum(1 for r in rows if r["verdict"][key] is not None)
        lines.append(
            f"{text}: {'**fail**' if bad else 'pass'} ({measured - len(bad)}/{measured} rows)"
            + (f" — failing: {', '.join(bad)}" if bad else "")
        )
    for load in results["load"]:
        if load.get("judged") is not None:
            lines.append(f"{load['name']} ≥ {LOAD_RPS} req/s, no error: {_mark(load['judged'])}")
    for job in results["jobs"]:
        if job.get("judged") is not None:
            lines.append(f"{job['name']} < {REPORT_JOB_S} s: {_mark(job['judged'])}")
    if results.get("sync") and results["sync"].get("judged") is not None:
        lines.append(f"{results['sync']['name']} < {SYNC_S} s: {_mark(results['sync']['judged'])}")
    return lines


def write(results: dict) -> str:
    results["load_average_end"] = load_average()
    results["summary"] = summary(results)
    text = markdown(results)
    RESULTS.mkdir(exist_ok=True)
    data = json.dumps(results, indent=2, ensure_ascii=False, default=str) + "\n"
    # latest.*, and the same under the tenant's name, so that the runs on different data sets stay side by side
    for name in ("latest", results["tenant"]):
        (RESULTS / f"{name}.md").write_text(text)
        (RESULTS / f"{name}.json").write_text(data)
    return text
