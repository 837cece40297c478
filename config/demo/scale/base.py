"""What every scale builder shares: the sizes, the step timer, the fast inserts, dropping an earlier run's tenant,
the foreign keys checked once at the end, and the statistics refresh."""

import json
import time
from collections.abc import Callable, Iterable, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace
from datetime import date, datetime
from functools import cache
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.postgres.fields import ArrayField
from django.db import connection, models, transaction
from django.utils import timezone

from config.demo.seed import GIVEN, SURNAMES
from lean.db_roles import as_owner
from lean.models import Tenant
from lean.rls import tenant_models
from lean.tenancy import tenant_scope

PASSWORD = "lean-scale-2026"  # of the named logins (SC-…)
ZONE = ZoneInfo("Asia/Shanghai")
# The day the data stands at, the end of its last year: project timelines stop here and nothing happens later, so
# the data never depends on the day it is built.
AS_OF = date(2026, 12, 31)


@dataclass(frozen=True)
class Sizes:
    """How much one tenant gets. The organisation (HQ, `units` units with `teams_per_unit` teams each) keeps its
    shape at every scale, so unit codes such as U07 always exist."""

    units: int = 20
    teams_per_unit: int = 14
    employees: int = 30_000
    years: tuple[int, ...] = (2022, 2023, 2024, 2025, 2026)
    shape: tuple[int, int, int] = (5, 5, 20)  # goals per branch, sub-goals per goal, indicators per sub-goal
    units_per_indicator: int = 5
    benchmarks: int = 60
    peers: int = 5
    projects: int = 5_000
    contributions: int = 300_000
    suggestions: int = 20_000
    objections: int = 20

    @property
    def indicators(self) -> int:
        """Indicators per yearly tree: 4 branches × goals × sub-goals × indicators."""
        goals, subgoals, per_subgoal = self.shape
        return 4 * goals * subgoals * per_subgoal

    def scaled(self, factor: float) -> "Sizes":
        """A proportionally smaller (or larger) tenant: people, projects and innovation linearly; the trees by the
        cube root on each of their three levels, so their depth stays."""
        if factor == 1:
            return self
        level = factor ** (1 / 3)
        return replace(
            self,
            employees=max(20, round(self.employees * factor)),
            shape=tuple(max(1, round(n * level)) for n in self.shape),
            benchmarks=max(1, round(self.benchmarks * factor)),
            projects=max(10, round(self.projects * factor)),
            contributions=max(50, round(self.contributions * factor)),
            suggestions=max(10, round(self.suggestions * factor)),
            objections=max(1, round(self.objections * factor)),
        )


LARGE = Sizes()
# A small tenant: HQ, 2 units with 2 teams each, 20 people, one yearly tree of 8 indicators with its readings.
SMALL = Sizes(
    units=2,
    teams_per_unit=2,
    employees=20,
    years=(2026,),
    shape=(1, 1, 2),
    units_per_indicator=2,
    benchmarks=2,
    peers=2,
    projects=4,
    contributions=40,
    suggestions=5,
    objections=1,
)


class Steps:
    """Times each step of a build and prints it with what it made."""

    def __init__(self, out: Callable[[str], None] = print):
        self.out = out
        self.started = time.perf_counter()
        self.made: dict[str, int] = {}  # everything the steps made, added up

    @contextmanager
    def step(self, label: str):
        """`with steps.step("…") as counts: counts["rows"] = …`: prints the label, the counts and the time."""
        started = time.perf_counter()
        counts: dict = {}
        yield counts
        for name, value in counts.items():
            self.made[name] = self.made.get(name, 0) + value
        made = ", ".join(f"{value:,} {name}" for name, value in counts.items())
        self.out(f"  {label:<24} {time.perf_counter() - started:7.1f} s   {made}")

    def total(self) -> float:
        return time.perf_counter() - self.started


def batches(rows: Sequence, size: int) -> Iterable[Sequence]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


@cache  # the same few thousand moments, asked for hundreds of thousands of times
def at(day: date, hour: int = 10, minute: int = 0) -> datetime:
    """A moment of the data's calendar, in the tenants' time zone."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=ZONE)


class JsonText(str):
    """A JSON value already serialized, for insert_rows (a breakdown shared by thousands of rows)."""


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _element(field):
    """How a value of `field` is written inside an array literal."""
    if isinstance(field, ArrayField):  # an array of arrays cannot be unnested: each goes as text, cast after
        return lambda value: "NULL" if value is None else _quoted("{" + ",".join(map(_quoted, value)) + "}")
    if isinstance(field, models.JSONField):
        return lambda value: (
            "NULL" if value is None else _quoted(value if isinstance(value, JsonText) else json.dumps(value))
        )
    if isinstance(field, models.CharField | models.TextField | models.DateTimeField):
        return lambda value: "NULL" if value is None else _quoted(str(value))
    if isinstance(field, models.BooleanField):
        return lambda value: "NULL" if value is None else ("t" if value else "f")
    return lambda value: "NULL" if value is None else str(value)  # numbers, dates, ids


def insert_rows(model, fields: Sequence[str], rows: Sequence[Sequence], size: int = 20_000) -> int:
    """Insert `rows` (each the values of `fields`, in order: ids for foreign keys) with one INSERT … SELECT FROM
    unnest(arrays) per batch of `size`: the fastest way in for the hundreds of thousands of rows of the largest
    tables, where building a model instance per row would cost more than the database's work (and COPY is
    refused on tables with row-level security). Every other column gets what a new instance would have (its
    default, an empty string, NULL, and now for auto_now fields). Returns the number of rows."""
    given = [model._meta.get_field(name) for name in fields]
    rest = [f for f in model._meta.concrete_fields if f not in given and not f.primary_key]
    now = timezone.now()
    constants = []
    for field in rest:
        value = field.get_default()
        if isinstance(field, models.DateTimeField) and (field.auto_now or field.auto_now_add):
            value = now
        constants.append(json.dumps(value) if isinstance(field, models.JSONField) else value)
    elements = [_element(field) for field in given]
    types = [field.db_type(connection) for field in given]
    nested = [isinstance(field, ArrayField) for field in given]
    arrays = ", ".join("%s::text[]" if array else f"%s::{kind}[]" for kind, array in zip(types, nested, strict=True))
    picks = ", ".join(
        f"u.c{i}::{kind}" if array else f"u.c{i}" for i, (kind, array) in enumerate(zip(types, nested, strict=True))
    )
    fixed = "".join(f", %s::{field.db_type(connection)}" for field in rest)
    columns = ", ".join(f'"{field.column}"' for field in given + rest)
    names = ", ".join(f"c{i}" for i in range(len(given)))
    sql = f'INSERT INTO "{model._meta.db_table}" ({columns}) SELECT {picks}{fixed} FROM unnest({arrays}) AS u({names})'
    with connection.cursor() as cursor:
        for chunk in batches(rows, size):
            columns_of = zip(*chunk, strict=True)
            params = [
                "{" + ",".join(map(element, values)) + "}" for element, values in zip(elements, columns_of, strict=True)
            ]
            cursor.execute(sql, constants + params)  # the constants stand first in the statement
    return len(rows)


def insert_objects(model, objects: Sequence, *, ids: bool = False) -> int:
    """Insert unsaved model instances through insert_rows: bulk_create without its cost per row and field. With
    `ids` they keep the ids they were given or get theirs first (drawn from the table's sequence), so other rows
    can point at them; auto_now fields left empty get now."""
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    stamped = [
        i
        for i, field in enumerate(fields)
        if isinstance(field, models.DateTimeField) and (field.auto_now or field.auto_now_add)
    ]
    names = [field.name for field in fields]
    if ids:
        missing = [obj for obj in objects if obj.pk is None]
        for obj, pk in zip(missing, next_ids(model, len(missing)), strict=True):
            obj.pk = pk
        names = ["id", *names]
    now = timezone.now()
    rows = []
    for obj in objects:
        row = [getattr(obj, field.attname) for field in fields]
        for i in stamped:
            row[i] = row[i] or now
        rows.append([obj.pk, *row] if ids else row)
    return insert_rows(model, names, rows)


def next_ids(model, count: int) -> list[int]:
    """`count` ids from the table's own sequence, for rows inserted with insert_rows that others refer to."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [f'"{table}"', count]
        )
        return [row[0] for row in cursor.fetchall()]


def drop_tenant(slug: str) -> bool:
    """Remove an earlier run's tenant, table by table, in one transaction (one DELETE each; the foreign keys are
    deferred), and the logins made for it (named after it); whether there was one."""
    tenant = Tenant.objects.filter(slug=slug).first()
    if tenant is None:
        return False
    with tenant_scope(tenant), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        cursor.execute("SELECT user_id FROM lean_membership WHERE tenant_id = %s", [tenant.pk])
        users = [row[0] for row in cursor.fetchall()]
        for model in tenant_models():
            cursor.execute(f'DELETE FROM "{model._meta.db_table}" WHERE tenant_id = %s', [tenant.pk])
        cursor.execute("DELETE FROM lean_tenant WHERE id = %s", [tenant.pk])
        cursor.execute("DELETE FROM lean_user WHERE id = ANY(%s) AND starts_with(username, %s)", [users, f"{slug}-"])
    return True


_owner_load: ContextVar[bool] = ContextVar("scale_owner_load", default=False)


@contextmanager
def keys_checked_at_the_end(steps: "Steps"):
    """Run the block as the tables' owner, in one transaction, with the foreign keys of the schema dropped, and
    add them back at the end: adding a key checks every row at once with a join, where inserting (or deleting)
    millions of rows checks each on its own, a query per row and key (minutes at full scale).

    Nothing is weakened: the keys come back exactly as they were (pg_get_constraintdef), and a row that breaks
    one fails the whole transaction. Row-level security binds the owner too (FORCE), so inside the block every
    row still goes through tenant_scope; but a key added under it would check only the rows of the tenant in
    scope (none, outside any), so for adding the keys the owner's own transaction lifts FORCE and puts it back
    before it commits: nobody else ever sees the tables without it, and the app's role is bound either way.

    The locks keep everyone else out of the tables until the end: this is for benchmark data, not for a live
    database. Inside a caller's transaction (a test with `db`) the block runs as it is, keys and all."""
    if connection.in_atomic_block:
        yield
        return
    with as_owner(), transaction.atomic(), connection.cursor() as cursor:
        token = _owner_load.set(True)
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint"
            " WHERE contype = 'f' AND connamespace = 'public'::regnamespace ORDER BY 1, 2"
        )
        keys = cursor.fetchall()
        tables: dict[str, list[tuple[str, str]]] = {}
        for table, name, definition in keys:
            tables.setdefault(table, []).append((name, definition))
        for table, named in tables.items():
            cursor.execute(f"ALTER TABLE {table} " + ", ".join(f'DROP CONSTRAINT "{name}"' for name, _d in named))
        try:
            yield
        finally:
            _owner_load.reset(token)
        with steps.step("foreign keys") as made:
            cursor.execute(
                "SELECT oid::regclass::text FROM pg_class"
                " WHERE relforcerowsecurity AND relnamespace = 'public'::regnamespace ORDER BY 1"
            )
            forced = [row[0] for row in cursor.fetchall()]
            for table in forced:
                cursor.execute(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY")
            for table, named in tables.items():
                cursor.execute(f"ALTER TABLE {table} " + ", ".join(f'ADD CONSTRAINT "{name}" {d}' for name, d in named))
            for table in forced:
                cursor.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
            made["checked"] = len(keys)


@contextmanager
def indexes_built_at_the_end(steps: "Steps", models_: Sequence):
    """Inside keys_checked_at_the_end: drop the plain (not unique) indexes of the tables of `models_` and build
    them again at the end, from the sorted rows in one pass each, instead of growing each by hundreds of
    thousands of single entries. The same indexes come back (pg_get_indexdef); queries inside the block scan
    instead of using them, so the block should mostly insert. Where keys_checked_at_the_end runs the block as it
    is (a test with `db`), so does this."""
    if not _owner_load.get():
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index i"
            " WHERE indrelid = ANY(%s::regclass[]) AND NOT indisunique AND NOT indisprimary"
            " AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid) ORDER BY 1",
            [[f'"{model._meta.db_table}"' for model in models_]],
        )
        indexes = cursor.fetchall()
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX {name}")
        yield
        with steps.step("indexes") as made:
            for _name, definition in indexes:
                cursor.execute(definition)
            made["built"] = len(indexes)


def analyze() -> None:
    """Fresh planner statistics, as autovacuum would have them after a while in production. ANALYZE needs the
    tables' owner; inside a caller's transaction (a test) the owner's connection would not see the new rows, so
    there it runs as the current role (which the test database lets maintain the tables)."""
    if connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        return
    with as_owner(), connection.cursor() as cursor:
        cursor.execute("ANALYZE")


_password_hashes: dict = {}


def password_hash() -> str:
    """The named logins' password, hashed once per hasher setting (hashing is slow on purpose)."""
    key = tuple(settings.PASSWORD_HASHERS)
    if key not in _password_hashes:
        _password_hashes[key] = make_password(PASSWORD)
    return _password_hashes[key]


def person_name(i: int) -> str:
    return SURNAMES[(i * 7) % len(SURNAMES)] + GIVEN[(i * 11 + i // len(SURNAMES)) % len(GIVEN)]
