"""Benchmarking in a real browser: the board (htmx picker), a cell, and the comparison chart it opens."""

from decimal import Decimal

import pytest

from benchmarking import services
from lean import periods
from lean.tenancy import tenant_scope
from tests.benchmarking.factories import make_benchmarking
from tests.targets.factories import make_targets, read

from .conftest import screenshot
from .test_targets import sign_in

pytestmark = pytest.mark.browser
MONTHS = ["2025-01", "2025-02", "2025-03", "2025-04"]


def make_data(ts):
    """Four months of the uptime indicator against three more outside peers. In April: 甲 99.5, 乙 97.5, the unit
    94, 丙 92.5: the unit is third of four, in the third quartile (the factory's peer has January only)."""
    make_targets(ts)
    benchmark = make_benchmarking(ts)
    for month, value in zip(MONTHS[1:], [91, 93, 94], strict=True):  # January (90) comes from make_targets
        read(ts.lean_office, ts.extra["uptime"], ts.unit, month, value)
    for name, base in [("标杆甲", 98), ("标杆乙", 96), ("标杆丙", 91)]:
        peer = services.peer_save(actor=ts.lean_office, name=name, kind="enterprise")
        services.peer_values_save(
            actor=ts.lean_office,
            items=[
                services.ValueInput(benchmark, peer, periods.parse(month), Decimal(base) + Decimal(step) / 2, "年报")
                for step, month in enumerate(MONTHS)
            ],
        )
    return benchmark


def test_board_cell_opens_the_comparison_chart(browser, live_server, transactional_db, tenant_a):
    with tenant_scope(tenant_a.tenant):
        make_data(tenant_a)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(10_000)
    sign_in(page, live_server.url, tenant_a.manager)

    page.goto(f"{live_server.url}/t/alpha/benchmarking/")
    page.click("label[for=kind-month]")  # htmx: the board comes back compared per month
    page.wait_for_selector("#kind-month:checked")
    page.select_option("#board-period", "2025-04")
    page.wait_for_url("**period=2025-04")  # htmx pushed the picker's state into the address
    cell = page.locator(f"a.lean-bm-cell[href*='unit={tenant_a.unit.pk}&']")
    cell.wait_for()
    assert "lean-bm-q3" in cell.get_attribute("class") and "3/4" in cell.inner_text()
    screenshot(page, "benchmarking-board")

    cell.click()
    page.wait_for_selector("#comparison-chart[data-ready='1']")
    rows = page.locator("#participants tbody tr")
    assert rows.count() == 4
    assert "标杆甲" in rows.first.inner_text()
    assert tenant_a.unit.name in page.locator("#participants tr.lean-bm-chosen").inner_text()
    screenshot(page, "benchmarking-comparison")
    context.close()
