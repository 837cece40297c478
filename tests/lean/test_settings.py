"""Settings come from the environment; production values pass Django's deployment checks."""

import os
import subprocess
import sys

from django.conf import settings

PRODUCTION = {
    "DEBUG": "0",
    "HTTPS": "1",
    "BEHIND_PROXY": "1",
    "SECRET_KEY": "k" * 30 + "-production-secret-that-is-long-and-random-0987654321",
    "ALLOWED_HOSTS": "lean.example.com",
    "DATABASE_URL": "postgresql://lean_app:secret@db.example.com:5432/lean",
    "DATABASE_OWNER_URL": "postgresql://lean_owner:secret@db.example.com:5432/lean",
    "REDIS_URL": "redis://redis.example.com:6379/0",
}


def production_env(**overrides):
    # The browser tests set DJANGO_ALLOW_ASYNC_UNSAFE for Playwright; a deployment never has it.
    inherited = {k: v for k, v in os.environ.items() if k not in PRODUCTION and k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    return inherited | PRODUCTION | overrides


def test_check_deploy_prints_no_warning_with_production_values():
    env = production_env()
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_warns_without_the_owner_url():
    env = production_env(DATABASE_OWNER_URL="")
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
    )
    assert "lean.W001" in result.stdout + result.stderr


def test_the_application_connects_as_the_application_role():
    assert settings.DATABASES["default"]["USER"] == settings.LEAN_APP_DB_ROLE
