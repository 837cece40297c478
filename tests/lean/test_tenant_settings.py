"""The enterprise settings page and its ranking switch (off by default), and the read-only leader (分管领导)."""

import pytest

from innovation import selectors as innovation_selectors
from lean.models import Role, Tenant
from lean.tenancy import tenant_scope
from tests.factories import make_member

URL = "/t/alpha/settings/"


@pytest.mark.parametrize(("role", "expected"), [("lean_office", 200), ("manager", 403), ("employee", 403)])
def test_only_the_lean_office_opens_the_settings(client, two_tenants, login, role, expected):
    a, _b = two_tenants
    login(getattr(a, role))
    assert client.get(URL).status_code == expected
    assert client.post(URL, {"ranking_enabled": "on"}).status_code in (expected, 302)
    assert Tenant.objects.get(pk=a.tenant.pk).ranking_enabled is (expected == 200)


def test_the_ranking_switch_is_off_by_default_and_turns_ranks_on_and_off(client, two_tenants, login):
    a, b = two_tenants
    assert a.tenant.ranking_enabled is False
    with tenant_scope(a.tenant):
        assert innovation_selectors.member_rank(member=a.employee) == {"rank": None, "of": None}
    login(a.lean_office)
    response = client.post(URL, {"ranking_enabled": "on"})
    assert response.status_code == 302
    tenant = Tenant.objects.get(pk=a.tenant.pk)
    assert tenant.ranking_enabled is True
    assert Tenant.objects.get(pk=b.tenant.pk).ranking_enabled is False  # the other tenant keeps its choice
    with tenant_scope(tenant):
        assert innovation_selectors.member_rank(member=a.employee)["rank"] == 1
    client.post(URL, {})  # an unchecked box turns it off again
    assert Tenant.objects.get(pk=a.tenant.pk).ranking_enabled is False


def test_the_settings_page_renders_in_both_languages(client, tenant_a, login, settings):
    login(tenant_a.lean_office)
    assert "排名" in client.get(URL).content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert "Rankings" in client.get(URL).content.decode()


# A leader (分管领导) reads the dashboards, the query and the portfolio of their subtree and changes nothing.
READS = [
    "/dashboard/",
    "/dashboard/tiles/projects.json",
    "/query/",
    "/projects/portfolio/",
    "/projects/portfolio/table/",
]
WRITES = ["/projects/new/", "/settings/", "/members/{employee}/edit/", "/targets/readings/"]


def test_a_leader_reads_the_dashboards_and_changes_nothing(client, two_tenants, login):
    a, _b = two_tenants
    with tenant_scope(a.tenant):
        leader = make_member(a.hq, [Role.LEADER], number="ALPHA-LD")
    login(leader)
    for page in READS:
        assert client.get("/t/alpha" + page).status_code == 200, page
    for page in WRITES:
        url = "/t/alpha" + page.format(employee=a.employee.pk)
        assert client.get(url).status_code in (403, 404), url
        assert client.post(url, {}).status_code in (403, 404, 405), url


def test_a_unit_leader_sees_only_their_subtree(client, two_tenants, login):
    a, _b = two_tenants
    with tenant_scope(a.tenant):
        leader = make_member(a.unit, [Role.LEADER], number="ALPHA-LD2")
    login(leader)
    assert client.get("/t/alpha/dashboard/", {"unit": a.unit.pk}).status_code == 200
    assert client.get("/t/alpha/dashboard/", {"unit": a.hq.pk}).status_code == 404


def test_a_leader_of_another_tenant_is_not_let_in(client, two_tenants, login):
    a, b = two_tenants
    with tenant_scope(b.tenant):
        leader = make_member(b.hq, [Role.LEADER], number="BETA-LD")
    login(leader)
    assert client.get("/t/alpha/dashboard/").status_code == 404
