"""The innovation archive in a real browser, on a phone (390×844): an employee opens their archive, sees their
points and contributions without sideways scrolling, narrows it to a year (htmx), records an OPL watching the
points preview follow the levels (htmx), and submits a suggestion."""

import json

import pytest

from innovation.models import Contribution, Credit, Suggestion
from lean.tenancy import tenant_scope
from tests.factories import PASSWORD
from tests.innovation.factories import make_innovation

from .conftest import screenshot

pytestmark = pytest.mark.browser


def sign_in(page, base, member):
    page.goto(f"{base}/t/alpha/login/")
    page.fill("input[name=login]", member.employee_number)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{base}/t/alpha/")


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth")


def test_an_employee_opens_their_archive_on_a_phone(page, live_server, transactional_db, tenant_a):
    ts = tenant_a
    with tenant_scope(ts.tenant):
        make_innovation(ts)
        credits = list(Credit.objects.filter(member=ts.employee, contribution__status=Contribution.Status.VERIFIED))
        total = sum(c.points for c in credits)
        in_2025 = sum(c.points for c in credits if c.contribution.occurred_on.year == 2025)
    base = live_server.url
    sign_in(page, base, ts.employee)

    page.goto(f"{base}/t/alpha/innovation/")
    assert page.inner_text("[data-total]").strip() == f"{total:.2f}".rstrip("0").rstrip(".")
    assert page.locator("[data-rank]").count() == 0  # no ranking unless the tenant turns it on
    cards = page.locator("#contributions [data-contribution]")
    assert cards.count() == 3
    assert "降低磨煤机故障率QC小组" in page.inner_text("#contributions")
    assert page.locator("#points-by-type li").count() == 3
    assert page.locator("#submit-suggestion").is_visible() and page.locator("#record-contribution").is_visible()
    assert no_sideways_scroll(page)
    screenshot(page, "innovation-1-archive-phone")

    # the year filter swaps the archive in place (htmx)
    page.select_option("#id_year", "2025")
    # Predicates are arrow functions with their values written in: Playwright polls a bare expression, or one
    # given arg=, through eval, which the pages' Content-Security-Policy forbids.
    expected = json.dumps(f"{in_2025:.2f}".rstrip("0").rstrip("."))
    page.wait_for_function(f"() => document.querySelector('[data-total]').textContent.trim() === {expected}")
    assert cards.count() == 2 and "year=2025" in page.url
    assert no_sideways_scroll(page)

    # a contribution's page: the points and how they came about
    cards.first.locator("a").first.click()
    page.wait_for_selector("[data-formula]")
    assert no_sideways_scroll(page)
    screenshot(page, "innovation-2-contribution-phone")

    # record an OPL: the preview follows the levels
    page.goto(f"{base}/t/alpha/innovation/contributions/new/")
    with tenant_scope(ts.tenant):
        from innovation.models import ContributionType

        opl = ContributionType.objects.get(code="opl").pk
    page.select_option("#id_type", str(opl))
    page.wait_for_function("() => document.querySelector('[data-preview-points]').textContent.trim() === '6.4'")
    page.select_option("#id_award", "unit")
    page.wait_for_function("() => document.querySelector('[data-preview-points]').textContent.trim() === '16.4'")
    page.fill("#id_title", "皮带跑偏调整一点课")
    assert no_sideways_scroll(page)
    screenshot(page, "innovation-3-record-phone")
    page.click("#contribution-form button[type=submit]")
    page.wait_for_selector("[data-formula]")
    assert "皮带跑偏调整一点课" in page.inner_text("h1")
    with tenant_scope(ts.tenant):
        recorded = Contribution.objects.get(title="皮带跑偏调整一点课")
        assert recorded.status == Contribution.Status.SUBMITTED and str(recorded.points) == "16.40"

    # submit a suggestion from the phone
    page.goto(f"{base}/t/alpha/innovation/")
    page.click("#submit-suggestion")
    page.fill("#id_title", "输煤栈桥加装照明")
    page.fill("#id_problem", "夜间巡检看不清")
    page.fill("#id_proposal", "加装LED灯带")
    assert no_sideways_scroll(page)
    screenshot(page, "innovation-4-suggestion-phone")
    page.click("#suggestion-form button[type=submit]")
    page.wait_for_selector("#flow")
    with tenant_scope(ts.tenant):
        assert Suggestion.objects.filter(title="输煤栈桥加装照明", proposer=ts.employee).exists()
    assert no_sideways_scroll(page)
    screenshot(page, "innovation-5-suggestion-sent-phone")


def test_a_manager_verifies_a_waiting_opl_and_records_a_qc_activity(browser, live_server, transactional_db, tenant_a):
    ts = tenant_a
    with tenant_scope(ts.tenant):
        make_innovation(ts)
        from tests.innovation.factories import make_opl

        waiting = make_opl(ts, title="待核实的换型一点课")
    base = live_server.url
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(10_000)
    sign_in(page, base, ts.manager)

    # "Units" takes a manager to their unit's page, which points at what waits for them
    page.goto(f"{base}/t/alpha/innovation/units/")
    page.wait_for_url(f"**/innovation/units/{ts.unit.pk}/")
    assert page.locator("#top-contributors [data-member]").count() >= 1
    screenshot(page, "innovation-6-unit-laptop")
    page.click("#waiting-link")
    page.wait_for_url("**/contributions/?unit=*status=submitted")
    assert page.locator("#contribution-table [data-contribution]").count() == 1
    screenshot(page, "innovation-7-waiting-laptop")
    page.click(f"[data-contribution='{waiting.pk}'] a")
    page.select_option("#id_complexity", "medium")
    screenshot(page, "innovation-8-verify-laptop")
    page.click("button[data-action=verify]")
    page.wait_for_selector("#contribution-status [data-status=verified]")
    assert page.inner_text("[data-points]").strip() == "7.68"  # 8 × 1 × 0.8 × 1.2

    # a QC activity for two people, 60 / 40
    page.goto(f"{base}/t/alpha/innovation/contributions/new/")
    with tenant_scope(ts.tenant):
        from innovation.models import ContributionType

        qc = ContributionType.objects.get(code="qc").pk
    page.select_option("#id_type", str(qc))
    page.fill("#id_title", "降低输煤皮带撒料QC小组")
    page.fill("input[name=team-0-share]", "60")
    page.click("[data-add-row]")
    page.fill("input[name=team-1-number]", ts.employee.employee_number)
    page.fill("input[name=team-1-share]", "40")
    assert page.inner_text("[data-share-total]") == "100%"
    page.wait_for_function("() => document.querySelector('[data-preview-points]').textContent.trim() === '48'")
    screenshot(page, "innovation-9-record-team-laptop")
    page.click("#contribution-form button[type=submit]")
    page.wait_for_selector("#credits [data-credit]")
    assert page.locator("#credits [data-credit]").count() == 2
    screenshot(page, "innovation-10-team-contribution-laptop")
    context.close()
