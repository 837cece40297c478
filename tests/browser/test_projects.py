"""Filing a project in a real browser: a unit manager goes through the steps (basics, indicators, team, plan),
submits it, and the lean office finds it in the "submitted" column of the portfolio board."""

import pytest

from lean.tenancy import tenant_scope
from projects import guides
from projects.models import Project, State
from tests.factories import PASSWORD
from tests.projects.factories import make_guide
from tests.targets.factories import YEAR, make_targets

from .conftest import screenshot

pytestmark = pytest.mark.browser


def sign_in(page, base, member):
    page.goto(f"{base}/t/alpha/login/")
    page.fill("input[name=login]", member.employee_number)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{base}/t/alpha/")


def test_file_a_project_in_steps_submit_it_and_see_it_on_the_board(browser, live_server, transactional_db, tenant_a):
    ts = tenant_a
    with tenant_scope(ts.tenant):
        make_targets(ts)
        guide, direction = make_guide(ts, year=YEAR)
        guides.guide_publish(actor=ts.lean_office, guide=guide)
    base = live_server.url
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(10_000)
    sign_in(page, base, ts.manager)

    # My projects → "File a project"
    page.goto(f"{base}/t/alpha/projects/")
    page.click("#file-project")
    page.wait_for_url(f"{base}/t/alpha/projects/new/")

    # 1. basics
    page.fill("#id_title", "降低一分公司设备非计划停运次数")
    page.select_option("#id_tier", "hq")
    page.select_option("#id_year", str(YEAR))
    page.select_option("#id_direction", str(direction.pk))
    page.fill("#id_problem", "设备可用率连续三个月低于目标")
    page.fill("#id_management_base", "已建立点检制度")
    page.fill("#id_capability", "有专业检修队伍")
    page.fill("#id_expected_effect", "可用率提升2个百分点")
    screenshot(page, "projects-1-basics")
    page.click("#basics-form button[type=submit]")

    # 2. indicators: the unit's uptime shortfall is offered, with its indicator filled in from actual → target
    page.wait_for_url("**/indicators/")
    assert page.locator("[data-step=basics].is-complete").count() == 1
    assert page.locator("input[name=shortfalls]:checked").count() == 1
    assert page.input_value("input[name=ind-0-baseline]") != ""
    page.fill("input[name=ind-0-goal]", "95")
    screenshot(page, "projects-2-indicators")
    page.click("#indicators-form button[type=submit]")

    # 3. team: the filer leads; find the employee by number and give shares 60 / 40
    page.wait_for_url("**/team/")
    page.fill("#member-search", ts.employee.employee_number)
    page.locator(f"[data-add-member][data-number='{ts.employee.employee_number}']").click()
    assert page.input_value("input[name=team-1-number]") == ts.employee.employee_number
    page.fill("input[name=team-0-share]", "60")
    page.fill("input[name=team-1-share]", "40")
    assert page.inner_text("[data-share-total]") == "100%"
    screenshot(page, "projects-3-team")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "projects-3-team-phone")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.click("#team-form button[type=submit]")

    # 4. plan
    page.wait_for_url("**/plan/")
    page.fill("#id_planned_start", f"{YEAR}-03-01")
    page.fill("#id_planned_end", f"{YEAR}-11-30")
    page.fill("#id_pdca_plan", "分析停机原因，确定预防性维护措施")
    page.fill("#id_pdca_do", "在两条产线试点")
    page.fill("#id_pdca_check", "按月跟踪可用率")
    page.fill("#id_pdca_act", "固化点检标准")
    page.fill("#id_estimated_benefit", "120000")
    page.fill("#id_estimated_hours", "300")
    screenshot(page, "projects-4-plan")
    page.click("#plan-form button[type=submit]")

    # the project page: every step complete, submit
    page.wait_for_url("**/projects/*/#actions")
    for step in ("basics", "indicators", "team", "plan"):
        assert page.locator(f"[data-step={step}].is-complete").count() == 1, step
    screenshot(page, "projects-5-draft")
    page.click("button[data-action=submit]")
    page.wait_for_selector("#project-state .lean-state-submitted")
    with tenant_scope(ts.tenant):
        project = Project.objects.get()
        assert project.state == State.SUBMITTED
        assert project.team.count() == 2 and project.indicator_links.count() == 1
    screenshot(page, "projects-6-submitted")
    page.goto(f"{base}/t/alpha/projects/")
    assert page.locator(f"#state-submitted [data-project='{project.code}']").count() == 1
    screenshot(page, "projects-6-mine")
    context.close()

    # the lean office sees it in the "submitted" column of the board (on a phone)
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(10_000)
    sign_in(page, base, ts.lean_office)
    page.goto(f"{base}/t/alpha/projects/portfolio/?year={YEAR}")
    card = page.locator(f"#col-submitted [data-project='{project.code}']")
    card.wait_for()
    assert "降低一分公司设备非计划停运次数" in card.inner_text()
    screenshot(page, "projects-7-board")

    # the approver's view of the proposal: the assessment and the approval buttons
    card.locator("a").first.click()
    page.wait_for_selector("#approval")
    assert page.locator("button[data-action=approve]").is_visible()
    screenshot(page, "projects-8-approval-phone")
    context.close()
