# Lean — the two commands: `make run` and `make test`. Everything else is set up by them.
VENV ?= .venv
PY := $(VENV)/bin/python
PYTHON ?= python3

.PHONY: install run test lint format seed messages bench bench-dashboard

$(VENV)/.installed: requirements.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -r requirements.lock
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

# The target-tree benchmark (bench/README.md) on its own embedded servers (.data/bench): p50/p95 of the reads.
bench: install
	$(PY) -m lean.embedded --data .data/bench -- bash -c '$(PY) manage.py migrate -v0 && $(PY) bench/targets_tree.py'

# The dashboard's tiles at the size of issue 9 (bench/README.md), on the same embedded servers: p50/p95 per tile.
bench-dashboard: install
	$(PY) -m lean.embedded --data .data/bench -- bash -c '$(PY) manage.py migrate -v0 && $(PY) bench/dashboard.py'

# The shortfall report job on the target-tree benchmark's tenant (bench/README.md): time and SQL queries per run.
bench-report: install
	$(PY) -m lean.embedded --data .data/bench -- bash -c '$(PY) manage.py migrate -v0 && $(PY) bench/shortfall_report.py --reuse'
