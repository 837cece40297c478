"""The tenant scope: the one place that says which tenant the code below is working for.

Entering `tenant_scope(tenant)` does two things, both required:
- activates the django-scopes scope, so the ORM refuses any query of a tenant model outside a scope;
- sets the per-transaction Postgres setting `app.tenant_id` that every row-level security policy reads.
  It is set with `set_config(..., true)` (local to the transaction) inside `transaction.atomic()`, so a
  reused connection never carries one request's tenant into the next.

Doors set the scope once: TenantMiddleware from the URL, TenantTask from the task's `tenant_id`
argument. Crossing tenants on purpose goes through `across_tenants()` and nothing else.
"""

from contextlib import contextmanager
from contextvars import ContextVar

from django.db import connection, transaction
from django_scopes import scope, scopes_disabled

_current_tenant: ContextVar = ContextVar("lean_current_tenant", default=None)


def current_tenant():
    """The tenant of the active scope, or None outside any scope."""
    return _current_tenant.get()


def _set_db_tenant(tenant_id) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('app.tenant_id', %s, true)", [str(tenant_id or "")])


@contextmanager
def tenant_scope(tenant):
    """Run the block for `tenant`, in one transaction, with ORM scope and row-level security set."""
    token = _current_tenant.set(tenant)
    previous = token.old_value if token.old_value is not token.MISSING else None
    try:
        with transaction.atomic(), scope(tenant=tenant):
            _set_db_tenant(tenant.pk)
            try:
                yield tenant
            finally:
                if not connection.needs_rollback:
                    _set_db_tenant(previous.pk if previous else None)
    finally:
        _current_tenant.reset(token)


@contextmanager
def across_tenants():
    """Lift the ORM scope guard on purpose: platform administration and dispatchers over all tenants.

    Row-level security still applies: rows of tenant tables stay invisible unless a policy allows them
    (a person's own memberships, for the tenant switcher). Grep for this name to review every crossing.
    """
    with scopes_disabled():
        yield


@contextmanager
def as_user(user):
    """Let row-level security show the rows that belong to `user` in every tenant (their memberships)."""
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('app.user_id', %s, true)", [str(user.pk)])
        try:
            yield
        finally:
            if not connection.needs_rollback:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT set_config('app.user_id', '', true)")
