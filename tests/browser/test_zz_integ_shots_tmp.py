import pytest

from tests.factories import PASSWORD

from .conftest import screenshot

pytestmark = pytest.mark.browser


def test_shots(browser, live_server, transactional_db, tenant_a):
    from lean.apikeys import api_key_create, api_key_revoke
    from lean.models import WebhookDelivery
    from lean.tenancy import tenant_scope
    from lean.webhooks import endpoint_create

    with tenant_scope(tenant_a.tenant):
        old, _t = api_key_create(actor=tenant_a.lean_office, name="Old HR connector", scopes=["hr:read", "projects:read"])
        api_key_revoke(actor=tenant_a.lean_office, key=old)
        ep = endpoint_create(actor=tenant_a.lean_office, url="https://hr.example.com/lean/webhook",
                             events=["listing.finalized", "project.closed"], description="HR system (production)")
        endpoint_create(actor=tenant_a.lean_office, url="https://bi.example.com/hooks/lean", events=["project.closed"])
        for n, (st, code, err) in enumerate([("delivered", 200, ""), ("failed", 502, "Bad Gateway: upstream timed out"),
                                              ("pending", None, ""), ("delivered", 204, "")]):
            WebhookDelivery.objects.create(tenant=tenant_a.tenant, endpoint=ep, event="listing.finalized",
                                           event_id=f"7f3c2a9b{n:04d}e1", payload={"id": n, "event": "listing.finalized", "data": {"listing": 12, "period": "2026-Q1"}},
                                           status=st, attempts=1 if st != "failed" else 8, last_status_code=code, last_error=err)
    for name, vp in [("desktop", {"width": 1366, "height": 900}), ("phone", {"width": 390, "height": 844})]:
        ctx = browser.new_context(viewport=vp, locale="en")
        page = ctx.new_page()
        page.goto(f"{live_server.url}/t/alpha/login/")
        page.fill("input[name=login]", tenant_a.lean_office.employee_number)
        page.fill("input[name=password]", PASSWORD)
        page.click("main button[type=submit]")
        page.wait_for_url(f"{live_server.url}/t/alpha/")
        ctx.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
        page.goto(f"{live_server.url}/t/alpha/integrations/")
        page.fill("input[name=key-name]", f"HR system {name}")
        page.check("#id_key-scopes_hr-read")
        page.check("#id_key-scopes_hr-write")
        page.click("#key-form button[type=submit]")
        page.wait_for_selector("#new-token")
        screenshot(page, f"integrations-{name}")
        page.click("#webhook-form button[type=submit]")
        page.wait_for_selector(".invalid-feedback")
        screenshot(page, f"integrations-errors-{name}")
        page.goto(f"{live_server.url}/t/alpha/integrations/webhooks/{ep.pk}/")
        page.click("#secret summary")
        page.click("tr[data-delivery] details summary")
        screenshot(page, f"webhook-{name}")
        page.select_option("#id_status", "failed")
        page.wait_for_timeout(800)
        assert "status=failed" in page.url
        screenshot(page, f"webhook-failed-{name}")
        ctx.close()
