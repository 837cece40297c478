"""Units and employees from the HR system (bulk upsert), validated as a whole and idempotent.

One batch holds up to MAX_RECORDS units and employees. Every problem of every record is listed by its place
("employees.12.unit_code"); a batch with any problem changes nothing. Applying the same batch again changes
nothing either: rows are written only where a value differs, so the audit history shows only real changes.
People marked inactive are deactivated, never deleted: their history, points and projects stay.
"""

from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import connection, transaction
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from lean.errors import ApplicationError, BadRow, BatchRejected
from lean.models import Membership, Role, Unit, User
from lean.permissions import require
from lean.tenancy import current_tenant

MAX_RECORDS = 5000
UNIT_FIELDS = ("name", "parent_id", "active")
MEMBER_FIELDS = ("unit_id", "position", "active", "email", "phone")


def _text(record, field, errors, place, *, required=True, max_length=200):
    value = record.get(field)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            errors[f"{place}.{field}"] = [_("Required.")]
        return ""
    if not isinstance(value, str | int):
        errors[f"{place}.{field}"] = [_("Expected text.")]
        return ""
    value = str(value).strip()
    if len(value) > max_length:
        errors[f"{place}.{field}"] = [_("At most %(n)d characters.") % {"n": max_length}]
    return value


def _flag(record, field, errors, place):
    value = record.get(field, True)
    if not isinstance(value, bool):
        errors[f"{place}.{field}"] = [_("Expected true or false.")]
        return True
    return value


def _check_units(raw_units, existing: dict[str, Unit], errors) -> list[dict]:
    units, seen = [], {}
    for index, record in enumerate(raw_units):
        place = f"units.{index}"
        if not isinstance(record, dict):
            errors[place] = [_("Expected an object.")]
            continue
        code = _text(record, "code", errors, place, max_length=40)
        row = {
            "index": index,
            "code": code,
            "name": _text(record, "name", errors, place),
            "parent_code": _text(record, "parent_code", errors, place, required=False, max_length=40),
            "active": _flag(record, "active", errors, place),
        }
        if code and code in seen:
            errors[f"{place}.code"] = [_("Unit %(code)s is also at place %(i)d.") % {"code": code, "i": seen[code]}]
        seen.setdefault(code, index)
        units.append(row)
    known = set(existing) | set(seen)
    parents = {u["code"]: u["parent_code"] for u in units}
    for row in units:
        place = f"units.{row['index']}"
        if row["parent_code"] and row["parent_code"] not in known:
            errors[f"{place}.parent_code"] = [_("No unit has code %(code)s.") % {"code": row["parent_code"]}]
        elif row["code"] and not row["parent_code"] and row["code"] not in existing:
            errors[f"{place}.parent_code"] = [_("A new unit needs its parent unit.")]
        # a cycle: following parents (from the batch, else the database) comes back to the unit
        code, steps = row["parent_code"], 0
        while code and steps <= len(known):
            if code == row["code"]:
                errors[f"{place}.parent_code"] = [_("This would put the unit below itself.")]
                break
            parent_unit = existing.get(code)
            code = (
                parents[code] if code in parents else (_code_of(parent_unit.parent_id, existing) if parent_unit else "")
            )
            steps += 1
    return units


def _code_of(unit_id, existing: dict[str, Unit]) -> str:
    for code, unit in existing.items():
        if unit.pk == unit_id:
            return code
    return ""


def _check_employees(raw_employees, unit_codes: set[str], errors) -> list[dict]:
    employees, seen = [], {}
    for index, record in enumerate(raw_employees):
        place = f"employees.{index}"
        if not isinstance(record, dict):
            errors[place] = [_("Expected an object.")]
            continue
        number = _text(record, "employee_number", errors, place, max_length=40)
        row = {
            "index": index,
            "employee_number": number,
            "name": _text(record, "name", errors, place, max_length=100),
            "unit_code": _text(record, "unit_code", errors, place, max_length=40),
            "position": _text(record, "position", errors, place, required=False, max_length=100),
            "email": _text(record, "email", errors, place, required=False, max_length=254),
            "phone": _text(record, "phone", errors, place, required=False, max_length=40),
            "active": _flag(record, "active", errors, place),
        }
        if row["email"]:
            try:
                validate_email(row["email"])
            except ValidationError:
                errors[f"{place}.email"] = [_("Enter a valid email address.")]
        if row["unit_code"] and row["unit_code"] not in unit_codes:
            errors[f"{place}.unit_code"] = [_("No unit has code %(code)s.") % {"code": row["unit_code"]}]
        if number and number in seen:
            errors[f"{place}.employee_number"] = [
                _("Employee %(n)s is also at place %(i)d.") % {"n": number, "i": seen[number]}
            ]
        seen.setdefault(number, index)
        employees.append(row)
    return employees


def _apply_units(rows, existing: dict[str, Unit], actor) -> dict:
    tenant, counts = current_tenant(), {"created": 0, "updated": 0, "unchanged": 0}
    by_code = dict(existing)
    pending = [r for r in rows if r["code"] not in existing]
    # Parents before children: create level by level (a parent is either already there or made earlier).
    while pending:
        ready = [r for r in pending if not r["parent_code"] or r["parent_code"] in by_code]
        made = Unit.objects.bulk_create(
            [
                Unit(
                    tenant=tenant,
                    code=r["code"],
                    name=r["name"],
                    active=r["active"],
                    path="",
                    parent=by_code[r["parent_code"]],
                )
                for r in ready
            ]
        )
        by_code.update({u.code: u for u in made})
        counts["created"] += len(made)
        pending = [r for r in pending if r["code"] not in by_code]
    changed = []
    for row in rows:
        if row["code"] not in existing:
            continue
        unit = existing[row["code"]]
        wanted = {
            "name": row["name"],
            "active": row["active"],
            "parent_id": by_code[row["parent_code"]].pk if row["parent_code"] else unit.parent_id,
        }
        if any(getattr(unit, f) != v for f, v in wanted.items()):
            for field, value in wanted.items():
                setattr(unit, field, value)
            changed.append(unit)
    if changed:
        bulk_update_with_history(changed, Unit, list(UNIT_FIELDS), default_user=actor.user)
    counts["updated"] = len(changed)
    counts["unchanged"] = len(rows) - counts["created"] - counts["updated"]
    _repath()
    return counts


def _repath() -> None:
    """Recompute every materialised path from the parent links (a moved unit moves its subtree): one read, one
    bulk write of only the paths that differ."""
    units = {u.pk: u for u in Unit.objects.only("id", "parent_id", "path")}
    paths: dict[int, str] = {}

    def path_of(unit):
        if unit.pk not in paths:
            parent = units.get(unit.parent_id)
            paths[unit.pk] = f"{path_of(parent) if parent else '/'}{unit.pk:010d}/"
        return paths[unit.pk]

    stale = [u for u in units.values() if u.path != path_of(u)]
    for unit in stale:
        unit.path = paths[unit.pk]
    if stale:
        Unit.objects.bulk_update(stale, ["path"])


def _update_rows(model, rows, fields, *, actor=None) -> None:
    """Write `fields` of `rows` in one statement, each row's values from parallel arrays (and, with an actor, their
    history rows). Django's bulk_update writes a CASE with a branch per row per field: 13 of the 19 s of a sync
    of 5,000 people went there."""
    if not rows:
        return
    table = model._meta.db_table
    columns = [model._meta.get_field(name) for name in fields]
    sets = ", ".join(f'"{c.column}" = v."{c.column}"' for c in columns)
    arrays = ", ".join(f"%s::{c.db_type(connection)}[]" for c in [model._meta.pk, *columns])
    names = ", ".join(f'"{c.column}"' for c in [model._meta.pk, *columns])
    with connection.cursor() as cursor:
        cursor.execute(
            f'UPDATE "{table}" SET {sets} FROM unnest({arrays}) AS v({names}) WHERE "{table}"."id" = v."id"',
            [[row.pk for row in rows], *[[getattr(row, c.attname) for row in rows] for c in columns]],
        )
    if actor is not None:
        model.history.bulk_history_create(rows, update=True, default_user=actor.user)


def _username(number: str) -> str:
    return f"{current_tenant().slug}-{number}".lower()[:150]


def _apply_employees(rows, actor) -> dict:
    tenant = current_tenant()
    counts = {"created": 0, "updated": 0, "deactivated": 0, "unchanged": 0}
    units = {u.code: u.pk for u in Unit.objects.only("id", "code")}
    numbers = [r["employee_number"] for r in rows]
    current = {
        m.employee_number: m for m in Membership.objects.filter(employee_number__in=numbers).select_related("user")
    }
    new_rows = [r for r in rows if r["employee_number"] not in current]
    taken = set(
        User.objects.filter(username__in=[_username(r["employee_number"]) for r in new_rows]).values_list(
            "username", flat=True
        )
    )
    unusable = make_password(None)  # a login that HR made: the person sets a password before first use
    users = User.objects.bulk_create(
        [
            User(
                username=_username(r["employee_number"]) + ("-2" if _username(r["employee_number"]) in taken else ""),
                full_name=r["name"],
                email=r["email"],
                password=unusable,
            )
            for r in new_rows
        ]
    )
    created = [
        Membership(
            tenant=tenant,
            user=user,
            unit_id=units[r["unit_code"]],
            employee_number=r["employee_number"],
            position=r["position"],
            email=r["email"],
            phone=r["phone"],
            active=r["active"],
            roles=[Role.EMPLOYEE],
        )
        for user, r in zip(users, new_rows, strict=True)
    ]
    bulk_create_with_history(created, Membership, default_user=actor.user)
    counts["created"] = len(created)
    changed, renamed = [], []
    for row in rows:
        member = current.get(row["employee_number"])
        if member is None:
            continue
        wanted = {
            "unit_id": units[row["unit_code"]],
            "position": row["position"],
            "active": row["active"],
            "email": row["email"],
            "phone": row["phone"],
        }
        if any(getattr(member, f) != v for f, v in wanted.items()):
            if member.active and not row["active"]:
                counts["deactivated"] += 1
            for field, value in wanted.items():
                setattr(member, field, value)
            changed.append(member)
        if member.user.full_name != row["name"]:
            member.user.full_name = row["name"]
            renamed.append(member.user)
    if changed:
        _update_rows(Membership, changed, MEMBER_FIELDS, actor=actor)
    if renamed:
        _update_rows(User, renamed, ["full_name"])
    renamed_ids = {user.pk for user in renamed}  # a set: `user in renamed_list` was 2,500 × 2,500 comparisons
    counts["updated"] = len({m.pk for m in changed} | {m.pk for m in current.values() if m.user_id in renamed_ids})
    counts["updated"] -= counts["deactivated"]
    counts["unchanged"] = len(rows) - counts["created"] - counts["updated"] - counts["deactivated"]
    return counts


def _one_at_a_time() -> None:
    """Two syncs of one tenant run one after the other, and the second reads units and people only once the
    first has committed. Locking the unit rows alone is not enough: the second would wait on them, then go on
    without the units the first created, create them again and fail on the unique code (a 500)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext('lean.hr_sync'), %s)", [current_tenant().pk])


def _bad_row(place: str, messages: list[str]) -> BadRow:
    """A problem at "units.3.parent_code" is one of the row "units.3", on its field "parent_code"."""
    kind, index, *field = place.split(".", 2)
    return BadRow(f"{kind}.{index}", messages, field=field[0] if field else "")


@transaction.atomic
def hr_sync(*, actor: Membership, units: list, employees: list) -> dict:
    """Upsert the batch's units (by code) and employees (by employee number); all or nothing."""
    require(actor, "hr.sync", message=_("Only the lean office's keys sync from HR."))
    if not isinstance(units, list) or not isinstance(employees, list):
        raise ApplicationError(_("Send lists of units and employees."), code="invalid")
    if len(units) + len(employees) > MAX_RECORDS:
        raise ApplicationError(_("At most %(n)d records per batch.") % {"n": MAX_RECORDS}, code="batch_too_large")
    errors: dict = {}
    _one_at_a_time()
    existing = {u.code: u for u in Unit.objects.select_for_update()}
    unit_rows = _check_units(units, existing, errors)
    employee_rows = _check_employees(employees, set(existing) | {u["code"] for u in unit_rows}, errors)
    if errors:
        raise BatchRejected(
            [_bad_row(place, messages) for place, messages in errors.items()],
            message=_("%(count)d problem(s) in the batch: nothing was changed.") % {"count": len(errors)},
            code="invalid_batch",
        )
    return {"units": _apply_units(unit_rows, existing, actor), "employees": _apply_employees(employee_rows, actor)}
