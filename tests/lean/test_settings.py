"""Settings come from the environment; production values pass Django's deployment checks."""

import json
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


def test_check_deploy_warns_without_the_owner_url_and_with_the_development_secret_key():
    env = production_env(DATABASE_OWNER_URL="")
    del env["SECRET_KEY"]  # falls back to the key written in settings.py, which Django's own W009 lets through
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
    )
    assert "lean.W001" in result.stdout + result.stderr
    assert "lean.W002" in result.stdout + result.stderr


def test_the_application_connects_as_the_application_role():
    assert settings.DATABASES["default"]["USER"] == settings.LEAN_APP_DB_ROLE


def production_settings(**overrides) -> dict:
    """The settings module's values under a production environment, read in a fresh interpreter."""
    names = [
        "DEBUG",
        "SECURE_SSL_REDIRECT",
        "SECURE_PROXY_SSL_HEADER",
        "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SESSION_COOKIE_SECURE",
        "SESSION_COOKIE_HTTPONLY",
        "SESSION_COOKIE_AGE",
        "SESSION_SAVE_EVERY_REQUEST",
        "CSRF_COOKIE_SECURE",
        "CSRF_COOKIE_HTTPONLY",
        "LANGUAGE_COOKIE_SECURE",
    ]
    code = f"import json, config.settings as s; print(json.dumps({{n: getattr(s, n) for n in {names!r}}}))"
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=settings.BASE_DIR,
        env=production_env(**overrides),
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout)


def test_production_cookies_hsts_and_session_length():
    values = production_settings()
    assert values == {
        "DEBUG": False,
        "SECURE_SSL_REDIRECT": True,
        "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"],
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SESSION_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_AGE": 8 * 3600,  # one working day from sign-in
        "SESSION_SAVE_EVERY_REQUEST": False,
        "CSRF_COOKIE_SECURE": True,
        "CSRF_COOKIE_HTTPONLY": True,
        "LANGUAGE_COOKIE_SECURE": True,
    }
    assert production_settings(SESSION_COOKIE_AGE="3600")["SESSION_COOKIE_AGE"] == 3600
