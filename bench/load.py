"""Load from a separate process: N concurrent clients on loopback, each a thread with its own keep-alive
connection (http.client; gunicorn's sync workers close each connection after the answer, and the client opens the
next one), hammering one URL for a number of seconds. Prints one JSON object: requests per second, errors (a status
other than 200, or a failed connection), client latency percentiles and the server's own time (Server-Timing).

    python -m bench.load --url http://127.0.0.1:8000/t/scale/api/v1/… [--clients 8] [--seconds 15]
    (BENCH_AUTHORIZATION / BENCH_COOKIE in the environment: the Authorization or Cookie header to send)

Run it as a module from the repository's root (as bench/http.py does): as a script, bench/http.py would stand in
for the standard library's `http` package.
"""

import argparse
import http.client
import json
import os
import re
import threading
import time
from urllib.parse import urlsplit

TIMING = re.compile(r"app;dur=([\d.]+)")


def percentile(values: list[float], pct: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * pct // 100))
    return ordered[int(rank) - 1]


def client(url, headers, start_at, stop_at, out):
    parts = urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    latencies, server, statuses, failures = [], [], {}, 0
    while time.monotonic() < start_at:
        time.sleep(0.001)
    while time.monotonic() < stop_at:
        started = time.perf_counter()
        try:
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            response.read()
        except (OSError, http.client.HTTPException):
            failures += 1
            conn.close()
            continue
        latencies.append((time.perf_counter() - started) * 1000)
        statuses[response.status] = statuses.get(response.status, 0) + 1
        timing = TIMING.search(response.getheader("Server-Timing") or "")
        if timing:
            server.append(float(timing.group(1)))
    conn.close()
    out.append((latencies, server, statuses, failures))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=15)
    args = parser.parse_args()
    headers = {"Connection": "keep-alive"}
    if os.environ.get("BENCH_AUTHORIZATION"):
        headers["Authorization"] = os.environ["BENCH_AUTHORIZATION"]
    if os.environ.get("BENCH_COOKIE"):
        headers["Cookie"] = os.environ["BENCH_COOKIE"]
    out: list = []
    start_at = time.monotonic() + 0.2
    stop_at = start_at + args.seconds
    threads = [
        threading.Thread(target=client, args=(args.url, headers, start_at, stop_at, out)) for _ in range(args.clients)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = max(time.monotonic(), stop_at) - start_at
    latencies = [v for o in out for v in o[0]]
    server = [v for o in out for v in o[1]]
    statuses: dict = {}
    for o in out:
        for status, n in o[2].items():
            statuses[str(status)] = statuses.get(str(status), 0) + n
    failures = sum(o[3] for o in out)
    ok = statuses.get("200", 0)
    result = {
        "url": urlsplit(args.url).path,
        "clients": args.clients,
        "seconds": round(elapsed, 2),
        "requests": len(latencies) + failures,
        "ok": ok,
        "errors": len(latencies) + failures - ok,
        "statuses": statuses,
        "connection_failures": failures,
        "rps": round(ok / elapsed, 1),
        "latency_p50": percentile(latencies, 50),
        "latency_p95": percentile(latencies, 95),
        "latency_p99": percentile(latencies, 99),
        "server_p50": percentile(server, 50),
        "server_p95": percentile(server, 95),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
