"""The production topology (docker-compose.yml) and image (Dockerfile), checked as files: no Docker, no database."""

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
REQUIRED_SERVICES = ("web", "worker", "beat", "postgres", "redis")
INTERPOLATION = re.compile(r"\$\{[^}]*\}")


def services() -> dict:
    return yaml.safe_load(COMPOSE.read_text())["services"]


def app_services() -> dict:
    """The services that run the Lean image (they build it), e.g. web, worker, beat, migrate."""
    return {name: svc for name, svc in services().items() if "build" in svc}


def command(service: dict) -> str:
    cmd = service.get("command", "")
    return " ".join(cmd) if isinstance(cmd, list) else cmd


def url_user(url: str) -> str:
    # Replace compose interpolations (`${LEAN_APP_PASSWORD:?...}`) first: they contain ':' and '?'.
    return urlsplit(INTERPOLATION.sub("placeholder", url)).username


def test_compose_has_the_required_services():
    assert set(REQUIRED_SERVICES) <= set(services())


@pytest.mark.parametrize("name", REQUIRED_SERVICES)
def test_every_service_has_a_healthcheck(name):
    healthcheck = services()[name].get("healthcheck")
    assert healthcheck and healthcheck.get("test"), f"{name} has no health check"
    assert not healthcheck.get("disable")


def test_web_runs_gunicorn():
    assert "gunicorn" in command(services()["web"])
    assert "config.wsgi:application" in command(services()["web"])


def test_worker_and_beat_run_celery():
    assert re.search(r"\bcelery\b.*-A config worker\b", command(services()["worker"]))
    assert re.search(r"\bcelery\b.*-A config beat\b", command(services()["beat"]))


def test_app_services_wait_for_migrate():
    migrate = services()["migrate"]
    assert "migrate" in command(migrate)
    for name in ("web", "worker", "beat"):
        depends_on = services()[name]["depends_on"]
        assert depends_on["migrate"]["condition"] == "service_completed_successfully", name


def test_app_services_connect_as_the_application_role():
    found = app_services()
    assert {"web", "worker", "beat"} <= set(found)
    for name, svc in found.items():
        env = svc["environment"]
        user = url_user(env["DATABASE_URL"])
        assert user != "postgres", f"{name} connects as the postgres superuser, which bypasses RLS"
        assert user == "lean_app", f"{name} connects as {user!r}"
        assert url_user(env["DATABASE_OWNER_URL"]) == "lean_owner", name


def test_postgres_runs_the_role_init_script():
    volumes = services()["postgres"]["volumes"]
    assert any(str(v).startswith("./docs/deploy/postgres-init.sql:/docker-entrypoint-initdb.d/") for v in volumes)
    assert (ROOT / "docs" / "deploy" / "postgres-init.sql").is_file()


def test_dockerfile_does_not_run_as_root():
    assert DOCKERFILE.is_file()
    users = [
        line.split()[1] for line in DOCKERFILE.read_text().splitlines() if line.strip().upper().startswith("USER ")
    ]
    assert users, "Dockerfile has no USER line: the container would run as root"
    user = users[-1].split(":")[0]
    assert user not in {"root", "0"}


def test_dockerfile_copies_every_local_app():
    """The Dockerfile copies the source by name (no .dockerignore): a new app must be listed there."""
    text = DOCKERFILE.read_text()
    apps = sorted(p.parent.name for p in ROOT.glob("*/apps.py"))
    assert apps
    missing = [app for app in apps if not re.search(rf"^COPY\s+{app}\s", text, re.MULTILINE)]
    assert not missing, f"not copied into the image: {missing}"


def test_the_image_installs_no_dev_tools():
    """The image installs requirements.lock; the test and lint tools are only in requirements-dev.lock, pinned the
    same (the production lock is compiled with the dev lock as its constraint)."""
    text = DOCKERFILE.read_text()
    installs = re.findall(r"pip install .*-r (\S+)", text)
    assert installs == ["requirements.lock"]

    def pins(name):
        lines = (ROOT / name).read_text().splitlines()
        return dict(line.split("==", 1) for line in lines if "==" in line and not line.startswith((" ", "#")))

    prod, dev = pins("requirements.lock"), pins("requirements-dev.lock")
    assert not {"pytest", "pytest-django", "pytest-xdist", "ruff", "playwright", "schemathesis"} & set(prod)
    assert {name: dev[name] for name in prod} == prod
