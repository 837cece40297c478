"""lean/access.py: the unit subtree and a member's reach, in SQL and in Python, with two tenants."""

import pytest
from django.db.models import Q

from lean.access import (
    ancestor_ids,
    ancestor_paths,
    in_subtree,
    is_within,
    subtree_q,
    units_in_reach,
    within,
)
from lean.models import Membership, Unit
from lean.services import unit_create
from lean.tenancy import tenant_scope


def _codes(units):
    return [unit.code for unit in units]


def test_subtree_of_a_unit_in_sql_and_in_python(tenant_a):
    with tenant_scope(tenant_a.tenant):
        sibling = unit_create(name="二分公司", code="U2", parent=tenant_a.hq)
        assert _codes(Unit.objects.filter(subtree_q(tenant_a.unit, field="")).order_by("path")) == ["U1", "U1-T1"]
        assert _codes(in_subtree(Unit.objects.order_by("path"), tenant_a.hq, field="")) == ["HQ", "U1", "U1-T1", "U2"]
        assert _codes(in_subtree(Unit.objects.order_by("path"), None, field="")) == ["HQ", "U1", "U1-T1", "U2"]
        people = in_subtree(Membership.objects.order_by("employee_number"), tenant_a.unit.path)
        assert set(people) == {tenant_a.manager, tenant_a.employee}
    assert is_within(tenant_a.team, tenant_a.unit) and is_within(tenant_a.unit, tenant_a.unit)
    assert not is_within(tenant_a.unit, tenant_a.team) and not is_within(sibling, tenant_a.unit)
    assert ancestor_ids(tenant_a.team) == [tenant_a.hq.pk, tenant_a.unit.pk, tenant_a.team.pk]
    assert ancestor_paths(tenant_a.team) == [tenant_a.hq.path, tenant_a.unit.path, tenant_a.team.path]


@pytest.mark.parametrize(
    ("role", "rules", "expected"),
    [
        ("lean_office", {}, ["HQ", "U1", "U1-T1"]),
        ("manager", {}, ["U1", "U1-T1"]),
        ("employee", {}, []),
        ("reviewer", {}, []),
        ("employee", {"subtree": True}, ["U1-T1"]),
        ("manager", {"everything": True}, ["HQ", "U1", "U1-T1"]),
        ("lean_office", {"everything": False, "subtree": False}, []),
        ("employee", {"otherwise": Q(code="HQ")}, ["HQ"]),
    ],
)
def test_units_in_reach_by_role_and_rules(tenant_a, tenant_b, role, rules, expected):
    with tenant_scope(tenant_a.tenant):
        assert _codes(units_in_reach(getattr(tenant_a, role), **rules)) == expected


def test_within_follows_the_field_and_never_crosses_tenants(tenant_a, tenant_b):
    with tenant_scope(tenant_a.tenant):
        everyone = Membership.objects.all()
        assert set(within(everyone, tenant_a.lean_office)) == set(tenant_a.members())
        assert set(within(everyone, tenant_a.manager)) == {tenant_a.manager, tenant_a.employee}
        assert set(within(everyone, tenant_a.manager, "unit__parent")) == {tenant_a.employee}
        assert list(within(everyone, tenant_a.employee, otherwise=Q(pk=tenant_a.employee.pk))) == [tenant_a.employee]
        assert list(within(everyone, tenant_a.employee)) == []
