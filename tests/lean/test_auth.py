"""Sign-in with tenant and employee number, throttling per account and address, switch, language, sign-out."""

import pytest
from django.urls import reverse

from lean.tenancy import tenant_scope
from tests.factories import PASSWORD, make_member


def sign_in(client, slug, login, password=PASSWORD, ip="10.0.0.1"):
    return client.post("/login/", {"tenant": slug, "login": login, "password": password}, REMOTE_ADDR=ip)


def test_sign_in_with_employee_number_lands_on_the_tenant_home(client, tenant_a):
    response = sign_in(client, "alpha", tenant_a.employee.employee_number)
    assert response.status_code == 302
    assert response["Location"] == "/t/alpha/"
    home = client.get("/t/alpha/")
    assert home.status_code == 200
    assert tenant_a.employee.user.full_name in home.content.decode()


def test_sign_in_with_username_works_too(client, tenant_a):
    assert sign_in(client, "alpha", tenant_a.manager.user.username).status_code == 302


def test_tenant_login_page_signs_in_to_that_tenant(client, tenant_a):
    page = client.get("/t/alpha/login/")
    assert page.status_code == 200
    response = client.post("/t/alpha/login/", {"login": tenant_a.employee.employee_number, "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/t/alpha/"


@pytest.mark.parametrize(
    "slug,login,password",
    [("alpha", "ALPHA-EM", "wrong"), ("beta", "ALPHA-EM", PASSWORD), ("nowhere", "ALPHA-EM", PASSWORD)],
)
def test_wrong_credentials_rerender_with_an_error(client, two_tenants, slug, login, password):
    response = sign_in(client, slug, login, password)
    assert response.status_code == 400
    assert "_auth_user_id" not in client.session
    assert 'class="alert alert-danger"' in response.content.decode()


def test_an_employee_number_of_another_tenant_does_not_sign_in(client, two_tenants):
    a, b = two_tenants
    assert sign_in(client, "alpha", b.employee.employee_number).status_code == 400


def test_inactive_member_cannot_sign_in(client, tenant_a):
    with tenant_scope(tenant_a.tenant):
        tenant_a.employee.active = False
        tenant_a.employee.save()
    assert sign_in(client, "alpha", tenant_a.employee.employee_number).status_code == 400


def test_repeated_failures_lock_the_account_from_that_address_only(client, settings, tenant_a):
    number = tenant_a.employee.employee_number
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "alpha", number, "wrong", ip="10.0.0.7")
    locked = sign_in(client, "alpha", number, PASSWORD, ip="10.0.0.7")
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session
    # A colleague behind the same address is not locked out by someone else's typos…
    assert sign_in(client, "alpha", tenant_a.manager.employee_number, ip="10.0.0.7").status_code == 302
    client.post("/logout/")
    # …and the same person from another address can still sign in.
    assert sign_in(client, "alpha", number, ip="10.0.0.8").status_code == 302


def test_anonymous_visitor_of_a_tenant_page_is_sent_to_its_login(client, tenant_a):
    response = client.get("/t/alpha/units/")
    assert response.status_code == 302
    assert response["Location"].startswith("/t/alpha/login/?next=")


def test_tenant_switch_between_memberships(client, two_tenants, login):
    a, b = two_tenants
    with tenant_scope(b.tenant):
        make_member(b.unit, ["employee"], user=a.employee.user, number="B-SHARED")
    login(a.employee)
    page = client.get("/tenants/?choose=1").content.decode()
    assert "/t/alpha/" in page and "/t/beta/" in page
    assert client.get("/t/alpha/").status_code == 200
    assert client.get("/t/beta/").status_code == 200
    assert client.get("/t/beta/").context["member"].employee_number == "B-SHARED"


def test_single_membership_goes_straight_home(client, tenant_a, login):
    login(tenant_a.employee)
    assert client.get("/tenants/")["Location"] == "/t/alpha/"


def test_language_switch(client, tenant_a, login):
    login(tenant_a.employee)
    assert "欢迎" in client.get("/t/alpha/").content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": "/t/alpha/"})
    page = client.get("/t/alpha/").content.decode()
    assert "Welcome" in page and 'lang="en"' in page
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/t/alpha/"})
    assert "欢迎" in client.get("/t/alpha/").content.decode()


def test_logout_needs_post_and_ends_the_session(client, tenant_a, login):
    login(tenant_a.employee)
    assert client.get("/logout/").status_code == 405
    assert client.post("/logout/").status_code == 302
    assert client.get("/t/alpha/").status_code == 302


def test_open_redirect_after_login_is_refused(client, tenant_a):
    response = client.post(
        "/login/?next=https://evil.example/",
        {"tenant": "alpha", "login": tenant_a.employee.employee_number, "password": PASSWORD},
    )
    assert response["Location"] == "/t/alpha/"
