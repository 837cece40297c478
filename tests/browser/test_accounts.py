"""Through a real browser: a person who forgot their password resets it from the sign-in page; a newcomer without
email scans the activation link the lean office shows and signs in."""

import re
from urllib.parse import urlsplit

import pytest
from django.contrib.auth.hashers import make_password
from django.core import mail

from lean.models import User
from lean.tenancy import tenant_scope
from tests.factories import PASSWORD, make_member

from .conftest import screenshot

pytestmark = pytest.mark.browser

NEW_PASSWORD = "Kaizen-Plan-2027"


def test_reset_from_the_login_page_to_signing_in_with_the_new_password(page, live_server, transactional_db, tenant_a):
    user = tenant_a.employee.user
    user.email = "em@alpha.example"
    user.save(update_fields=["email"])

    page.goto(f"{live_server.url}/t/alpha/login/")
    page.click("main a[href^='/password_reset/']")
    page.wait_for_url(re.compile(r"/password_reset/\?tenant=alpha$"))
    assert page.input_value("input[name=tenant]") == "alpha"
    page.fill("input[name=login]", tenant_a.employee.employee_number)
    screenshot(page, "accounts-reset-form")
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/password_reset/done/")
    screenshot(page, "accounts-reset-done")

    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["em@alpha.example"]
    link = urlsplit(re.search(r"https?://\S+/reset/\S+/", mail.outbox[0].body).group(0)).path
    page.goto(f"{live_server.url}{link}")
    page.wait_for_url(re.compile(r"/reset/.+/set-password/$"))
    page.fill("input[name=new_password1]", NEW_PASSWORD)
    page.fill("input[name=new_password2]", NEW_PASSWORD)
    screenshot(page, "accounts-reset-confirm")
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/reset/done/")
    screenshot(page, "accounts-reset-complete")

    page.click("main a[href='/login/']")
    page.fill("input[name=tenant]", "alpha")
    page.fill("input[name=login]", tenant_a.employee.employee_number)
    page.fill("input[name=password]", NEW_PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/t/alpha/")
    assert tenant_a.employee.user.full_name in page.locator("h1").inner_text()

    # The link is spent: opening it again says so.
    page.goto(f"{live_server.url}{link}")
    assert page.locator("main a[href='/password_reset/']").count() == 1


def test_newcomer_scans_the_activation_link_the_lean_office_shows(
    browser, page, live_server, transactional_db, tenant_a
):
    newcomer = User.objects.create(username="hr-new", full_name="新同事", password=make_password(None))
    with tenant_scope(tenant_a.tenant):
        person = make_member(tenant_a.team, ["employee"], number="ALPHA-NEW", user=newcomer)

    page.goto(f"{live_server.url}/t/alpha/login/")
    page.fill("input[name=login]", tenant_a.lean_office.employee_number)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/t/alpha/")
    page.goto(f"{live_server.url}/t/alpha/members/{person.pk}/")
    screenshot(page, "accounts-member-detail")
    page.click(f"main a[href='/t/alpha/members/{person.pk}/activation/']")
    assert page.is_checked("input[name=delivery][value=screen]")  # no email: on screen is the choice
    screenshot(page, "accounts-activation-choice")
    page.click("main button[type=submit]")
    page.wait_for_selector("main svg")
    screenshot(page, "accounts-activation-qr")
    url = page.input_value("#activation-url")

    phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN").new_page()
    phone.goto(url)
    phone.wait_for_url(re.compile(r"/activate/.+/set-password/$"))
    assert "ALPHA-NEW" in phone.locator("main").inner_text()
    phone.fill("input[name=new_password1]", NEW_PASSWORD)
    phone.fill("input[name=new_password2]", NEW_PASSWORD)
    screenshot(phone, "accounts-activate")
    phone.click("main button[type=submit]")
    phone.wait_for_url(f"{live_server.url}/t/alpha/")
    assert "新同事" in phone.locator("h1").inner_text()
    screenshot(phone, "accounts-activated-home")
    phone.context.close()
