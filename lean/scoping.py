"""The ORM guard: a manager whose queries fail outside a tenant scope (django-scopes, made stricter).

django-scopes' disabled queryset leaves a few doors open (`exists`, `exclude`, `in_bulk`, `bulk_create`,
…). Ours refuses every way a query can reach the database, so an unscoped query fails loudly in tests
and in production instead of returning everything.
"""

from django.db import models
from django_scopes.manager import DisabledQuerySet
from django_scopes.manager import ScopedManager as _ScopedManager


class UnscopedQuerySet(DisabledQuerySet):
    def _fetch_all(self):
        self.error()

    exists = DisabledQuerySet.error
    exclude = DisabledQuerySet.error
    in_bulk = DisabledQuerySet.error
    contains = DisabledQuerySet.error
    explain = DisabledQuerySet.error
    bulk_create = DisabledQuerySet.error
    bulk_update = DisabledQuerySet.error
    select_related = DisabledQuerySet.error
    prefetch_related = DisabledQuerySet.error
    distinct = DisabledQuerySet.error
    alias = DisabledQuerySet.error
    extra = DisabledQuerySet.error
    defer = DisabledQuerySet.error
    only = DisabledQuerySet.error


def TenantScopedManager(_manager_class=models.Manager):
    base = _ScopedManager(_manager_class, tenant="tenant").__class__

    class Manager(base):
        def get_queryset(self):
            queryset = super().get_queryset()
            if isinstance(queryset, DisabledQuerySet):
                return UnscopedQuerySet(self.model, using=self._db, missing_scopes=queryset.missing_scopes)
            return queryset

    return Manager()
