"""The incentive pages: the incentives with their filters and the studios with their members (lean office and unit
managers), recording an incentive and founding a studio with the people and units each may choose, bad input,
and the query count of the list at two sizes."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from innovation.models import Incentive, Studio
from innovation.services import incentives
from lean.tenancy import tenant_scope
from tests.factories import make_member

from .factories import make_innovation

D = Decimal
BASE = "/t/alpha/innovation"


@pytest.fixture
def data(tenant_a, client, settings):
    """make_innovation's studio (a place for the employee) and bonus points; a person at HQ the unit's manager
    does not manage."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with tenant_scope(tenant_a.tenant):
        make_innovation(tenant_a)
        tenant_a.extra["hq_person"] = make_member(tenant_a.hq, ["employee"], name="总部员工孙七")
        incentives.incentive_create(
            actor=tenant_a.lean_office,
            member=tenant_a.extra["hq_person"],
            kind=Incentive.Kind.HONOUR,
            name="精益之星",
            reason="年度表彰",
            awarded_on=date(2024, 12, 20),
        )
    return tenant_a


ROLE_TABLE = {
    #                list new  studio
    "lean_office": (200, 200, 200),
    "manager": (200, 200, 200),
    "reviewer": (403, 403, 403),
    "employee": (403, 403, 403),
}


@pytest.mark.parametrize("role", list(ROLE_TABLE))
def test_who_opens_which_page(client, data, login, role):
    login(getattr(data, role))
    got = tuple(client.get(f"{BASE}/{path}").status_code for path in ("incentives/", "incentives/new/", "studios/new/"))
    assert got == ROLE_TABLE[role]
    if got[0] == 403:
        assert client.post(f"{BASE}/incentives/new/", {}).status_code == 403
        assert client.post(f"{BASE}/studios/new/", {}).status_code == 403


def test_the_list_filters_and_shows_the_studios(client, data, login):
    login(data.lean_office)
    response = client.get(f"{BASE}/incentives/")
    assert [i.name for i in response.context["page"]] == ["绩效加分", "工作室成员", "精益之星"]
    studio = response.context["studios"][0]
    assert studio.name == "刘思远创新工作室" and [p.pk for p in studio.people] == [data.employee.pk]
    assert [i.kind for i in client.get(f"{BASE}/incentives/", {"kind": "bonus"}).context["page"]] == ["bonus"]
    assert [i.name for i in client.get(f"{BASE}/incentives/", {"year": 2024}).context["page"]] == ["精益之星"]
    response = client.get(f"{BASE}/incentives/", {"unit": data.team.pk}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "<html" not in body and "绩效加分" in body and "精益之星" not in body
    assert client.get(f"{BASE}/incentives/", {"year": "abc", "unit": "x"}).status_code == 200
    # A manager sees the people of their units only.
    login(data.manager)
    response = client.get(f"{BASE}/incentives/")
    assert [i.name for i in response.context["page"]] == ["绩效加分", "工作室成员"]


def test_an_incentive_is_recorded_and_bad_input_comes_back(client, data, login):
    login(data.manager)
    url = f"{BASE}/incentives/new/"
    with tenant_scope(data.tenant):
        form = client.get(url).context["form"]
        assert data.extra["hq_person"] not in form.fields["member"].queryset
        assert data.employee in form.fields["member"].queryset
    good = {
        "member": data.employee.pk,
        "kind": "bonus",
        "name": "季度创新加分",
        "reason": "QC成果突出",
        "awarded_on": "2025-07-01",
        "bonus_points": "3.5",
    }
    before = {k: v for k, v in good.items() if k != "bonus_points"}
    response = client.post(url, before)
    assert response.status_code == 400 and response.context["form"].errors["bonus_points"]
    response = client.post(url, {**good, "bonus_points": "-1"})
    assert response.status_code == 400 and response.context["form"].errors["bonus_points"]
    response = client.post(url, {**good, "kind": "studio", "bonus_points": ""})
    assert response.status_code == 400 and response.context["form"].errors["studio"]
    response = client.post(url, {**good, "reason": "  "})
    assert response.status_code == 400 and response.context["form"].errors["reason"]
    response = client.post(url, {**good, "member": data.extra["hq_person"].pk})
    assert response.status_code == 400 and response.context["form"].errors["member"]  # not theirs to reward
    assert client.post(url, {}).status_code == 400
    with tenant_scope(data.tenant):
        assert not Incentive.objects.filter(name="季度创新加分").exists()
    response = client.post(url, good)
    assert response.status_code == 302 and response.url == f"{BASE}/incentives/"
    with tenant_scope(data.tenant):
        made = Incentive.objects.get(name="季度创新加分")
        assert (made.member, made.bonus_points, made.awarded_by) == (data.employee, D("3.50"), data.manager)
    # A place in a studio.
    with tenant_scope(data.tenant):
        studio = Studio.objects.get()
    response = client.post(
        url, {**good, "kind": "studio", "name": "工作室骨干", "bonus_points": "", "studio": studio.pk}
    )
    assert response.status_code == 302
    with tenant_scope(data.tenant):
        assert Incentive.objects.get(name="工作室骨干").studio == studio


def test_a_studio_is_founded(client, data, login):
    url = f"{BASE}/studios/new/"
    good = {"name": "班组创新工作室", "unit": data.team.pk, "leader": data.employee.pk, "established_on": "2025-08-01"}
    login(data.manager)
    response = client.post(url, {**good, "unit": data.hq.pk})
    assert response.status_code == 400 and response.context["form"].errors["unit"]
    response = client.post(url, {**good, "name": ""})
    assert response.status_code == 400 and response.context["form"].errors["name"]
    with tenant_scope(data.tenant):
        assert Studio.objects.count() == 1
    response = client.post(url, good)
    assert response.status_code == 302 and response.url == f"{BASE}/incentives/"
    with tenant_scope(data.tenant):
        studio = Studio.objects.get(name="班组创新工作室")
        assert (studio.unit, studio.leader, studio.established_on) == (data.team, data.employee, date(2025, 8, 1))


def bulk_incentives(ts, n: int, year: int):
    studio = Studio.objects.create(
        tenant=ts.tenant, name=f"工作室{year}", unit=ts.unit, leader=ts.manager, established_on=date(year, 1, 1)
    )
    kinds = [Incentive.Kind.HONOUR, Incentive.Kind.TITLE, Incentive.Kind.STUDIO, Incentive.Kind.BONUS]
    Incentive.objects.bulk_create(
        [
            Incentive(
                tenant=ts.tenant,
                member=(ts.manager, ts.employee)[i % 2],
                kind=kinds[i % 4],
                name=f"{year}-{i}",
                reason="批量",
                awarded_on=date(year, 1 + i % 12, 1),
                bonus_points=D(2) if kinds[i % 4] == Incentive.Kind.BONUS else None,
                studio=studio if kinds[i % 4] == Incentive.Kind.STUDIO else None,
                awarded_by=ts.lean_office,
            )
            for i in range(n)
        ]
    )


def count_queries(client, url, params=None):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, params or {}).status_code == 200
    return len(queries)


@pytest.mark.parametrize("role", ["lean_office", "manager"])
def test_the_list_runs_the_same_queries_at_two_sizes(client, data, login, role):
    login(getattr(data, role))
    with tenant_scope(data.tenant):
        bulk_incentives(data, 8, 2022)
    small = (
        count_queries(client, f"{BASE}/incentives/"),
        count_queries(client, f"{BASE}/incentives/", {"kind": "studio", "unit": data.unit.pk, "year": 2022}),
        count_queries(client, f"{BASE}/incentives/new/"),
    )
    with tenant_scope(data.tenant):
        bulk_incentives(data, 400, 2023)
    big = (
        count_queries(client, f"{BASE}/incentives/"),
        count_queries(client, f"{BASE}/incentives/", {"kind": "studio", "unit": data.unit.pk, "year": 2023}),
        count_queries(client, f"{BASE}/incentives/new/"),
    )
    assert small == big
    response = client.get(f"{BASE}/incentives/")
    assert response.context["page"].paginator.count > 400 and len(response.context["studios"]) == 3
