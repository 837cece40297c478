"""The audit log: every kind of sensitive change appears, filtered and paged, for the lean office only, with no
secret and no other tenant's row, at a number of queries that does not grow with the history."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from insights.audit.log import KINDS
from integrations.webhooks import endpoint_create, endpoint_set_active
from lean.apikeys import api_key_create, api_key_revoke
from lean.channels.services import channel_create, channel_update
from lean.models import ApiScope, Role
from lean.services import member_update, tenant_settings_update
from lean.sso import sso_settings_update
from lean.tenancy import tenant_scope
from projects.models import Transition
from tests.factories import make_member

URL = "/t/{slug}/audit/"
API = "/t/{slug}/api/v1/audit/"
CHANNEL_KEY = "wecom-robot-key-7f3a9"
SSO_SECRET = "sso-client-secret-91b2"


def sensitive_changes(ts, client):
    """One more change of the kinds populate() leaves without a change: a member's roles (on the member's page, so
    the history knows who), a key revoked, the ranking switch, the SSO settings and a robot's address. Returns the
    new key's token."""
    client.force_login(ts.lean_office.user, backend="lean.auth.TenantLoginBackend")
    response = client.post(
        f"/t/{ts.tenant.slug}/members/{ts.employee.pk}/edit/",
        {"unit": ts.team.pk, "roles": [Role.EMPLOYEE, Role.REVIEWER], "position": "班长", "active": "on"},
    )
    assert response.status_code == 302, response.content
    with tenant_scope(ts.tenant):
        key, token = api_key_create(actor=ts.lean_office, name="审计用", scopes=[ApiScope.HR_READ])
        api_key_revoke(actor=ts.lean_office, key=key)
        tenant_settings_update(actor=ts.lean_office, ranking_enabled=True)
        sso_settings_update(
            actor=ts.lean_office,
            enabled=False,
            button_label="统一认证平台",
            issuer="https://sso.example.com/realms/lean",
            client_id=f"lean-{ts.tenant.slug}",
            client_secret=SSO_SECRET,
            scopes="openid profile",
            employee_number_claim="employee_number",
        )
        channel = channel_create(
            actor=ts.lean_office,
            kind="dingtalk",
            name="审计群",
            webhook_url=f"https://oapi.dingtalk.com/robot/send?access_token={CHANNEL_KEY}",
            secret="SECdingtalk-secret-55",
        )
        channel_update(
            actor=ts.lean_office,
            channel=channel,
            name="审计群二",
            webhook_url=f"https://oapi.dingtalk.com/robot/send?access_token={CHANNEL_KEY}x",
            unit=ts.unit,
        )
    return token


@pytest.fixture
def audited(two_tenants, client):
    a, b = two_tenants
    a.extra["audit_token"] = sensitive_changes(a, client)
    return a, b


def api_results(client, slug, **params):
    response = client.get(API.format(slug=slug), params)
    assert response.status_code == 200, response.content
    return response.json()


def test_every_kind_of_sensitive_change_appears(audited, login):
    a, _b = audited
    client = login(a.lean_office)
    data = api_results(client, a.tenant.slug)
    assert data["count"] > 0
    for kind in KINDS:
        rows = api_results(client, a.tenant.slug, kind=kind)["results"]
        assert rows, f"no entry of kind {kind}"
        assert {row["kind"] for row in rows} == {kind}

    roles = next(r for r in api_results(client, a.tenant.slug, kind="members")["results"] if r["action"] == "changed")
    assert roles["changed_by"]["employee_number"] == a.lean_office.employee_number
    fields = {c["field"]: c for c in roles["changes"]}
    assert set(fields) == {"roles", "position"}
    assert "评审专家" in fields["roles"]["new"] or "Reviewer" in fields["roles"]["new"]

    keys = api_results(client, a.tenant.slug, kind="api_keys")["results"]
    assert [k["action"] for k in keys if k["object_name"].startswith("审计用")] == ["changed", "created"]
    assert any(c["field"] == "revoked_at" for c in keys[0]["changes"])

    settings = api_results(client, a.tenant.slug, kind="settings")["results"]
    ranking = next(r for r in settings if r["object_type"] == "tenant_settings")
    assert ranking["changed_by"]["employee_number"] == a.lean_office.employee_number
    assert [c["field"] for c in ranking["changes"]] == ["ranking_enabled"]

    decisions = api_results(client, a.tenant.slug, kind="decisions")
    with tenant_scope(a.tenant):
        taken = Transition.objects.exclude(action__in=["submit", "start", "request_midterm", "request_closing", "file"])
        expected = {(t.project_id, t.reason) for t in taken}
    assert decisions["count"] == len(expected) > 0  # the approver's and chair's steps, not the applicant's
    assert {(r["object_id"], r["reason"]) for r in decisions["results"]} == expected
    assert all(r["action"] == "decision" and r["changes"][0]["field"] == "state" for r in decisions["results"])

    page = client.get(URL.format(slug=a.tenant.slug))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-audit="member"' in html and 'data-audit="tenant_settings"' in html
    assert f"/t/{a.tenant.slug}/members/{a.employee.pk}/" in html  # the member links to their page


def test_secrets_never_appear(audited, login):
    a, _b = audited
    client = login(a.lean_office)
    with tenant_scope(a.tenant):
        digests = [k.digest for k in a.tenant.apikey_set.all()]
        webhook_secret = a.extra["endpoint"].secret
    secrets = [a.extra["token"], a.extra["audit_token"], *digests, webhook_secret, SSO_SECRET, CHANNEL_KEY]
    secrets += ["s3cret-of-the-fixture", "SECdingtalk-secret-55", "127.0.0.1:9/send?key=k"]
    bodies = [client.get(URL.format(slug=a.tenant.slug)).content.decode()]
    page, pages = 1, 1
    while page <= pages:
        data = api_results(client, a.tenant.slug, page=page)
        bodies.append(str(data))
        pages = -(-data["count"] // 50)
        page += 1
    for body in bodies:
        for secret in secrets:
            assert secret not in body
    channel = next(
        r for r in api_results(client, a.tenant.slug, kind="channels")["results"] if r["action"] == "changed"
    )
    url_change = next(c for c in channel["changes"] if c["field"] == "webhook_url")
    assert url_change["old"] == url_change["new"]  # "set" both times: changed, without the address


def test_filters_by_kind_person_and_days(audited, login):
    a, _b = audited
    client = login(a.lean_office)
    slug = a.tenant.slug
    everything = api_results(client, slug)["count"]
    by_kind = sum(api_results(client, slug, kind=kind)["count"] for kind in KINDS)
    assert by_kind == everything

    mine = api_results(client, slug, person=a.lean_office.employee_number)
    assert 0 < mine["count"] < everything
    assert {r["changed_by"]["employee_number"] for r in mine["results"]} == {a.lean_office.employee_number}
    assert api_results(client, slug, person="NOBODY")["count"] == 0

    today = timezone.localdate()
    assert api_results(client, slug, date_from=today.isoformat())["count"] == everything
    assert api_results(client, slug, date_to=(today - timedelta(days=1)).isoformat())["count"] == 0
    assert api_results(client, slug, date_from=(today + timedelta(days=1)).isoformat())["count"] == 0

    page = client.get(URL.format(slug=slug), {"kind": "api_keys", "person": a.lean_office.employee_number})
    html = page.content.decode()
    assert 'data-audit="api_key"' in html and 'data-audit="member"' not in html
    partial = client.get(URL.format(slug=slug), {"kind": "sso"}, headers={"HX-Request": "true"})
    assert b'id="audit-entries"' in partial.content and b"<html" not in partial.content
    assert client.get(API.format(slug=slug), {"kind": "nonsense"}).status_code == 400


@pytest.mark.parametrize(
    "role, expected",
    [("lean_office", 200), ("manager", 403), ("employee", 403), ("reviewer", 403), ("leader", 403)],
)
def test_only_the_lean_office_reads_the_log(tenant_a, login, role, expected):
    if role == "leader":
        with tenant_scope(tenant_a.tenant):
            member = make_member(tenant_a.hq, [Role.LEADER])
    else:
        member = getattr(tenant_a, role)
    client = login(member)
    slug = tenant_a.tenant.slug
    assert client.get(URL.format(slug=slug)).status_code == expected
    assert client.get(API.format(slug=slug)).status_code == expected


def test_another_tenants_history_never_shows(audited, login):
    a, b = audited
    client = login(b.lean_office)
    sensitive_changes(b, client)
    client = login(a.lean_office)
    assert client.get(URL.format(slug=b.tenant.slug)).status_code == 404
    assert client.get(API.format(slug=b.tenant.slug)).status_code == 404
    with tenant_scope(b.tenant):
        b_names = {b.tenant.name, b.hq.name, b.unit.name, b.lean_office.employee_number, b.employee.employee_number}
    html = client.get(URL.format(slug=a.tenant.slug), {"kind": "members"}).content.decode()
    rows = []
    page = 1
    while True:
        data = api_results(client, a.tenant.slug, page=page)
        rows += data["results"]
        if not data["next"]:
            break
        page += 1
    text = html + str(rows)
    for name in b_names:
        assert name not in text
    assert all(b.tenant.slug not in r["object_name"] for r in rows)


def test_api_key_needs_the_hr_read_scope(audited, client):
    a, _b = audited
    with tenant_scope(a.tenant):
        _key, reader = api_key_create(actor=a.lean_office, name="读", scopes=[ApiScope.HR_READ])
        _key, other = api_key_create(actor=a.lean_office, name="别的", scopes=[ApiScope.PROJECTS_READ])
    url = API.format(slug=a.tenant.slug)
    assert client.get(url, headers={"Authorization": f"Bearer {reader}"}).status_code == 200
    refused = client.get(url, headers={"Authorization": f"Bearer {other}"})
    assert refused.status_code == 403 and refused.json()["code"] == "missing_scope"


def more_history(ts, n):
    """`n` more changes of members, keys, robots, webhooks and settings."""
    with tenant_scope(ts.tenant):
        for i in range(n):
            member = make_member(ts.unit, [Role.EMPLOYEE])
            member_update(
                actor=ts.lean_office,
                membership=member,
                unit=ts.team,
                roles=[Role.EMPLOYEE],
                position=f"岗{i}",
                active=i % 2 == 0,
            )
            key, _token = api_key_create(actor=ts.lean_office, name=f"key{i}", scopes=[ApiScope.HR_READ])
            api_key_revoke(actor=ts.lean_office, key=key)
            tenant_settings_update(actor=ts.lean_office, ranking_enabled=i % 2 == 0)
            channel = channel_create(
                actor=ts.lean_office, kind="wecom", name=f"群{i}", webhook_url=f"https://qyapi.example.com/send?key={i}"
            )
            channel_update(
                actor=ts.lean_office, channel=channel, name=f"群{i}b", webhook_url=channel.webhook_url, unit=ts.unit
            )
            endpoint = endpoint_create(
                actor=ts.lean_office, url=f"https://hr.example.com/hook{i}", events=["project.closed"]
            )
            endpoint_set_active(actor=ts.lean_office, endpoint=endpoint, active=False)


def count_queries(client, url, **params):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(queries)


def test_queries_do_not_grow_with_the_history(audited, login):
    """The same kinds on a page cost the same queries at two sizes; a page of every kind costs at most a fixed
    number per source, whatever the history's length."""
    a, _b = audited
    client = login(a.lean_office)
    slug = a.tenant.slug
    kinds = ("members", "api_keys", "channels", "settings")

    def measure():
        return {
            kind: (
                count_queries(client, URL.format(slug=slug), kind=kind),
                count_queries(client, API.format(slug=slug), kind=kind),
            )
            for kind in ("", *kinds)
        }

    small = measure()
    more_history(a, 30)
    large = measure()
    assert api_results(client, slug)["count"] > 150
    assert {k: large[k] for k in kinds} == {k: small[k] for k in kinds}
    assert large[""] <= small[""]  # the small history's first page holds every source: the most a page costs
    assert small[""][0] <= 50
    # A person filter adds its one lookup.
    assert (
        count_queries(client, URL.format(slug=slug), person=a.lean_office.employee_number, page=2) <= small[""][0] + 1
    )


def test_the_nav_shows_the_log_to_the_lean_office_only(tenant_a, login):
    slug = tenant_a.tenant.slug
    assert URL.format(slug=slug).encode() in login(tenant_a.lean_office).get(f"/t/{slug}/").content
    assert URL.format(slug=slug).encode() not in login(tenant_a.manager).get(f"/t/{slug}/").content


def test_days_follow_the_tenants_time_zone(tenant_a):
    from insights.audit.log import day_bounds

    since, until = day_bounds(tenant_a.tenant, date(2026, 3, 1), date(2026, 3, 1))
    assert (until - since) == timedelta(days=1)
    assert since.utcoffset() == timedelta(hours=8)
