"""A demo employee signs in through a real browser and sees their home page, in Chinese and in English."""

import pytest

from tests.factories import PASSWORD

from .conftest import screenshot

pytestmark = pytest.mark.browser


def test_employee_signs_in_and_sees_home_in_both_languages(page, live_server, transactional_db, tenant_a, tenant_b):
    page.goto(f"{live_server.url}/login/")
    assert page.locator("h1").inner_text() == "登录"
    screenshot(page, "login-zh")
    page.fill("input[name=tenant]", "alpha")
    page.fill("input[name=login]", tenant_a.employee.employee_number)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/t/alpha/")
    assert "欢迎" in page.locator("h1").inner_text()
    assert tenant_a.employee.user.full_name in page.locator("h1").inner_text()
    screenshot(page, "home-zh")

    # On a phone-sized screen the menu collapses behind the toggler; open it and switch the language.
    page.click("button.navbar-toggler")
    # Bootstrap marks the menu "show" once it has finished opening: a click while it still slides open can miss.
    page.locator("#main-nav.show").wait_for()
    # The page comes back to the same address, so wait for the navigation itself, not for the URL.
    with page.expect_navigation():
        page.click("button[name=language][value=en]")
    assert page.locator("h1").inner_text().startswith("Welcome")
    assert page.locator("html").get_attribute("lang") == "en"
    screenshot(page, "home-en")


def test_wrong_password_shows_the_error_in_the_form(page, live_server, transactional_db, tenant_a):
    page.goto(f"{live_server.url}/t/alpha/login/")
    page.fill("input[name=login]", tenant_a.employee.employee_number)
    page.fill("input[name=password]", "not-the-password")
    page.click("main button[type=submit]")
    assert "不正确" in page.locator(".alert-danger").inner_text()
