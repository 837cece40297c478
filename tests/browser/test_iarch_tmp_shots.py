import pytest

from lean.tenancy import tenant_scope
from tests.innovation.factories import make_innovation, make_opl
from tests.innovation.test_archive_pages import bulk_contributions

from .conftest import screenshot
from .test_innovation import no_sideways_scroll, sign_in

pytestmark = pytest.mark.browser


def test_shots(browser, live_server, transactional_db, tenant_a):
    ts = tenant_a
    with tenant_scope(ts.tenant):
        make_innovation(ts)
        make_opl(ts, title="待核实的一点课")
        bulk_contributions(ts, 60, member=ts.employee, unit=ts.team, year=2026)
        from innovation.services import suggestions
        suggestions.suggestion_submit(actor=ts.employee, title="输煤栈桥加装照明", problem="看不清", proposal="加灯")
    base = live_server.url
    for size, tag in (((1280, 900), "laptop"), ((390, 844), "phone")):
        context = browser.new_context(viewport={"width": size[0], "height": size[1]}, locale="zh-CN")
        page = context.new_page()
        sign_in(page, base, ts.lean_office)
        for name, path in [
            ("units", "/t/alpha/innovation/units/?year=2025"),
            ("unit", f"/t/alpha/innovation/units/{ts.unit.pk}/"),
            ("contributions", "/t/alpha/innovation/contributions/"),
            ("suggestions", "/t/alpha/innovation/suggestions/"),
            ("suggestion", f"/t/alpha/innovation/suggestions/{ts.extra['suggestion'].pk}/"),
            ("member", f"/t/alpha/innovation/people/{ts.employee.pk}/"),
            ("qc", f"/t/alpha/innovation/contributions/{ts.extra['qc'].pk}/"),
            ("new", "/t/alpha/innovation/contributions/new/"),
        ]:
            page.goto(base + path)
            print(name, tag, no_sideways_scroll(page))
            screenshot(page, f"x-{name}-{tag}")
        context.close()
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page = context.new_page()
    sign_in(page, base, ts.manager)
    with tenant_scope(ts.tenant):
        from innovation.models import Suggestion
        idea = Suggestion.objects.get(title="输煤栈桥加装照明")
    page.goto(f"{base}/t/alpha/innovation/suggestions/{idea.pk}/")
    print("mgr-suggestion", no_sideways_scroll(page))
    screenshot(page, "x-mgr-suggestion-phone")
    context.close()
