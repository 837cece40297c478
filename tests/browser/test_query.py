"""The dynamic query in a real browser: the chart drawn from the JSON endpoint, the form following the measure,
saving a query and opening it again, on a desktop and on a phone."""

import pytest

from lean.tenancy import tenant_scope
from tests.insights.test_query import build

from .conftest import screenshot
from .test_targets import sign_in

pytestmark = pytest.mark.browser


def test_query_chart_form_and_saved_query(browser, live_server, transactional_db, tenant_a):
    with tenant_scope(tenant_a.tenant):
        build(tenant_a)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(10_000)
    sign_in(page, live_server.url, tenant_a.lean_office)

    page.goto(f"{live_server.url}/t/alpha/query/?measure=achievement&group_by=unit")
    page.wait_for_selector("#query-chart[data-ready='1']")
    assert page.locator("#query-table tbody tr").count() == 2
    screenshot(page, "query-desktop")

    # Points cannot be grouped by branch, and the project filters do not apply to them.
    page.select_option("#id_measure", "points")
    assert page.locator("#id_group_by option[value=branch]").is_disabled()
    assert page.locator("#id_tier").is_disabled() and not page.locator("#id_contribution_type").is_disabled()
    page.select_option("#id_group_by", "quarter")
    page.click("#query-form button[type=submit]")
    page.wait_for_selector("#query-chart[data-ready='1']")
    assert page.locator("#query-table tbody tr").count() == 3

    page.fill("#save-form input[name=name]", "季度积分")
    page.click("#save-form button[type=submit]")
    page.wait_for_url("**/query/saved/*/")
    page.wait_for_selector("#query-chart[data-ready='1']")
    assert page.locator("#query-table tbody tr").count() == 3
    assert "季度积分" in page.locator("#saved-list").inner_text()
    screenshot(page, "query-saved-desktop")
    context.close()

    phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page = phone.new_page()
    page.set_default_timeout(10_000)
    sign_in(page, live_server.url, tenant_a.manager)
    page.goto(f"{live_server.url}/t/alpha/query/?measure=points&group_by=unit")
    page.wait_for_selector("#query-chart[data-ready='1']")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, "the page must not scroll sideways on a phone"
    screenshot(page, "query-phone")
    phone.close()
