"""Hardening: the Content-Security-Policy on every kind of response (pages, the public notice board, the API, errors),
templates without inline JavaScript (which the policy would block), Swagger UI loading its start-up script from a
file, and the session and CSRF cookies. Production values of the settings and `check --deploy` are in
tests/lean/test_settings.py; login throttling in tests/lean/test_auth.py; API rate limits in
tests/integrations/test_hr_api.py; password validation in tests/lean/test_accounts.py."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from innovation.board import board_token_create
from lean.apikeys import api_key_create
from lean.tenancy import tenant_scope
from tests.factories import PASSWORD
from tests.innovation.factories import make_innovation


def policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def assert_strict_policy(response):
    directives = policy(response)
    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["base-uri"] == ["'self'"]
    assert directives["form-action"] == ["'self'"]
    assert directives["img-src"] == ["'self'", "data:"]
    # inline styles only: bars' widths in style attributes and htmx's indicator <style>
    assert directives["style-src"] == ["'self'", "'unsafe-inline'"]
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"


@pytest.fixture
def world(tenant_a):
    with tenant_scope(tenant_a.tenant):
        make_innovation(tenant_a)
        board_token = board_token_create(actor=tenant_a.lean_office, listing=tenant_a.extra["listing"])
        api_token = api_key_create(actor=tenant_a.lean_office, name="hr", scopes=["hr:read"])[1]
    tenant_a.extra.update(board_token=board_token, api_token=api_token)
    return tenant_a


def signed_in(ts) -> Client:
    client = Client()
    client.force_login(ts.lean_office.user, backend="lean.auth.TenantLoginBackend")
    return client


def test_every_kind_of_response_carries_the_policy(world):
    anonymous, member = Client(), signed_in(world)
    responses = {
        "login": anonymous.get("/login/"),
        "tenant login": anonymous.get("/t/alpha/login/"),
        "home": member.get("/t/alpha/"),
        "htmx partial": member.get("/t/alpha/innovation/", HTTP_HX_REQUEST="true"),
        "not found": member.get("/t/alpha/no-such-page/"),
        "public notice board": anonymous.get(f"/board/{world.extra['board_token']}/"),
        "api": Client(HTTP_AUTHORIZATION=f"Bearer {world.extra['api_token']}").get("/t/alpha/api/v1/units/"),
        "admin": anonymous.get("/admin/login/"),
    }
    for name, response in responses.items():
        assert response.status_code in (200, 404), (name, response.status_code)
        assert_strict_policy(response)
    assert responses["not found"].status_code == 404
    assert responses["api"]["Content-Type"].startswith("application/json")


INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.IGNORECASE | re.DOTALL)
SCRIPT_URL = re.compile(r"""(href|src|action)\s*=\s*["']?\s*javascript:""", re.IGNORECASE)
HTMX_EVAL = re.compile(r"""\shx-on[:-]|\shx-(vals|vars)\s*=\s*['"]\s*(js|javascript):""", re.IGNORECASE)


def project_templates():
    root = Path(settings.BASE_DIR)
    for folder in [root / "templates", *root.glob("*/templates")]:
        if ".venv" in folder.parts or "node_modules" in folder.parts:
            continue
        yield from folder.rglob("*.html")


def test_no_template_carries_inline_javascript():
    """The policy blocks inline scripts and handlers: behaviours live in static/js/behaviours.js (data-confirm,
    data-autosubmit, data-select-on-focus, data-copy), and htmx may not evaluate attribute code."""
    templates = list(project_templates())
    assert len(templates) > 100
    found = []
    for path in templates:
        text = path.read_text(encoding="utf-8")
        for pattern in (INLINE_SCRIPT, EVENT_HANDLER, SCRIPT_URL, HTMX_EVAL):
            found += [f"{path.relative_to(settings.BASE_DIR)}: {m.group(0)[:80]}" for m in pattern.finditer(text)]
    assert found == []


def test_the_base_page_loads_the_behaviours_and_turns_off_htmx_eval(world):
    page = signed_in(world).get("/t/alpha/").content.decode()
    assert re.search(r'<script src="/static/js/behaviours(\.\w+)?\.js" defer>', page)
    assert """<meta name="htmx-config" content='{"allowEval": false}'>""" in page


def test_swagger_ui_loads_its_start_up_script_from_a_file(world):
    client = signed_in(world)
    page = client.get("/t/alpha/api/v1/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    assert INLINE_SCRIPT.search(html) is None
    assert_strict_policy(page)
    script = client.get("/t/alpha/api/v1/docs/", {"script": ""})
    assert script.status_code == 200 and script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in script.content.decode()


def test_session_and_csrf_cookies(tenant_a):
    client = Client()
    form = client.get("/t/alpha/login/")
    csrf = form.cookies[settings.CSRF_COOKIE_NAME]
    assert csrf["httponly"] and csrf["samesite"] == "Lax"
    response = client.post("/t/alpha/login/", {"login": tenant_a.employee.employee_number, "password": PASSWORD})
    assert response.status_code == 302
    session = response.cookies[settings.SESSION_COOKIE_NAME]
    assert session["httponly"] and session["samesite"] == "Lax"
    assert int(session["max-age"]) == settings.SESSION_COOKIE_AGE == 8 * 3600
    # The session ends a working day after sign-in: later pages do not push its end further.
    assert client.get("/t/alpha/").status_code == 200
    assert settings.SESSION_COOKIE_NAME not in client.get("/t/alpha/").cookies
