"""The target tree in a real browser: open the tree, expand a goal (htmx), see a shortfall, open the chart."""

import pytest

from lean.tenancy import tenant_scope
from tests.factories import PASSWORD
from tests.targets.factories import YEAR, make_targets

from .conftest import screenshot

pytestmark = pytest.mark.browser


def sign_in(page, base, member):
    page.goto(f"{base}/t/alpha/login/")
    page.fill("input[name=login]", member.employee_number)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{base}/t/alpha/")


def test_open_the_tree_expand_a_goal_and_see_a_shortfall(browser, live_server, transactional_db, tenant_a):
    with tenant_scope(tenant_a.tenant):
        make_targets(tenant_a)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(10_000)
    sign_in(page, live_server.url, tenant_a.manager)

    page.goto(f"{live_server.url}/t/alpha/targets/?year={YEAR}&period={YEAR}-01")
    tree = page.locator("#target-tree")
    assert "安全生产" in tree.inner_text()
    assert "设备可用率" not in tree.inner_text()  # below the goal, not loaded yet

    page.locator("summary", has_text="安全生产").click()
    row = page.locator(".lean-node-row", has_text="设备可用率")
    row.wait_for()
    assert "94.7%" in row.inner_text()
    assert row.locator(".lean-shortfall-badge").is_visible()
    screenshot(page, "targets-tree")

    row.locator("a", has_text="设备可用率").click()
    page.wait_for_selector("#indicator-chart[data-ready='1']")
    assert "90" in page.locator("table").last.inner_text()
    screenshot(page, "targets-indicator")

    page.goto(f"{live_server.url}/t/alpha/targets/shortfalls/?year={YEAR}")
    assert page.locator(".lean-shortfall-row").count() == 1
    screenshot(page, "targets-shortfalls")
    context.close()
