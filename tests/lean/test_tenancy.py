"""The two guards: the ORM scope and Postgres row-level security, plus same-tenant foreign keys."""

import pytest
from django.apps import apps
from django.db import IntegrityError, connection, transaction
from django.db.models import UniqueConstraint
from django_scopes.exceptions import ScopeError

from lean import rls
from lean.models import Membership, Unit
from lean.tenancy import across_tenants, current_tenant, tenant_scope

# Tables read before a tenant is known, or platform-wide by nature. Everything else must be a tenant table.
OUTSIDE_RLS = {
    "lean_tenant",
    "lean_user",
    "lean_user_groups",
    "lean_user_user_permissions",
    "auth_group",
    "auth_group_permissions",
    "auth_permission",
    "django_admin_log",
    "django_content_type",
    "django_migrations",
    "django_session",
    "axes_accessattempt",
    "axes_accessattemptexpiration",
    "axes_accessfailurelog",
    "axes_accesslog",
}


def tenant_tables():
    return sorted({m._meta.db_table for m in rls.tenant_models()})


def all_tables():
    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        return {row[0] for row in cursor.fetchall()}


def rows(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall() if cursor.description else []


def set_db_tenant(tenant_id):
    rows("SELECT set_config('app.tenant_id', %s, true)", [str(tenant_id or "")])


def test_application_role_cannot_bypass_rls(db):
    ((is_super, bypass),) = rows("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user")
    assert not is_super and not bypass
    owned = rows("SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tableowner = current_user")
    assert owned == []


def test_every_table_is_a_tenant_table_with_forced_rls_or_allow_listed(db):
    unknown = all_tables() - OUTSIDE_RLS - set(tenant_tables())
    assert unknown == set(), f"tables neither tenant-owned nor allow-listed: {unknown}"
    flags = dict(
        (
            (name, (enabled, forced))
            for name, enabled, forced in rows(
                "SELECT relname, relrowsecurity, relforcerowsecurity FROM pg_class WHERE relname = ANY(%s)",
                [tenant_tables()],
            )
        )
    )
    policies = {name for (name,) in rows("SELECT tablename FROM pg_policies WHERE policyname = %s", [rls.POLICY])}
    for table in tenant_tables():
        assert flags[table] == (True, True), f"{table}: RLS not enabled and forced"
        assert table in policies, f"{table}: no tenant policy"


def test_raw_sql_sees_only_the_current_tenant(two_tenants):
    a, b = two_tenants
    empty_in_b = []
    for table in tenant_tables():
        set_db_tenant(b.tenant.pk)
        if rows(f'SELECT count(*) FROM "{table}"')[0][0] == 0:
            empty_in_b.append(table)
        set_db_tenant(a.tenant.pk)
        assert rows(f'SELECT count(*) FROM "{table}" WHERE tenant_id = %s', [b.tenant.pk])[0][0] == 0, table
        assert rows(f'SELECT count(*) FROM "{table}" WHERE tenant_id <> %s', [a.tenant.pk])[0][0] == 0, table
        set_db_tenant(None)
        assert rows(f'SELECT count(*) FROM "{table}"')[0][0] == 0, f"{table} shows rows with no tenant set"
    # Otherwise the loop above would prove nothing for those tables: give tenant B rows in the fixtures.
    assert empty_in_b == []


def test_rls_refuses_writing_into_another_tenant(two_tenants):
    a, b = two_tenants
    set_db_tenant(a.tenant.pk)
    with pytest.raises(Exception, match="row-level security"), transaction.atomic():
        rows(
            "INSERT INTO lean_unit (tenant_id, name, code, kind, path, active) "
            "VALUES (%s, 'x', 'X9', 'unit', '/', true)",
            [b.tenant.pk],
        )
    updated = rows("UPDATE lean_unit SET name = 'hijacked' WHERE tenant_id = %s RETURNING id", [b.tenant.pk])
    assert updated == []


def test_foreign_key_into_another_tenant_is_refused_by_the_database(two_tenants):
    a, b = two_tenants
    with tenant_scope(a.tenant):
        with pytest.raises(IntegrityError), transaction.atomic():
            rows(
                "INSERT INTO lean_unit (tenant_id, name, code, kind, path, active, parent_id) "
                "VALUES (%s, 'x', 'X1', 'unit', '/', true, %s)",
                [a.tenant.pk, b.unit.pk],
            )
            rows("SET CONSTRAINTS ALL IMMEDIATE")


def test_every_tenant_relation_has_a_same_tenant_constraint(db):
    names = {name for (name,) in rows("SELECT conname FROM pg_constraint WHERE contype = 'f'")}
    for model, field in rls.same_tenant_relations():
        expected = rls._constraint_name("same_tenant", model._meta.db_table, field.column)
        assert expected in names, f"{model.__name__}.{field.name} lacks its same-tenant foreign key"
    assert len(rls.same_tenant_relations()) >= 2  # Unit.parent, Membership.unit, and more as apps grow


def test_unscoped_orm_query_raises(tenant_a):
    with pytest.raises(ScopeError):
        list(Unit.objects.all())
    with pytest.raises(ScopeError):
        Membership.objects.count()


def test_scope_shows_one_tenant_and_resets(two_tenants):
    a, b = two_tenants
    with tenant_scope(a.tenant):
        assert current_tenant() == a.tenant
        assert set(Unit.objects.values_list("pk", flat=True)) == {a.hq.pk, a.unit.pk, a.team.pk}
        with tenant_scope(b.tenant):
            assert set(Unit.objects.values_list("pk", flat=True)) == {b.hq.pk, b.unit.pk, b.team.pk}
        assert set(Unit.objects.values_list("pk", flat=True)) == {a.hq.pk, a.unit.pk, a.team.pk}
    assert current_tenant() is None
    assert rows("SELECT current_setting('app.tenant_id', true)")[0][0] in ("", None)


def test_even_with_the_orm_guard_lifted_rls_leaks_nothing(two_tenants):
    a, b = two_tenants
    with tenant_scope(a.tenant), across_tenants():
        assert not Unit.objects.filter(tenant=b.tenant).exists()
        assert Unit.objects.count() == 3


def test_every_unique_constraint_of_a_tenant_model_includes_the_tenant(db):
    offenders = []
    for model in rls.tenant_models():
        if model._meta.auto_created:
            continue
        for f in model._meta.concrete_fields:
            # A one-to-one link to another tenant row is unique on a globally unique id, and the same-tenant
            # foreign key keeps both rows in one tenant: nothing about another tenant can collide or leak.
            one_to_one_in_tenant = f.one_to_one and rls.is_tenant_model(f.related_model)
            if f.unique and not f.primary_key and not one_to_one_in_tenant:
                offenders.append(f"{model.__name__}.{f.name}")
        for fields in model._meta.unique_together:
            if "tenant" not in fields:
                offenders.append(f"{model.__name__} unique_together {fields}")
        for constraint in model._meta.constraints:
            if isinstance(constraint, UniqueConstraint) and "tenant" not in constraint.fields:
                offenders.append(f"{model.__name__} {constraint.name}")
    assert offenders == []


def test_tenant_models_are_scoped_managers(db):
    for model in rls.tenant_models():
        if model.__name__.startswith("Historical") or model._meta.auto_created:
            continue  # history rows are read through their scoped parent; RLS stands behind them
        with pytest.raises(ScopeError):
            model._default_manager.exists()
            pytest.fail(f"{model.__name__} can be queried outside a tenant scope")


def test_membership_own_rows_policy_only_reads_own_memberships(two_tenants):
    from lean.selectors import user_tenants

    a, b = two_tenants
    from tests.factories import make_member

    with tenant_scope(b.tenant):
        make_member(b.unit, ["employee"], user=a.employee.user)
    tenants = {m.tenant.slug for m in user_tenants(user=a.employee.user)}
    assert tenants == {"alpha", "beta"}
    assert {m.tenant.slug for m in user_tenants(user=a.manager.user)} == {"alpha"}


def test_models_are_installed_apps():
    for label in ("targets", "benchmarking", "projects", "innovation"):
        assert apps.get_app_config(label)
