"""The Content-Security-Policy in a real browser: the lean office walks through the main pages (home, dashboard with
its charts, the dynamic query, a project, a listing, a benchmark, an indicator, the activation QR code, the public
notice board) and no page reports a CSP violation or a script error; the behaviours moved out of
inline handlers still work: a data-confirm form asks first and "cancel" stops it, a data-autosubmit select submits
its form, data-copy copies and data-select-on-focus selects."""

import pytest
from django.contrib.auth.hashers import make_password

from lean.models import User
from lean.tenancy import tenant_scope
from tests.benchmarking.factories import make_benchmarking
from tests.factories import PASSWORD, make_member, make_saved_query
from tests.innovation.factories import make_innovation
from tests.projects.factories import make_projects
from tests.targets.factories import make_targets

from .conftest import screenshot

pytestmark = pytest.mark.browser

WATCH_VIOLATIONS = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
});
"""


class Watch:
    """Collects what the browser reports: CSP violations (event and console) and uncaught script errors."""

    def __init__(self, context):
        context.add_init_script(WATCH_VIOLATIONS)
        self.console = []
        self.errors = []

    def attach(self, page):
        page.on("console", lambda m: self.console.append(m.text) if m.type in ("error", "warning") else None)
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        return page

    def assert_clean(self, page, where):
        events = page.evaluate("window.__csp || []")
        console = [t for t in self.console if "Content Security Policy" in t or "Content-Security-Policy" in t]
        assert (events, console, self.errors) == ([], [], []), where
        self.console.clear()


def visit(page, watch, url, ready="main"):
    response = page.goto(url)
    assert response.ok, (url, response.status)
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    page.wait_for_selector(ready)
    watch.assert_clean(page, url)


def test_main_pages_run_under_the_policy(browser, live_server, transactional_db, tenant_a):
    ts, x = tenant_a, tenant_a.extra
    newcomer = User.objects.create(username="csp-new", full_name="新同事", password=make_password(None))
    with tenant_scope(ts.tenant):
        for make in (make_targets, make_benchmarking, make_projects, make_innovation, make_saved_query):
            make(ts)
        person = make_member(ts.team, ["employee"], number="ALPHA-NEW", user=newcomer)
    base = live_server.url
    t = f"{base}/t/alpha"

    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base)
    watch = Watch(context)
    page = watch.attach(context.new_page())
    page.set_default_timeout(15_000)
    try:
        visit(page, watch, f"{t}/login/")
        page.fill("input[name=login]", ts.lean_office.employee_number)
        page.fill("input[name=password]", PASSWORD)
        page.click("main button[type=submit]")
        page.wait_for_url(f"{t}/")
        watch.assert_clean(page, "home")

        visit(page, watch, f"{t}/dashboard/")
        page.wait_for_function("() => !!document.querySelector('#chart-projects')?.chart")
        watch.assert_clean(page, "dashboard charts")
        screenshot(page, "csp-1-dashboard")
        visit(page, watch, f"{t}/query/saved/{x['saved_query'].pk}/")
        visit(page, watch, f"{t}/projects/{x['project'].pk}/")
        visit(page, watch, f"{t}/targets/indicators/{x['uptime'].pk}/")
        visit(page, watch, f"{t}/integrations/")

        # data-autosubmit: choosing another period submits the form (was onchange="this.form.submit()")
        visit(page, watch, f"{t}/benchmarking/indicators/{x['benchmark'].pk}/")
        current = page.input_value("#pick-period")
        other = page.eval_on_selector(
            "#pick-period", "(s, current) => [...s.options].map(o => o.value).find(v => v !== current)", current
        )
        page.select_option("#pick-period", other)
        page.wait_for_url(f"**period={other}*")
        watch.assert_clean(page, "benchmark after autosubmit")

        # the notice-board link: data-select-on-focus and data-copy on the page that shows it once
        listing = f"{t}/innovation/listings/{x['listing'].pk}/"
        visit(page, watch, listing)
        page.click("#board-link button[type=submit]")
        page.wait_for_selector("#board-url")
        board_url = page.input_value("#board-url")
        page.focus("#board-url")
        selected = "(i => i.selectionStart === 0 && i.selectionEnd === i.value.length)(document.activeElement)"
        assert page.evaluate(selected)
        page.click("button[data-copy='#board-url']")
        page.wait_for_function("() => document.querySelector('button[data-copy]').textContent.includes('已复制')")
        assert page.evaluate("navigator.clipboard.readText()") == board_url
        watch.assert_clean(page, "board link")

        # data-confirm: cancelling "make a new link" keeps the current one; the question is the template's
        visit(page, watch, listing)
        asked = []
        page.once("dialog", lambda dialog: (asked.append((dialog.type, dialog.message)), dialog.dismiss()))
        page.click("#board-link form[data-confirm] button[type=submit] >> nth=0")
        assert asked == [("confirm", "确定生成新链接吗？当前链接将失效。")]
        assert page.url == listing  # and the old link still opens the board below: no new link was made
        screenshot(page, "csp-2-listing")

        # the activation link's QR code (inline SVG) and its copy button
        visit(page, watch, f"{t}/members/{person.pk}/activation/")
        page.click("main button[type=submit]")
        page.wait_for_selector("main .lean-qr svg")
        page.click("button[data-copy='#activation-url']")
        page.wait_for_function("() => document.querySelector('button[data-copy]').textContent.includes('已复制')")
        assert page.evaluate("navigator.clipboard.readText()") == page.input_value("#activation-url")
        watch.assert_clean(page, "activation link")
        screenshot(page, "csp-3-activation")
    finally:
        context.close()

    # the public notice board, without signing in, still shows the listing: the cancelled confirm changed nothing
    screen = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    watch = Watch(screen)
    page = watch.attach(screen.new_page())
    try:
        visit(page, watch, board_url, ready="#board-summary")
        screenshot(page, "csp-4-board")
    finally:
        screen.close()
