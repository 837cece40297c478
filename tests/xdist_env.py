"""Loaded first (`-p tests.xdist_env`): under pytest-xdist each worker gets its own Redis database, as pytest-django
gives each its own test database, so one worker's Celery worker never takes another's tasks and cache clears stay
apart. It must run before Django reads its settings, hence a plugin and not a fixture."""

import os
import re

# The tests' webhook receivers, robots and OIDC provider listen on loopback (tests/security covers the guard).
os.environ.setdefault("LEAN_ALLOW_PRIVATE_URLS", "1")

worker = os.environ.get("PYTEST_XDIST_WORKER", "")
if worker.startswith("gw") and os.environ.get("REDIS_URL"):
    number = int(worker[2:]) + 1  # database 0 stays the one a plain run uses
    os.environ["REDIS_URL"] = re.sub(r"(/\d+)?$", f"/{number}", os.environ["REDIS_URL"], count=1)
