"""Answers kept in Redis until the data under them changes: a cache whose invalidation cannot be forgotten.

An app names an *area* and the tables its answer reads (`watch("innovation.archive", tables=[...])`). Every
statement that writes one of those tables, whatever wrote it (a service, a bulk insert, a queryset update, raw
SQL on Django's connection, a migration), gives the area a new version: the statements are watched on the
database connection itself, not by model signals, which bulk writes and `update()` bypass. A cached answer is
stored under the version current when it was computed, so after a write it is never read again (it expires).

An answer computed in a transaction after it wrote a watched table (in the same atomic block) is returned but
not stored: the write may yet be rolled back, and rollbacks renew nothing. (Answers are meant for reading
requests; a write followed by a read in a nested block of the same transaction is not detected.)

The version changes twice: at once, so that the writing transaction (and a test, which never commits) does not
read its own stale answer; and after the commit, because a reader that computed between the write and the commit
saw the old rows and may have stored them under the first new version.

Versions are per tenant (the scope in which the statement ran; a write outside any scope, such as a migration or
a seed run as the owner, renews the area for every tenant) unless the area is declared `per_tenant=False`, for
answers that are not inside one tenant (the tenant looked up by its slug).
"""

import logging
import re
import secrets
from dataclasses import dataclass

from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.backends.signals import connection_created
from django.dispatch import receiver

from .tenancy import current_tenant

logger = logging.getLogger(__name__)

TIMEOUT = 15 * 60  # seconds an unused answer stays; versions themselves never expire
_WRITE = re.compile(r'\b(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM|TRUNCATE(?:\s+TABLE)?)\s+"?(\w+)"?', re.IGNORECASE)


@dataclass(frozen=True)
class Area:
    name: str
    tables: frozenset
    per_tenant: bool


_areas: dict[str, Area] = {}
_by_table: dict[str, list[Area]] = {}


def watch(name: str, *, tables, per_tenant: bool = True) -> None:
    """Declare an area and the tables its answers read (at app start, in AppConfig.ready)."""
    area = Area(name, frozenset(tables), per_tenant)
    _areas[name] = area
    for table in area.tables:
        _by_table.setdefault(table, []).append(area)


def _version_key(area: Area, tenant_id) -> str:
    # "*": the area's version for every tenant, part of each tenant's version (renewed by a write outside any
    # tenant scope), and the only version of an area that is not per tenant.
    return f"lean:v:{area.name}:{tenant_id if area.per_tenant and tenant_id is not None else '*'}"


def _renew(areas, tenant_id) -> None:
    try:
        cache.set_many({_version_key(area, tenant_id): secrets.token_hex(8) for area in areas}, timeout=None)
    except Exception:  # Redis unreachable: the write must not fail for it; answers expire within TIMEOUT
        logger.warning("could not renew the cache versions of %s", sorted(a.name for a in areas), exc_info=True)


def _written_areas(sql: str) -> set:
    head = sql.lstrip()[:6].upper()
    if head.startswith(("SELECT", "SAVEPO", "RELEAS", "SET ")):
        return set()
    return {area for table in _WRITE.findall(sql) for area in _by_table.get(table.lower(), ())}


def _watch_writes(execute, sql, params, many, context):
    result = execute(sql, params, many, context)
    areas = _written_areas(sql) if _by_table else set()
    if areas:
        tenant = current_tenant()
        tenant_id = tenant.pk if tenant is not None else None
        _renew(areas, tenant_id)
        connection = context["connection"]
        if connection.in_atomic_block:
            transaction.on_commit(lambda: _renew(areas, tenant_id), using=connection.alias)
            # the blocks themselves, not their id(): a finished block's id is soon another block's
            connection.lean_written_blocks = list(connection.atomic_blocks)
    return result


@receiver(connection_created, dispatch_uid="lean.versioned_cache.watch")
def _install(sender, connection, **kwargs):
    if _watch_writes not in connection.execute_wrappers:
        connection.execute_wrappers.append(_watch_writes)


def _version(area: Area, tenant_id) -> str:
    """The area's current version for the tenant (made up when Redis has none: a lost version must never bring
    back an answer stored under an older one)."""
    keys = [_version_key(area, tenant_id)]
    if area.per_tenant:
        keys.append(_version_key(area, None))
    found = cache.get_many(keys)
    for key in keys:
        if key not in found:
            cache.add(key, secrets.token_hex(8), timeout=None)
            found[key] = cache.get(key)
    return ".".join(str(found[key]) for key in keys)


def _after_a_write_in_this_block() -> bool:
    connection = connections[DEFAULT_DB_ALIAS]
    written = getattr(connection, "lean_written_blocks", ())
    if not (connection.in_atomic_block and connection.atomic_blocks):
        return False
    return any(block is connection.atomic_blocks[-1] for block in written)


def get_or_compute(area_name: str, key: str, compute):
    """The answer stored for `key` under the area's current version, else `compute()` (stored, then returned).
    Inside a tenant scope for a per-tenant area. An exception in `compute` stores nothing."""
    area = _areas[area_name]
    tenant = current_tenant()
    if area.per_tenant and tenant is None:
        raise RuntimeError(f"{area_name} is cached per tenant: use it inside a tenant scope")
    tenant_id = tenant.pk if area.per_tenant else None
    try:
        full_key = f"lean:c:{area.name}:{tenant_id or '*'}:{_version(area, tenant_id)}:{key}"
        value = cache.get(full_key)
    except Exception:  # Redis unreachable: answer from the database
        logger.warning("cache unavailable for %s", area_name, exc_info=True)
        return compute()
    if value is None:
        value = compute()
        if _after_a_write_in_this_block():
            return value  # what this transaction wrote may yet be rolled back: never store it for others
        try:
            cache.set(full_key, value, timeout=TIMEOUT)
        except Exception:
            logger.warning("cache unavailable for %s", area_name, exc_info=True)
    return value
