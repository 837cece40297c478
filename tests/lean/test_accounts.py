"""Everyone can sign in: password change, reset by email, activation links (email or on screen), forced reset."""

import re
from datetime import datetime, timedelta

import pytest
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core import mail
from django.test import Client

from lean.accounts import REASON_FORCED, REASON_SENT, REASON_SHOWN, activation_token_generator, activation_url
from lean.models import Membership, User
from lean.tenancy import tenant_scope
from tests.factories import PASSWORD, make_member

NEW_PASSWORD = "Kaizen-Plan-2027"
LINK = re.compile(r"https?://[^/\s]+(/[^\s]+/)")


def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def sign_in(client, slug, login, password, ip="10.0.0.1"):
    return client.post("/login/", {"tenant": slug, "login": login, "password": password}, REMOTE_ADDR=ip)


def set_email(membership, *, user_email="", member_email=""):
    with tenant_scope(membership.tenant):
        membership.user.email = user_email
        membership.user.save(update_fields=["email"])
        Membership.objects.filter(pk=membership.pk).update(email=member_email)
        membership.refresh_from_db()


def newcomer(tenant_set, number="ALPHA-NEW", email=""):
    """A person as the HR sync makes them: an unusable password."""
    user = User.objects.create(username=f"hr-{number.lower()}", full_name="新同事", password=make_password(None))
    with tenant_scope(tenant_set.tenant):
        membership = make_member(tenant_set.team, ["employee"], number=number, user=user)
        if email:
            Membership.objects.filter(pk=membership.pk).update(email=email)
            membership.refresh_from_db()
    return membership


def link_in(message) -> str:
    return LINK.search(message.body).group(1)


def history(membership):
    with tenant_scope(membership.tenant):
        return list(membership.history.order_by("-history_id"))


def later(monkeypatch, days):
    now = datetime.now() + timedelta(days=days)
    monkeypatch.setattr(PasswordResetTokenGenerator, "_now", lambda self: now)


# --- password change ----------------------------------------------------------------------------------------------


def test_change_password_keeps_the_person_signed_in_and_the_new_one_works(client, tenant_a, login):
    login(tenant_a.employee)
    page = client.get("/password_change/")
    assert page.status_code == 200 and "修改密码" in page.content.decode()
    response = client.post(
        "/password_change/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302 and response["Location"] == "/password_change/done/"
    assert client.get("/t/alpha/").status_code == 200  # still signed in
    client.post("/logout/")
    assert sign_in(client, "alpha", tenant_a.employee.employee_number, PASSWORD).status_code == 400
    assert sign_in(client, "alpha", tenant_a.employee.employee_number, NEW_PASSWORD).status_code == 302


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"old_password": "wrong", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}, "old password"),
        ({"old_password": PASSWORD, "new_password1": "abc", "new_password2": "abc"}, "too short"),
        (
            {"old_password": PASSWORD, "new_password1": "12345678901", "new_password2": "12345678901"},
            "entirely numeric",
        ),
        ({"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": "other-Pass-99"}, "didn"),
    ],
)
def test_change_password_refuses_bad_input_and_keeps_the_old_password(client, tenant_a, login, data, message):
    login(tenant_a.employee)
    response = english(client).post("/password_change/", data)
    assert response.status_code == 200 and "is-invalid" in response.content.decode()
    assert message in response.content.decode()
    tenant_a.employee.user.refresh_from_db()
    assert tenant_a.employee.user.check_password(PASSWORD)


def test_change_password_needs_sign_in(client, db):
    response = client.get("/password_change/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_the_user_menu_links_to_password_change(client, tenant_a, login):
    login(tenant_a.employee)
    assert 'href="/password_change/"' in client.get("/t/alpha/").content.decode()


# --- reset by email -----------------------------------------------------------------------------------------------


def test_reset_by_employee_number_mails_a_link_that_works_once(client, tenant_a):
    set_email(tenant_a.employee, user_email="em@alpha.example")
    response = client.post("/password_reset/", {"tenant": "alpha", "login": tenant_a.employee.employee_number})
    assert response.status_code == 302 and response["Location"] == "/password_reset/done/"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["em@alpha.example"]
    assert "甲公司" in message.subject and tenant_a.employee.employee_number in message.body
    link = link_in(message)

    form = client.get(link, follow=True)
    assert form.status_code == 200 and form.context["validlink"]
    set_url = form.redirect_chain[-1][0]
    done = client.post(set_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302 and done["Location"] == "/reset/done/"
    assert sign_in(client, "alpha", tenant_a.employee.employee_number, NEW_PASSWORD).status_code == 302
    client.post("/logout/")

    again = Client().get(link, follow=True)
    assert again.context["validlink"] is False
    assert "链接已失效" in again.content.decode() or "no longer works" in again.content.decode()


def test_reset_by_email_address_reaches_the_membership_address(client, tenant_a):
    set_email(tenant_a.manager, member_email="um@alpha.example")
    client.post("/password_reset/", {"tenant": "alpha", "login": "UM@alpha.example"})
    assert [m.to for m in mail.outbox] == [["um@alpha.example"]]


@pytest.mark.parametrize(
    ("slug", "login"),
    [
        ("alpha", "NOBODY-123"),  # no such person
        ("nowhere", "ALPHA-EM"),  # no such tenant
        ("beta", "ALPHA-EM"),  # a person of another tenant
        ("alpha", "ALPHA-RV"),  # a person without any email address
    ],
)
def test_reset_answers_the_same_for_an_unknown_account_and_sends_nothing(client, two_tenants, slug, login):
    a, _b = two_tenants
    set_email(a.employee, user_email="em@alpha.example")
    response = client.post("/password_reset/", {"tenant": slug, "login": login})
    assert response.status_code == 302 and response["Location"] == "/password_reset/done/"
    assert mail.outbox == []


def test_reset_of_an_inactive_member_sends_nothing(client, tenant_a):
    set_email(tenant_a.employee, user_email="em@alpha.example")
    with tenant_scope(tenant_a.tenant):
        Membership.objects.filter(pk=tenant_a.employee.pk).update(active=False)
    client.post("/password_reset/", {"tenant": "alpha", "login": tenant_a.employee.employee_number})
    assert mail.outbox == []


def test_reset_form_rerenders_missing_fields(client, db):
    response = english(client).post("/password_reset/", {"tenant": "", "login": ""})
    assert response.status_code == 200
    assert response.content.decode().count("This field is required.") == 2
    assert mail.outbox == []


def test_reset_lets_someone_without_a_password_in(client, tenant_a):
    person = newcomer(tenant_a, email="new@alpha.example")
    client.post("/password_reset/", {"tenant": "alpha", "login": "ALPHA-NEW"})
    form = client.get(link_in(mail.outbox[0]), follow=True)
    client.post(form.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert sign_in(client, "alpha", person.employee_number, NEW_PASSWORD).status_code == 302


def test_a_wrong_or_expired_reset_token_is_refused(client, tenant_a, monkeypatch):
    set_email(tenant_a.employee, user_email="em@alpha.example")
    client.post("/password_reset/", {"tenant": "alpha", "login": tenant_a.employee.employee_number})
    link = link_in(mail.outbox[0])
    wrong = re.sub(r"-\w+/$", "-0000000000/", link)
    assert client.get(wrong, follow=True).context["validlink"] is False
    later(monkeypatch, days=settings.PASSWORD_RESET_TIMEOUT // 86400 + 1)
    assert client.get(link, follow=True).context["validlink"] is False


def test_reset_confirm_rerenders_a_weak_password(client, tenant_a):
    set_email(tenant_a.employee, user_email="em@alpha.example")
    client.post("/password_reset/", {"tenant": "alpha", "login": tenant_a.employee.employee_number})
    form = english(client).get(link_in(mail.outbox[0]), follow=True)
    response = client.post(form.redirect_chain[-1][0], {"new_password1": "password", "new_password2": "password"})
    assert response.status_code == 200 and "too common" in response.content.decode()
    tenant_a.employee.user.refresh_from_db()
    assert tenant_a.employee.user.check_password(PASSWORD)


def test_login_and_locked_out_pages_link_to_the_reset(client, settings, tenant_a):
    assert 'href="/password_reset/"' in client.get("/login/").content.decode()
    assert 'href="/password_reset/?tenant=alpha"' in client.get("/t/alpha/login/").content.decode()
    initial = client.get("/password_reset/?tenant=alpha").content.decode()
    assert 'name="tenant"' in initial and 'value="alpha"' in initial
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "alpha", tenant_a.employee.employee_number, "wrong", ip="10.0.0.9")
    locked = sign_in(client, "alpha", tenant_a.employee.employee_number, PASSWORD, ip="10.0.0.9")
    assert locked.status_code == 429
    body = locked.content.decode()
    assert 'href="/password_reset/"' in body


# --- activation links ---------------------------------------------------------------------------------------------


def test_lean_office_sends_an_activation_link_by_email(client, tenant_a, login, django_capture_on_commit_callbacks):
    person = newcomer(tenant_a, email="new@alpha.example")
    login(tenant_a.lean_office)
    detail = client.get(f"/t/alpha/members/{person.pk}/").content.decode()
    assert f"/t/alpha/members/{person.pk}/activation/" in detail
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/t/alpha/members/{person.pk}/activation/", {"delivery": "email"})
    assert response.status_code == 302 and response["Location"] == f"/t/alpha/members/{person.pk}/"
    assert [m.to for m in mail.outbox] == [["new@alpha.example"]]
    assert "ALPHA-NEW" in mail.outbox[0].body and "alpha" in mail.outbox[0].body
    entry = history(person)[0]
    assert entry.history_change_reason == REASON_SENT and entry.history_user == tenant_a.lean_office.user

    # The person opens the link, sets a password, and is signed in to the tenant.
    visitor = Client()
    form = visitor.get(link_in(mail.outbox[0]), follow=True)
    assert form.status_code == 200 and form.context["validlink"]
    assert "ALPHA-NEW" in form.content.decode()
    done = visitor.post(form.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302 and done["Location"] == "/t/alpha/"
    assert visitor.get("/t/alpha/").status_code == 200
    assert sign_in(Client(), "alpha", "ALPHA-NEW", NEW_PASSWORD).status_code == 302
    # The link is spent.
    assert Client().get(link_in(mail.outbox[0]), follow=True).context["validlink"] is False


def test_lean_office_shows_the_link_on_screen_with_a_qr_code(client, tenant_a, login):
    person = newcomer(tenant_a)
    login(tenant_a.lean_office)
    page = client.get(f"/t/alpha/members/{person.pk}/activation/")
    assert page.status_code == 200
    response = client.post(f"/t/alpha/members/{person.pk}/activation/", {"delivery": "screen"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "<svg" in body and "no-cache" in response["Cache-Control"]
    url = response.context["url"]
    assert url.startswith("http://testserver/activate/")
    assert mail.outbox == []
    assert history(person)[0].history_change_reason == REASON_SHOWN

    visitor = Client()
    form = visitor.get(url, follow=True)
    done = visitor.post(form.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done["Location"] == "/t/alpha/"
    person.user.refresh_from_db()
    assert person.user.has_usable_password()


def test_activation_link_refuses_a_weak_password_and_keeps_working(client, tenant_a):
    person = newcomer(tenant_a)
    url = activation_url(membership=person, base_url="http://testserver/")
    form = english(client).get(url, follow=True)
    response = client.post(form.redirect_chain[-1][0], {"new_password1": "ALPHA-NEW", "new_password2": "x"})
    assert response.status_code == 200 and "didn" in response.content.decode()
    assert "_auth_user_id" not in client.session
    person.user.refresh_from_db()
    assert not person.user.has_usable_password()


def test_activation_links_last_seven_days(client, tenant_a, monkeypatch):
    person = newcomer(tenant_a)
    url = activation_url(membership=person, base_url="")
    later(monkeypatch, days=6)
    assert client.get(url, follow=True).context["validlink"]
    later(monkeypatch, days=8)
    assert Client().get(url, follow=True).context["validlink"] is False


def test_activation_and_reset_tokens_are_not_interchangeable(client, tenant_a):
    person = newcomer(tenant_a)
    user = person.user
    from django.contrib.auth.tokens import default_token_generator

    assert not default_token_generator.check_token(user, activation_token_generator.make_token(user))
    assert not activation_token_generator.check_token(user, default_token_generator.make_token(user))


@pytest.mark.parametrize("uid", ["bm9wZQ", "MS45OTk5OTk", "!!!"])
def test_an_activation_link_naming_nobody_is_refused(client, db, uid):
    response = client.get(f"/activate/{uid}/abc-def/", follow=True)
    assert response.status_code == 200 and response.context["validlink"] is False


def test_an_activation_link_of_a_deactivated_member_is_refused(client, tenant_a):
    person = newcomer(tenant_a)
    url = activation_url(membership=person, base_url="")
    with tenant_scope(tenant_a.tenant):
        Membership.objects.filter(pk=person.pk).update(active=False)
    assert client.get(url, follow=True).context["validlink"] is False


def test_email_delivery_without_an_address_is_refused_and_records_nothing(client, tenant_a, login):
    person = newcomer(tenant_a)
    before = len(history(person))
    login(tenant_a.lean_office)
    response = english(client).post(f"/t/alpha/members/{person.pk}/activation/", {"delivery": "email"})
    assert response.status_code == 400 and "no email address" in response.content.decode()
    assert len(history(person)) == before and mail.outbox == []


@pytest.mark.parametrize("data", [{}, {"delivery": "carrier-pigeon"}])
def test_a_missing_or_unknown_delivery_rerenders(client, tenant_a, login, data):
    person = newcomer(tenant_a)
    login(tenant_a.lean_office)
    response = client.post(f"/t/alpha/members/{person.pk}/force-reset/", data)
    assert response.status_code == 400 and "is-invalid" in response.content.decode()
    person.user.refresh_from_db()
    assert person.user.password.startswith("!")  # still the HR sync's, untouched


def test_someone_shared_with_another_tenant_gets_the_link_only_by_own_email(client, two_tenants, login):
    a, b = two_tenants
    with tenant_scope(b.tenant):
        make_member(b.unit, ["employee"], user=a.employee.user, number="B-SHARED")
    set_email(a.employee, member_email="hr-kept@alpha.example")
    login(a.lean_office)
    url = f"/t/alpha/members/{a.employee.pk}/force-reset/"
    english(client)
    for delivery in ("screen", "email"):  # no own address: the tenant's HR address is not enough
        assert client.post(url, {"delivery": delivery}).status_code == 400
    a.employee.user.refresh_from_db()
    assert a.employee.user.check_password(PASSWORD)
    set_email(a.employee, user_email="own@example.com", member_email="hr-kept@alpha.example")
    assert client.post(url, {"delivery": "email"}).status_code == 302


# --- forced reset -------------------------------------------------------------------------------------------------


def test_forced_reset_ends_the_password_and_the_sessions(client, tenant_a, login):
    victim = tenant_a.employee
    their_phone = Client()
    assert sign_in(their_phone, "alpha", victim.employee_number, PASSWORD).status_code == 302
    assert their_phone.get("/t/alpha/").status_code == 200

    login(tenant_a.lean_office)
    page = client.get(f"/t/alpha/members/{victim.pk}/force-reset/")
    assert page.status_code == 200
    response = client.post(f"/t/alpha/members/{victim.pk}/force-reset/", {"delivery": "screen"})
    assert response.status_code == 200 and "<svg" in response.content.decode()

    assert their_phone.get("/t/alpha/").status_code == 302  # signed out
    assert sign_in(Client(), "alpha", victim.employee_number, PASSWORD).status_code == 400
    reasons = [h.history_change_reason for h in history(victim)[:2]]
    assert reasons == [REASON_SHOWN, REASON_FORCED]
    detail = english(client).get(f"/t/alpha/members/{victim.pk}/").content.decode()
    assert "Password reset forced" in detail and "Not set yet" in detail

    # The link shown lets them back in.
    form = their_phone.get(response.context["url"], follow=True)
    their_phone.post(form.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert their_phone.get("/t/alpha/").status_code == 200


def test_forced_reset_by_email(client, tenant_a, login, django_capture_on_commit_callbacks):
    set_email(tenant_a.manager, user_email="um@alpha.example")
    login(tenant_a.lean_office)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/t/alpha/members/{tenant_a.manager.pk}/force-reset/", {"delivery": "email"})
    assert response.status_code == 302
    assert mail.outbox[0].to == ["um@alpha.example"] and "/activate/" in mail.outbox[0].body
    tenant_a.manager.user.refresh_from_db()
    assert not tenant_a.manager.user.has_usable_password()


def test_the_lean_office_cannot_force_its_own_reset(client, tenant_a, login):
    login(tenant_a.lean_office)
    response = client.post(f"/t/alpha/members/{tenant_a.lean_office.pk}/force-reset/", {"delivery": "screen"})
    assert response.status_code == 400
    tenant_a.lean_office.user.refresh_from_db()
    assert tenant_a.lean_office.user.check_password(PASSWORD)


# --- who may ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["manager", "reviewer", "employee"])
@pytest.mark.parametrize("action", ["activation", "force-reset"])
def test_only_the_lean_office_hands_out_links(client, tenant_a, login, role, action):
    login(getattr(tenant_a, role))
    target = tenant_a.employee if role == "manager" else getattr(tenant_a, role)
    url = f"/t/alpha/members/{target.pk}/{action}/"
    assert client.get(url).status_code == 403
    assert client.post(url, {"delivery": "screen"}).status_code == 403
    target.user.refresh_from_db()
    assert target.user.check_password(PASSWORD)
    assert "/activation/" not in client.get(f"/t/alpha/members/{target.pk}/").content.decode()


@pytest.mark.parametrize("action", ["activation", "force-reset"])
def test_another_tenants_member_is_not_found(client, two_tenants, login, action):
    a, b = two_tenants
    login(a.lean_office)
    for method in (client.get, client.post):
        assert method(f"/t/alpha/members/{b.employee.pk}/{action}/", {"delivery": "screen"}).status_code == 404
        assert method(f"/t/beta/members/{b.employee.pk}/{action}/", {"delivery": "screen"}).status_code == 404
    b.employee.user.refresh_from_db()
    assert b.employee.user.check_password(PASSWORD)


# --- every page, in both languages --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "texts"),
    [
        ("zh-hans", ["修改密码", "忘记密码", "设置新密码", "密码已设置", "请查收邮件", "激活链接", "强制重置密码"]),
        (
            "en",
            [
                "Change password",
                "Forgot your password?",
                "Set a new password",
                "Password set",
                "Check your email",
                "Activation link",
                "Force a password reset",
            ],
        ),
    ],
)
def test_every_page_renders_in_both_languages(client, tenant_a, login, language, texts):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    set_email(tenant_a.employee, user_email="em@alpha.example")
    person = newcomer(tenant_a)
    login(tenant_a.lean_office)
    pages = {
        "/password_change/": texts[0],
        f"/t/alpha/members/{person.pk}/activation/": texts[5],
        f"/t/alpha/members/{person.pk}/force-reset/": texts[6],
        "/password_change/done/": None,
    }
    for url, text in pages.items():
        response = client.get(url)
        assert response.status_code == 200, url
        assert text is None or text in response.content.decode(), url
    assert texts[5] in client.get(f"/t/alpha/members/{person.pk}/").content.decode()
    client.post("/logout/")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    for url, text in {
        "/password_reset/": texts[1],
        "/password_reset/done/": texts[4],
        "/reset/done/": texts[3],
    }.items():
        response = client.get(url)
        assert response.status_code == 200 and text in response.content.decode(), url
    client.post("/password_reset/", {"tenant": "alpha", "login": tenant_a.employee.employee_number})
    confirm = client.get(link_in(mail.outbox[-1]), follow=True)
    assert texts[2] in confirm.content.decode()
    activate = client.get(activation_url(membership=person, base_url=""), follow=True)
    assert activate.status_code == 200 and activate.context["validlink"]


def test_the_mails_follow_the_language(client, tenant_a):
    set_email(tenant_a.employee, user_email="em@alpha.example")
    english(client).post("/password_reset/", {"tenant": "alpha", "login": tenant_a.employee.employee_number})
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    client.post("/password_reset/", {"tenant": "alpha", "login": tenant_a.employee.employee_number})
    english_mail, chinese_mail = mail.outbox
    assert english_mail.subject.startswith("Set a new password")
    assert "设置您在 甲公司 的新密码" == chinese_mail.subject


# --- demo -----------------------------------------------------------------------------------------------------------


def test_demo_has_a_newcomer_without_a_password(db):
    from config.demo import accounts as accounts_demo
    from config.demo.seed import seed_lvyuan

    tenant = seed_lvyuan()
    assert accounts_demo.seed(tenant) is True
    assert accounts_demo.seed(tenant) is False  # once
    with tenant_scope(tenant):
        person = Membership.objects.select_related("user").get(employee_number="L0020")
    assert not person.user.has_usable_password() and not person.email
