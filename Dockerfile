# syntax=docker/dockerfile:1
# Production image for Lean: gunicorn (web), Celery worker and Celery beat all run from this one image.
# See docs/deployment.md and docker-compose.yml.

# --- front-end libraries: Node/npm exist only in this stage -----------------------------------------
FROM node:22-slim AS frontend
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund

# --- application ------------------------------------------------------------------------------------
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=config.settings \
    CELERY_BEAT_SCHEDULE_FILENAME=/var/lib/lean/beat/celerybeat-schedule

RUN groupadd --system --gid 10001 lean \
    && useradd --system --uid 10001 --gid lean --no-create-home --home-dir /app --shell /usr/sbin/nologin lean

WORKDIR /app

# The production lock only: the dev tools (pytest, ruff, playwright, schemathesis) are in requirements-dev.lock.
COPY requirements.lock ./
RUN pip install -r requirements.lock

# Served from node_modules through STATICFILES_DIRS (htmx.org/dist, bootstrap/dist, bootstrap-icons/font).
COPY --from=frontend /build/node_modules ./node_modules

# The application, copied by name so that a developer's .venv, .data (database files) and node_modules
# never end up in the image. A new top-level Django app must be added here.
COPY manage.py pyproject.toml ./
COPY config ./config
COPY lean ./lean
COPY scheduling ./scheduling
COPY targets ./targets
COPY benchmarking ./benchmarking
COPY projects ./projects
COPY innovation ./innovation
COPY integrations ./integrations
COPY insights ./insights
COPY templates ./templates
COPY static ./static
COPY locale ./locale

# Static files are collected (hashed and compressed by WhiteNoise) at build time. The settings only need
# to import: the key and the database URL are build-only placeholders, scoped to this one command, and
# no database is contacted.
RUN SECRET_KEY=build-only-not-secret DATABASE_URL=postgresql://build:build@localhost:5432/build \
    python manage.py collectstatic --noinput

# Writable places for the unprivileged user: beat's schedule (a volume in docker-compose.yml).
RUN mkdir -p /var/lib/lean/beat && chown -R lean:lean /var/lib/lean

USER 10001:10001

EXPOSE 8000

# Worker processes: WEB_CONCURRENCY (read by gunicorn itself), default 1. No control socket: $HOME is not
# writable by the unprivileged user and nothing here uses gunicornc.
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--access-logfile", "-", "--no-control-socket"]
