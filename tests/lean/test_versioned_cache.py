"""Answers kept in Redis until a table under them is written (lean.versioned_cache): the employee archive API
and the tenant lookup. What a user relies on: never a stale answer after a change, however the change was
written, and never someone else's answer; tenants apart; Redis being down costs speed, not answers."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from innovation.models import Credit, Incentive
from lean import versioned_cache
from lean.models import Role, Tenant, Unit
from lean.tenancy import tenant_scope
from tests.factories import make_member

ARCHIVE = "/t/alpha/api/v1/innovation/archives/employees/ALPHA-EM/"


@pytest.fixture
def data(two_tenants):
    return two_tenants  # each with a row in every table: innovation's credits, incentives and listing too


def archive(client, url=ARCHIVE):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    return response, len(queries)


def test_the_second_request_is_answered_from_the_cache_with_the_same_body(data, login):
    a, _b = data
    client = login(a.lean_office)
    first, cold = archive(client)
    second, warm = archive(client)
    assert first.status_code == second.status_code == 200
    assert first.json() == second.json() and first.json()["total"] != "0.00"
    assert warm < cold - 5  # the archive's own queries are gone; the session, key and scope remain


def test_a_bulk_update_that_bypasses_model_signals_still_renews_the_answer(data, login):
    a, _b = data
    client = login(a.lean_office)
    before = archive(client)[0].json()
    with tenant_scope(a.tenant):
        Credit.objects.filter(member=a.employee).update(points=D("99.50"))  # no save(), no signal
    after = archive(client)[0].json()
    assert after["total"] != before["total"]
    assert {row["points"] for row in after["contributions"]["results"]} == {"99.50"}


def test_a_new_row_through_the_orm_renews_the_answer(data, login):
    a, _b = data
    client = login(a.lean_office)
    assert "创新标兵" not in str(archive(client)[0].json()["incentives"])
    with tenant_scope(a.tenant):
        Incentive.objects.create(
            tenant=a.tenant,
            member=a.employee,
            kind=Incentive.Kind.HONOUR,
            name="创新标兵",
            reason="年度",
            awarded_on=date(2026, 1, 5),
        )
    assert "创新标兵" in [row["name"] for row in archive(client)[0].json()["incentives"]]


def test_who_may_see_the_answer_is_decided_on_every_request(data, login, tenant_a):
    a, _b = data
    assert login(a.lean_office).get(ARCHIVE).status_code == 200  # now cached
    assert login(a.employee).get(ARCHIVE).status_code == 200  # the person themselves
    assert login(a.manager).get(ARCHIVE).status_code == 200  # their unit's manager
    assert login(a.reviewer).get(ARCHIVE).status_code == 404  # anyone else: not found, cached or not


def test_another_tenant_never_gets_the_cached_answer(data, login):
    a, b = data
    with tenant_scope(b.tenant):
        make_member(b.team, [Role.EMPLOYEE], number="ALPHA-EM", name="乙的同号员工")  # the same number in B
    mine = login(a.lean_office).get(ARCHIVE).json()
    theirs = login(b.lean_office).get(ARCHIVE.replace("/alpha/", f"/{b.tenant.slug}/")).json()
    assert mine["employee"]["id"] == a.employee.pk and mine["total"] != "0.00"
    assert theirs["employee"]["name"] == "乙的同号员工" and theirs["total"] == "0.00"


def test_a_write_in_one_tenant_keeps_the_other_tenants_answers_and_one_outside_any_scope_renews_all(data):
    a, b = data
    versioned_cache.watch("test.units", tables=["lean_unit"])
    computed = []

    def answer(t):
        with tenant_scope(t.tenant):
            return versioned_cache.get_or_compute("test.units", "k", lambda: computed.append(t) or len(computed))

    assert answer(a) == 1 and answer(a) == 1 and answer(b) == 2
    with tenant_scope(b.tenant):
        Unit.objects.filter(pk=b.unit.pk).update(name="改名")
    assert answer(a) == 1  # B's write leaves A's answer
    assert answer(b) == 3
    with connection.cursor() as cursor:  # outside any scope, as a migration or a repair script would
        cursor.execute("UPDATE lean_unit SET name = name WHERE false")
    assert answer(a) == 4 and answer(b) == 5


def test_a_rolled_back_write_is_not_served_and_a_failed_computation_stores_nothing(data):
    a, _b = data
    versioned_cache.watch("test.units.rollback", tables=["lean_unit"])
    names = []

    def answer():
        with tenant_scope(a.tenant):
            return versioned_cache.get_or_compute(
                "test.units.rollback", "k", lambda: names.append(1) or Unit.objects.get(pk=a.unit.pk).name
            )

    original = answer()
    with pytest.raises(RuntimeError), tenant_scope(a.tenant):
        Unit.objects.filter(pk=a.unit.pk).update(name="回滚的名字")
        assert versioned_cache.get_or_compute("test.units.rollback", "k", lambda: "inside") == "inside"
        raise RuntimeError
    assert answer() == original  # recomputed after the rollback, from the committed row
    with pytest.raises(ValueError), tenant_scope(a.tenant):
        versioned_cache.get_or_compute("test.units.rollback", "other", lambda: int("x"))
    with tenant_scope(a.tenant):
        assert versioned_cache.get_or_compute("test.units.rollback", "other", lambda: "now") == "now"


def test_a_deactivated_or_renamed_tenant_takes_effect_at_once(data, login):
    a, _b = data
    client = login(a.lean_office)
    assert client.get("/t/alpha/").status_code == 200  # the tenant is now cached by its slug
    Tenant.objects.filter(pk=a.tenant.pk).update(active=False)
    assert client.get("/t/alpha/").status_code == 404
    Tenant.objects.filter(pk=a.tenant.pk).update(active=True, name="新名字集团")
    response = client.get("/t/alpha/")
    assert response.status_code == 200 and "新名字集团" in response.content.decode()


def test_without_redis_the_answers_come_from_the_database_and_writes_still_succeed(data, login, monkeypatch):
    a, _b = data
    client = login(a.lean_office)
    expected = archive(client)[0].json()

    def down(*args, **kwargs):
        raise ConnectionError("redis is down")

    for name in ("get", "get_many", "set", "set_many", "add"):
        monkeypatch.setattr(cache, name, down)
    response, _queries = archive(client)
    assert response.status_code == 200 and response.json() == expected
    with tenant_scope(a.tenant):
        Credit.objects.filter(member=a.employee).update(points=D("1.00"))  # the renewal fails, the write does not
        assert Credit.objects.filter(member=a.employee, points=D("1.00")).exists()
