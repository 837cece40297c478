"""Single sign-on with OpenID Connect per tenant, against a real provider (panva's oidc-provider, started here on a
loopback port): nothing of the protocol is mocked. The browser side is the Django test client for Lean's pages
and `requests` for the provider's login and consent pages."""

import re
import socket
from html import unescape
from urllib.parse import urljoin, urlsplit

import pytest
import requests
from django.conf import settings
from django.contrib.auth import SESSION_KEY

from config.demo import sso as sso_demo
from lean.models import Membership, SsoSettings, User
from lean.sso import sso_settings_update
from lean.tenancy import tenant_scope
from tests.factories import make_tenant_set
from tests.oidc import client_metadata, oidc_provider

SECRETS = {"alpha": "alpha-client-secret-0123456789", "beta": "beta-client-secret-0123456789"}
ACCOUNTS = {
    "alice": {"name": "Alice", "employee_number": "ALPHA-EM"},  # alpha's employee
    "bob": {"name": "Bob", "employee_number": "BETA-EM"},  # a member of beta only
    "ghost": {"name": "Ghost", "employee_number": "NOBODY-1"},  # nobody's number
    "nameonly": {"name": "Manager", "preferred_username": "ALPHA-UM"},  # no employee_number: the fallback claim
    "anonymous": {"name": "No number"},  # neither claim
}
SETTINGS_PAGE = "/t/alpha/integrations/sso/"


def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture(scope="session")
def oidc_issuer():
    """The provider's issuer URL, with a client for alpha and one for beta."""
    clients = [
        client_metadata(f"lean-{slug}", secret, f"http://testserver/t/{slug}/sso/callback/")
        for slug, secret in SECRETS.items()
    ]
    with oidc_provider(clients, ACCOUNTS) as issuer:
        yield issuer


def configure(tenant_set, issuer, **changes):
    slug = tenant_set.tenant.slug
    fields = {
        "enabled": True,
        "button_label": "统一认证",
        "issuer": issuer,
        "client_id": f"lean-{slug}",
        "client_secret": SECRETS.get(slug, "x"),
        "scopes": "openid profile employee",
        "employee_number_claim": "employee_number",
    }
    fields.update(changes)
    with tenant_scope(tenant_set.tenant):
        return sso_settings_update(actor=tenant_set.lean_office, **fields)


FORM = re.compile(r'<form[^>]*action="([^"]+)"[^>]*method="post"[^>]*>(.*?)</form>', re.S)
HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"')


def at_provider(url: str, account: str) -> str:
    """Go through the provider's pages as a person would (log in as `account`, consent) and return the URL it
    finally sends the browser back to (Lean's callback, with the code and state)."""
    browser = requests.Session()
    response = browser.get(url, allow_redirects=False, timeout=10)
    for _step in range(12):
        if response.is_redirect:
            url = urljoin(url, response.headers["Location"])
            if url.startswith("http://testserver/"):
                return url
            response = browser.get(url, allow_redirects=False, timeout=10)
            continue
        match = FORM.search(response.text)
        assert response.status_code == 200 and match, response.text[:500]
        action, body = match.groups()
        data = {name: unescape(value) for name, value in HIDDEN.findall(body)}
        if 'name="login"' in body:
            data.update(login=account, password="any")
        url = urljoin(url, unescape(action))
        response = browser.post(url, data=data, allow_redirects=False, timeout=10)
    raise AssertionError("the provider never sent the browser back")


def local(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def start(client, slug="alpha", query=""):
    response = client.get(f"/t/{slug}/sso/login/{query}")
    assert response.status_code == 302, response.content[:500]
    return response["Location"]


def sign_in(client, account, slug="alpha", query=""):
    """The whole sign-in: Lean → provider → Lean's callback. Returns the callback's response."""
    return client.get(local(at_provider(start(client, slug, query), account)))


def signed_in_user_id(client):
    return client.session.get(SESSION_KEY)


# --- the flow --------------------------------------------------------------------------------------------------


def test_sign_in_lands_on_the_tenant_home_as_the_member(tenant_a, tenant_b, client, oidc_issuer):
    configure(tenant_a, oidc_issuer)
    location = start(client)
    assert location.startswith(f"{oidc_issuer}/auth?")
    for param in ("state=", "nonce=", "code_challenge=", "code_challenge_method=S256", "client_id=lean-alpha"):
        assert param in location
    response = client.get(local(at_provider(location, "alice")))
    assert response.status_code == 302
    assert response["Location"] == "/t/alpha/"
    assert str(signed_in_user_id(client)) == str(tenant_a.employee.user.pk)
    home = client.get("/t/alpha/")
    assert home.status_code == 200
    assert home.wsgi_request.membership == tenant_a.employee


def test_sign_in_returns_to_the_page_asked_for(tenant_a, client, oidc_issuer):
    configure(tenant_a, oidc_issuer)
    response = sign_in(client, "alice", query="?next=/t/alpha/notifications/")
    assert response["Location"] == "/t/alpha/notifications/"
    assert client.get("/t/alpha/notifications/").status_code == 200


def test_next_to_another_site_is_ignored(tenant_a, client, oidc_issuer):
    configure(tenant_a, oidc_issuer)
    response = sign_in(client, "alice", query="?next=https://evil.example.com/")
    assert response["Location"] == "/t/alpha/"


def test_a_password_lock_out_does_not_block_single_sign_on(tenant_a, client, oidc_issuer, settings):
    configure(tenant_a, oidc_issuer)
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        client.post("/t/alpha/login/", {"login": tenant_a.employee.employee_number, "password": "wrong"})
    locked = client.post("/t/alpha/login/", {"login": tenant_a.employee.employee_number, "password": "wrong"})
    assert locked.status_code == 429
    response = sign_in(client, "alice")
    assert response.status_code == 302
    assert str(signed_in_user_id(client)) == str(tenant_a.employee.user.pk)


def test_fallback_claim_preferred_username(tenant_a, client, oidc_issuer):
    configure(tenant_a, oidc_issuer)
    response = sign_in(client, "nameonly")
    assert response.status_code == 302
    assert str(signed_in_user_id(client)) == str(tenant_a.manager.user.pk)


def test_unknown_employee_number_is_refused_and_nobody_is_created(tenant_a, client, oidc_issuer):
    configure(tenant_a, oidc_issuer)
    users = User.objects.count()
    response = sign_in(english(client), "ghost")
    assert response.status_code == 403
    assert b'data-code="no_member"' in response.content
    assert b"NOBODY-1" in response.content
    assert signed_in_user_id(client) is None
    assert User.objects.count() == users
    with tenant_scope(tenant_a.tenant):
        assert not Membership.objects.filter(employee_number="NOBODY-1").exists()


def test_a_member_of_another_tenant_only_is_refused(tenant_a, tenant_b, client, oidc_issuer):
    """The provider is alpha's; bob's number exists only in beta: the tenant is alpha's, from the URL."""
    configure(tenant_a, oidc_issuer)
    configure(tenant_b, oidc_issuer)
    response = sign_in(client, "bob", slug="alpha")
    assert response.status_code == 403
    assert b'data-code="no_member"' in response.content
    assert signed_in_user_id(client) is None


def test_an_answer_started_for_one_tenant_is_refused_by_another(tenant_a, tenant_b, client, oidc_issuer):
    configure(tenant_a, oidc_issuer)
    configure(tenant_b, oidc_issuer)
    callback = local(at_provider(start(client, "alpha"), "bob"))
    response = client.get(callback.replace("/t/alpha/", "/t/beta/"))
    assert response.status_code == 400
    assert b'data-code="state"' in response.content
    assert signed_in_user_id(client) is None


def test_missing_claim_is_refused(tenant_a, client, oidc_issuer):
    configure(tenant_a, oidc_issuer)
    response = sign_in(client, "anonymous")
    assert response.status_code == 403
    assert b'data-code="no_claim"' in response.content
    assert signed_in_user_id(client) is None


def test_inactive_member_is_refused(tenant_a, client, oidc_issuer):
    configure(tenant_a, oidc_issuer)
    with tenant_scope(tenant_a.tenant):
        Membership.objects.filter(pk=tenant_a.employee.pk).update(active=False)
    response = sign_in(client, "alice")
    assert response.status_code == 403
    assert b'data-code="inactive"' in response.content
    assert signed_in_user_id(client) is None


@pytest.mark.parametrize("tamper", ["state", "code"])
def test_tampered_answer_is_refused(tenant_a, client, oidc_issuer, tamper):
    configure(tenant_a, oidc_issuer)
    callback = local(at_provider(start(client), "alice"))
    # Change the value's first character (to one it is not: a random value may start with "X" itself).
    tampered = re.sub(
        rf"([?&]{tamper}=)([^&]+)",
        lambda m: m.group(1) + ("Y" if m.group(2)[0] == "X" else "X") + m.group(2)[1:],
        callback,
    )
    assert tampered != callback
    response = client.get(tampered)
    assert response.status_code == 400
    assert response.context["code"] == ("state" if tamper == "state" else "invalid_token")
    assert signed_in_user_id(client) is None


def test_an_answer_is_used_once(tenant_a, client, oidc_issuer):
    configure(tenant_a, oidc_issuer)
    callback = local(at_provider(start(client), "alice"))
    assert client.get(callback).status_code == 302
    client.post("/logout/")
    assert signed_in_user_id(client) is None
    replay = client.get(callback)
    assert replay.status_code == 400
    assert signed_in_user_id(client) is None


def test_provider_error_is_explained(tenant_a, client, oidc_issuer):
    configure(tenant_a, oidc_issuer)
    start(client)
    response = english(client).get("/t/alpha/sso/callback/?error=access_denied&state=x")
    assert response.status_code == 403
    assert b"access_denied" in response.content


def test_issuer_other_than_the_providers_is_refused(tenant_a, client, oidc_issuer):
    configure(tenant_a, oidc_issuer.replace("127.0.0.1", "localhost"))
    response = client.get("/t/alpha/sso/login/")
    assert response.status_code == 502
    assert response.context["code"] == "issuer"


def test_unreachable_provider_is_explained(tenant_a, client):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    configure(tenant_a, f"http://127.0.0.1:{port}")
    response = client.get("/t/alpha/sso/login/")
    assert response.status_code == 502
    assert response.context["code"] == "unreachable"


def test_disabled_or_missing_settings_answer_404(tenant_a, client, oidc_issuer):
    assert client.get("/t/alpha/sso/login/").status_code == 404
    assert client.get("/t/alpha/sso/callback/?code=a&state=b").status_code == 404
    configure(tenant_a, oidc_issuer, enabled=False)
    assert client.get("/t/alpha/sso/login/").status_code == 404
    assert client.get("/t/alpha/sso/callback/?code=a&state=b").status_code == 404
    assert b"sso-button" not in client.get("/t/alpha/login/").content


def test_login_page_shows_the_button_when_enabled(tenant_a, client, oidc_issuer):
    configure(tenant_a, oidc_issuer, button_label="Acme SSO")
    page = english(client).get("/t/alpha/login/?next=/t/alpha/dashboard/")
    assert page.status_code == 200
    assert b'id="sso-button"' in page.content
    assert b"Sign in with Acme SSO" in page.content
    assert b"/t/alpha/sso/login/?next=/t/alpha/dashboard/" in page.content
    # The generic sign-in page knows no tenant, so it shows no tenant's provider.
    assert b"sso-button" not in client.get("/login/").content


def test_sso_login_of_a_signed_in_member_goes_home(tenant_a, login, oidc_issuer):
    configure(tenant_a, oidc_issuer)
    client = login(tenant_a.employee)
    response = client.get("/t/alpha/sso/login/")
    assert response.status_code == 302 and response["Location"] == "/t/alpha/"


def test_callback_takes_only_get(tenant_a, client, oidc_issuer):
    configure(tenant_a, oidc_issuer)
    assert client.post("/t/alpha/sso/callback/", {"code": "a", "state": "b"}).status_code == 405


# --- the settings page -----------------------------------------------------------------------------------------


def form_data(**changes):
    data = {
        "action": "save",
        "enabled": "on",
        "button_label": "统一认证",
        "issuer": "https://sso.example.com/realms/lean",
        "client_id": "lean-alpha",
        "client_secret": "top-secret-value-42",
        "scopes": "openid profile employee",
        "employee_number_claim": "employee_number",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


@pytest.mark.parametrize(
    ("role", "status"), [("lean_office", 200), ("manager", 403), ("reviewer", 403), ("employee", 403)]
)
def test_settings_page_permissions(tenant_a, login, role, status):
    client = login(getattr(tenant_a, role))
    assert client.get(SETTINGS_PAGE).status_code == status
    assert client.post(SETTINGS_PAGE, form_data()).status_code == (302 if status == 200 else status)
    with tenant_scope(tenant_a.tenant):
        assert SsoSettings.objects.exists() == (status == 200)


def test_settings_page_saves_and_never_shows_the_secret(tenant_a, login):
    client = login(tenant_a.lean_office)
    response = client.post(SETTINGS_PAGE, form_data())
    assert response.status_code == 302
    with tenant_scope(tenant_a.tenant):
        config = SsoSettings.objects.get()
        assert config.enabled and config.client_secret == "top-secret-value-42"
        assert config.history.count() == 1
        assert not hasattr(config.history.first(), "client_secret")
        assert config.history.first().history_user == tenant_a.lean_office.user
    page = client.get(SETTINGS_PAGE)
    assert page.status_code == 200
    assert b"top-secret-value-42" not in page.content
    assert b"http://testserver/t/alpha/sso/callback/" in page.content
    # A blank secret keeps the stored one.
    assert client.post(SETTINGS_PAGE, form_data(client_secret="", button_label="新名称")).status_code == 302
    with tenant_scope(tenant_a.tenant):
        config = SsoSettings.objects.get()
        assert config.client_secret == "top-secret-value-42" and config.button_label == "新名称"


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"issuer": "http://sso.example.com"}, "issuer", "must use https"),
        ({"issuer": "ftp://sso.example.com"}, "issuer", "issuer URL"),
        ({"issuer": "https://sso.example.com/?a=1"}, "issuer", "no query"),
        ({"issuer": ""}, "issuer", "needs the provider"),
        ({"client_id": ""}, "client_id", "client ID"),
        ({"client_secret": ""}, "client_secret", "client secret"),
        ({"scopes": "profile email"}, "scopes", "openid"),
        ({"scopes": 'openid "x"'}, "scopes", "separated by spaces"),
        ({"employee_number_claim": "employee number"}, "employee_number_claim", "name of a claim"),
    ],
)
def test_settings_validation_stores_nothing(tenant_a, login, changes, field, message):
    client = english(login(tenant_a.lean_office))
    response = client.post(SETTINGS_PAGE, form_data(**changes))
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert field in errors, errors
    assert message in " ".join(errors[field])
    with tenant_scope(tenant_a.tenant):
        assert not SsoSettings.objects.exists()


def test_loopback_http_issuer_is_accepted_and_off_needs_no_secret(tenant_a, login):
    client = login(tenant_a.lean_office)
    data = form_data(issuer="http://127.0.0.1:8080", client_secret="", enabled=None)
    assert client.post(SETTINGS_PAGE, data).status_code == 302
    with tenant_scope(tenant_a.tenant):
        config = SsoSettings.objects.get()
        assert not config.enabled and config.issuer == "http://127.0.0.1:8080" and config.client_secret == ""


def test_settings_test_connection(tenant_a, login, oidc_issuer):
    configure(tenant_a, oidc_issuer)
    client = english(login(tenant_a.lean_office))
    response = client.post(SETTINGS_PAGE, {"action": "test"})
    assert response.status_code == 200
    assert b'id="sso-check-ok"' in response.content
    assert f"{oidc_issuer}/token".encode() in response.content
    configure(tenant_a, oidc_issuer.replace("127.0.0.1", "localhost"))
    response = client.post(SETTINGS_PAGE, {"action": "test"})
    assert response.status_code == 400
    assert b'id="sso-check-error"' in response.content


def test_settings_page_of_another_tenant_is_404(tenant_a, tenant_b, login):
    client = login(tenant_a.lean_office)
    assert client.get("/t/beta/integrations/sso/").status_code == 404
    assert client.post("/t/beta/integrations/sso/", form_data()).status_code == 404
    with tenant_scope(tenant_b.tenant):
        assert not SsoSettings.objects.exists()


def test_settings_are_linked_from_integrations_and_the_menu(tenant_a, login):
    client = login(tenant_a.lean_office)
    page = client.get("/t/alpha/integrations/")
    assert b'id="sso-settings-link"' in page.content
    assert SETTINGS_PAGE.encode() in client.get("/t/alpha/").content


def test_demo_step_adds_a_disabled_example_once(db):
    huaxin = make_tenant_set("huaxin", "华信")
    assert sso_demo.seed(huaxin.tenant) is True
    assert sso_demo.seed(huaxin.tenant) is False
    with tenant_scope(huaxin.tenant):
        config = SsoSettings.objects.get()
        assert not config.enabled and config.issuer.endswith(".example/realms/lean") and not config.client_secret
