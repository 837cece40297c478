"""The lean office's dashboard in a real browser: at desktop width every tile with a chart draws it from its JSON
endpoint; clicking the shortfall tile's "uncovered" figure lands on the shortfall list filtered to exactly those;
on a phone the page does not scroll sideways; an employee's home shows their archive summary and opens the
open listing."""

import pytest

from tests.factories import PASSWORD
from tests.insights.test_dashboard import world  # noqa: F401  (the fixture: known data in two tenants)

from .conftest import screenshot

pytestmark = pytest.mark.browser

CHARTS = ["shortfalls", "benchmarks", "projects", "benefits", "innovation", "suggestions"]


def sign_in(page, base, member):
    page.goto(f"{base}/t/alpha/login/")
    page.fill("input[name=login]", member.employee_number)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{base}/t/alpha/")


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth")


def test_the_lean_office_opens_the_dashboard_and_drills_down(browser, live_server, transactional_db, world):  # noqa: F811
    ts, _other = world
    base = live_server.url
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        sign_in(page, base, ts.lean_office)
        assert page.locator("#home-dashboard [data-headline=shortfalls]").is_visible()
        screenshot(page, "dashboard-0-home-desktop")
        page.click("#open-dashboard")
        page.wait_for_url(f"{base}/t/alpha/dashboard/")
        for name in CHARTS:
            page.wait_for_function(f"() => !!document.querySelector('#chart-{name}')?.chart")
        assert page.locator("#achievement-branches td.lean-heat-good a").count() >= 1
        screenshot(page, "dashboard-1-desktop")

        figure = page.locator("#tile-shortfalls a[data-figure=uncovered]")
        expected = int(figure.locator(".lean-figure-value").inner_text())
        assert expected == 2
        figure.click()
        page.wait_for_url("**/targets/shortfalls/**")
        assert "uncovered=on" in page.url
        assert page.locator("tr.lean-shortfall-row").count() == expected
        screenshot(page, "dashboard-2-drilled-down")
    finally:
        context.close()

    phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page = phone.new_page()
    page.set_default_timeout(15_000)
    try:
        sign_in(page, base, ts.lean_office)
        page.goto(f"{base}/t/alpha/dashboard/")
        page.wait_for_function("() => !!document.querySelector('#chart-projects')?.chart")
        assert no_sideways_scroll(page)
        screenshot(page, "dashboard-3-phone")
        page.context.clear_cookies()
        sign_in(page, base, ts.employee)  # an employee's home: their archive summary and the open listing
        assert page.locator("#home-archive [data-home-points]").is_visible()
        page.click(f"#home-listings a[href='/t/alpha/innovation/listings/{ts.extra['listing'].pk}/']")
        page.wait_for_url(f"**/innovation/listings/{ts.extra['listing'].pk}/")
        page.go_back()
        assert no_sideways_scroll(page)
        screenshot(page, "dashboard-4-employee-home-phone")
    finally:
        phone.close()
