"""A member signs in through the enterprise's own OpenID Connect provider in a real browser: the button on the
tenant's sign-in page, the provider's login and consent pages, and back on Lean's home page, signed in."""

import pytest

from lean.sso import sso_settings_update
from lean.tenancy import tenant_scope
from tests.factories import PASSWORD
from tests.oidc import client_metadata, oidc_provider

from .conftest import screenshot

pytestmark = pytest.mark.browser

SECRET = "browser-client-secret-0123456789"


def test_member_signs_in_with_single_sign_on(page, live_server, transactional_db, tenant_a):
    callback = f"{live_server.url}/t/alpha/sso/callback/"
    accounts = {"alice": {"name": "Alice", "employee_number": tenant_a.employee.employee_number}}
    with oidc_provider([client_metadata("lean-alpha", SECRET, callback)], accounts) as issuer:
        with tenant_scope(tenant_a.tenant):
            sso_settings_update(
                actor=tenant_a.lean_office,
                enabled=True,
                button_label="甲公司统一认证",
                issuer=issuer,
                client_id="lean-alpha",
                client_secret=SECRET,
                scopes="openid profile employee",
                employee_number_claim="employee_number",
            )
        page.goto(f"{live_server.url}/t/alpha/login/")
        button = page.locator("#sso-button")
        assert "甲公司统一认证" in button.inner_text()
        screenshot(page, "sso-login-zh")
        button.click()
        page.wait_for_url(f"{issuer}/interaction/**")
        page.fill("input[name=login]", "alice")
        page.fill("input[name=password]", "any")
        page.click("button[type=submit]")
        page.wait_for_selector("input[name=prompt][value=consent]", state="attached")
        page.click("button[type=submit]")
        page.wait_for_url(f"{live_server.url}/t/alpha/")
        assert tenant_a.employee.user.full_name in page.locator("h1").inner_text()


def test_lean_office_fills_in_the_provider(page, live_server, transactional_db, tenant_a):
    page.goto(f"{live_server.url}/t/alpha/login/?next=/t/alpha/integrations/sso/")
    page.fill("input[name=login]", tenant_a.lean_office.employee_number)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/t/alpha/integrations/sso/")
    page.fill("input[name=issuer]", "http://sso.example.com")
    page.fill("input[name=client_id]", "lean-alpha")
    page.check("input[name=enabled]")
    page.click("#sso-form button[type=submit]")
    assert "https" in page.locator("#sso-form").inner_text()
    page.fill("input[name=issuer]", "https://sso.example.com/realms/lean")
    page.fill("input[name=client_secret]", "a-secret-never-shown")
    page.click("#sso-form button[type=submit]")
    page.wait_for_selector("#sso-status.text-bg-success")
    assert "a-secret-never-shown" not in page.content()
    screenshot(page, "sso-settings-zh")
