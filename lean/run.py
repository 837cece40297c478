"""`make run`: migrate, load the demo data if missing, and run the web server, a Celery worker and beat together.

Started by lean/embedded.py, which owns the embedded PostgreSQL and Redis (or by itself with DATABASE_URL and
REDIS_URL set). Ctrl-C stops all three; the data stays.
"""

import os
import signal
import subprocess
import sys
import time

PORT = os.environ.get("PORT", "8000")
HOST = os.environ.get("HOST", "127.0.0.1")


def manage(*args) -> None:
    subprocess.run([sys.executable, "manage.py", *args], check=True)


def main() -> int:
    os.environ.setdefault("DEBUG", "1")
    manage("migrate", "--noinput", "-v", "0")
    manage("seed_demo")
    children = [
        subprocess.Popen([sys.executable, "manage.py", "runserver", f"{HOST}:{PORT}", "--noreload"]),
        subprocess.Popen([sys.executable, "-m", "celery", "-A", "config", "worker", "-l", "warning", "-c", "2"]),
        subprocess.Popen([sys.executable, "-m", "celery", "-A", "config", "beat", "-l", "warning"]),
    ]
    time.sleep(2)
    print(
        f"\n  Lean is running at http://{HOST}:{PORT}/\n"
        "  Demo logins (password for all: lean-demo-2026) — see README for the full list:\n"
        "    enterprise code huaxin: H0001 (lean office), H0101 (unit manager), H0002 (reviewer), H0111 (employee)\n"
        "    enterprise code lvyuan: L0001 (lean office), L0011 (employee)\n"
        "  Press Ctrl-C to stop.\n",
        flush=True,
    )
    stopping = False

    def stop(*_):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    while not stopping and all(child.poll() is None for child in children):
        time.sleep(0.5)
    for child in children:
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
    for child in children:
        try:
            child.wait(timeout=15)
        except subprocess.TimeoutExpired:
            child.kill()
    return 0


if __name__ == "__main__":
    sys.exit(main())
