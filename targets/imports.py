"""Readings imported from a file (导入): every row checked, the good file kept for a preview, stored on confirm.

All-or-nothing twice over: a file with any bad row is not kept at all, and a confirmed import goes through
services.readings_save, which stores every row or none. The row rules are the services' own
(reading_errors, applies_pairs), so the form, the import and the API refuse the same readings in the same words.
A file is checked in a constant number of queries, whatever its length.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lean import periods
from lean.errors import ApplicationError, BadRow, BatchRejected, Forbidden
from lean.imports import cell_display, number_text
from lean.models import Membership, Role, Unit
from lean.tenancy import current_tenant

from . import selectors, services
from .import_files import READINGS, RawRow, parse_period, parse_value
from .models import Indicator, IndicatorUnit, Reading, ReadingImport

NOTE_MAX = Reading._meta.get_field("note").max_length
TEMPLATE_MAX_ROWS = 500


# What a bad row of the file holds, next to its reasons in the problems table.
PROBLEM_COLUMNS = [
    (gettext_lazy("Indicator code"), False),
    (gettext_lazy("Unit code"), False),
    (gettext_lazy("Period"), False),
    (gettext_lazy("Value"), True),
]


def _bad_row(line: int, indicator: str, unit: str, period: str, value: str, errors: list[str]) -> BadRow:
    """A bad row as the person sees it in their file (by its line), with every reason it was refused."""
    return BadRow(line, errors, cells=(indicator, unit, period, value))


def _rejected(problems: list[BadRow], total: int) -> BatchRejected:
    """Some rows are bad, so nothing was kept or stored."""
    return BatchRejected(problems, total=total, columns=PROBLEM_COLUMNS)


# ---------------------------------------------------------------- checking a file


def _lookups(rows: list[RawRow]):
    """Units by code and indicators by (year, code), each in one query for the whole file."""
    units = {unit.code: unit for unit in Unit.objects.filter(code__in={row.unit for row in rows if row.unit})}
    years, codes = set(), set()
    for row in rows:
        try:
            years.add(parse_period(row.period).year)
        except periods.PeriodError:
            continue
        codes.add(row.indicator)
    indicators = {
        (indicator.node.tree.year, indicator.node.code): indicator
        for indicator in Indicator.objects.select_related("node__tree").filter(
            node__tree__year__in=years, node__code__in=codes
        )
    }
    return units, indicators


def check_rows(*, actor: Membership, rows: list[RawRow]) -> tuple[list[tuple[int, services.ReadingInput]], list[int]]:
    """The readings of the file, each with its line, and the lines skipped for having no value.

    A row without a value is skipped rather than refused: the template lists every indicator of the person's
    units and they fill in the ones they have. Any other problem refuses the whole file (BatchRejected).
    """
    units, indicators = _lookups(rows)
    parsed, skipped = [], []
    for row in rows:
        if row.value == "":
            skipped.append(row.line)
            continue
        errors, period, value = [], None, Decimal(0)
        try:
            period = parse_period(row.period)
        except periods.PeriodError as error:
            errors.append(str(error))
        try:
            value = parse_value(row.value)
        except ValueError as error:
            errors.append(str(error))
        unit = units.get(row.unit)
        if not row.unit:
            errors.append(_("The unit code is missing."))
        elif unit is None:
            errors.append(_("There is no unit with code %(code)s.") % {"code": row.unit})
        indicator = indicators.get((period.year, row.indicator)) if period else None
        if not row.indicator:
            errors.append(_("The indicator code is missing."))
        elif period and indicator is None:
            errors.append(
                _("There is no indicator %(code)s in the %(year)s target tree.")
                % {"code": row.indicator, "year": period.year}
            )
        if len(row.note) > NOTE_MAX:
            errors.append(_("The note is longer than %(max)s characters.") % {"max": NOTE_MAX})
        item = None
        if unit and indicator and period:
            item = services.ReadingInput(indicator=indicator, unit=unit, period=period, value=value, note=row.note)
        parsed.append((row, item, errors))

    applies = services.applies_pairs(item.indicator.pk for _row, item, _errors in parsed if item)
    seen: dict[tuple, int] = {}
    problems, items = [], []
    for row, item, errors in parsed:
        if item is not None:
            errors += services.reading_errors(actor=actor, item=item, applies=applies)
            key = (item.indicator.pk, item.unit.pk, item.period.start)
            if key in seen:
                errors.append(_("The same reading is already on line %(line)s.") % {"line": seen[key]})
            seen.setdefault(key, row.line)
        if errors:
            problems.append(
                _bad_row(row.line, row.indicator, row.unit, cell_display(row.period), cell_display(row.value), errors)
            )
        else:
            items.append((row.line, item))
    if problems:
        raise _rejected(problems, total=len(parsed))
    return items, skipped


# ---------------------------------------------------------------- the import, from upload to confirmation


@transaction.atomic
def reading_import_create(*, actor: Membership, upload) -> tuple[ReadingImport, list[int]]:
    """Check an uploaded file and keep its readings for the preview; also returns the lines skipped (no value).

    Raises ApplicationError for a file that cannot be read, BatchRejected when any row is bad.
    """
    rows, _format = READINGS.read(upload)
    items, skipped = check_rows(actor=actor, rows=rows)
    if not items:
        raise ApplicationError(
            _("No row of the file has a value. Fill in the value column and upload the file again."),
            code="no_values",
            field_errors={"file": []},
        )
    reading_import = ReadingImport.objects.create(
        tenant=current_tenant(),
        uploaded_by=actor,
        file_name=(upload.name or "")[-200:],
        rows=[
            {
                "line": line,
                "indicator_id": item.indicator.pk,
                "unit_id": item.unit.pk,
                "period": str(item.period),
                "value": number_text(item.value),
                "note": item.note,
            }
            for line, item in items
        ],
    )
    return reading_import, skipped


def reading_import_get(*, reading_import_id: int) -> ReadingImport:
    return get_object_or_404(ReadingImport.objects.select_related("uploaded_by__user"), pk=reading_import_id)


def may_decide(actor: Membership, reading_import: ReadingImport) -> bool:
    """Only who uploaded the file, or the lean office, confirms or cancels it."""
    return reading_import.uploaded_by_id == actor.pk or actor.has_role(Role.LEAN_OFFICE)


@dataclass
class PreviewRow:
    line: int
    indicator: Indicator | None
    unit: Unit | None
    period: str
    value: Decimal
    note: str
    old: Reading | None

    @property
    def value_text(self) -> str:
        return number_text(self.value)

    @property
    def old_text(self) -> str:
        return number_text(self.old.value) if self.old else ""

    @property
    def state(self) -> str:
        if self.indicator is None or self.unit is None:
            return "missing"
        if self.old is None:
            return "new"
        return "unchanged" if (self.old.value, self.old.note) == (self.value, self.note) else "correction"


def reading_import_preview(*, reading_import: ReadingImport) -> list[PreviewRow]:
    """What confirming would store, row by row, next to the reading it would correct (three queries)."""
    rows = reading_import.rows
    indicators = Indicator.objects.select_related("node").in_bulk({row["indicator_id"] for row in rows})
    units = Unit.objects.in_bulk({row["unit_id"] for row in rows})
    starts = {periods.parse(row["period"]).start for row in rows}
    existing = {
        (r.indicator_id, r.unit_id, r.period_start): r
        for r in Reading.objects.filter(
            indicator_id__in=indicators, unit_id__in=units, period_start__in=starts
        )  # a superset of the rows' keys, in one query; the dict picks the exact ones
    }
    return [
        PreviewRow(
            line=row["line"],
            indicator=indicators.get(row["indicator_id"]),
            unit=units.get(row["unit_id"]),
            period=row["period"],
            value=Decimal(row["value"]),
            note=row["note"],
            old=existing.get((row["indicator_id"], row["unit_id"], periods.parse(row["period"]).start)),
        )
        for row in rows
    ]


def _check_pending(reading_import: ReadingImport) -> None:
    if reading_import.status == ReadingImport.Status.IMPORTED:
        raise ApplicationError(_("This file was already imported; it cannot be imported again."), code="imported")
    if reading_import.status == ReadingImport.Status.CANCELLED:
        raise ApplicationError(_("This import was cancelled; upload the file again."), code="cancelled")


def _items(reading_import: ReadingImport) -> list[services.ReadingInput]:
    """The kept rows as readings again; an indicator or unit removed since the upload refuses the import."""
    rows = reading_import.rows
    indicators = Indicator.objects.select_related("node__tree").in_bulk({row["indicator_id"] for row in rows})
    units = Unit.objects.in_bulk({row["unit_id"] for row in rows})
    problems, items = [], []
    for row in rows:
        indicator, unit = indicators.get(row["indicator_id"]), units.get(row["unit_id"])
        if indicator is None or unit is None:
            problems.append(
                _bad_row(
                    row["line"],
                    indicator.code if indicator else "",
                    unit.code if unit else "",
                    row["period"],
                    row["value"],
                    [_("The indicator or the unit of this row no longer exists.")],
                )
            )
            continue
        items.append(
            services.ReadingInput(
                indicator=indicator,
                unit=unit,
                period=periods.parse(row["period"]),
                value=Decimal(row["value"]),
                note=row["note"],
            )
        )
    if problems:
        raise _rejected(problems, total=len(rows))
    return items


@transaction.atomic
def reading_import_confirm(*, actor: Membership, reading_import: ReadingImport) -> int:
    """Store the readings of a previewed import, all or nothing, checked again (things may have changed since
    the upload). Returns the number of readings stored."""
    reading_import = ReadingImport.objects.select_for_update().get(pk=reading_import.pk)  # one confirm at a time
    if not may_decide(actor, reading_import):
        raise Forbidden
    _check_pending(reading_import)
    items = _items(reading_import)
    try:
        services.readings_save(actor=actor, items=items, source=Reading.Source.IMPORT)
    except BatchRejected as error:
        problems = []
        for index, messages in sorted(error.field_errors.items(), key=lambda pair: int(pair[0])):
            row, item = reading_import.rows[int(index)], items[int(index)]
            problems.append(
                _bad_row(row["line"], item.indicator.code, item.unit.code, row["period"], row["value"], messages)
            )
        raise _rejected(problems, total=len(items)) from error
    reading_import.status, reading_import.imported_at = ReadingImport.Status.IMPORTED, timezone.now()
    reading_import.save(update_fields=["status", "imported_at"])
    return len(items)


@transaction.atomic
def reading_import_cancel(*, actor: Membership, reading_import: ReadingImport) -> None:
    reading_import = ReadingImport.objects.select_for_update().get(pk=reading_import.pk)
    if not may_decide(actor, reading_import):
        raise Forbidden
    _check_pending(reading_import)
    reading_import.status = ReadingImport.Status.CANCELLED
    reading_import.save(update_fields=["status"])


# ---------------------------------------------------------------- the template


def _example_period(year: int, frequency: str) -> periods.Period:
    """The period people are most likely filling in: last month's, within the tree's year."""
    today = timezone.localdate()
    if year < today.year:
        month = date(year, 12, 1)
    elif year > today.year or today.month == 1:
        month = date(year, 1, 1)
    else:
        month = date(year, today.month - 1, 1)
    return periods.parse(month).containing(frequency)


def template_rows(*, actor: Membership) -> tuple[int | None, list[list]]:
    """One row per (indicator, unit) the member may enter for in the current tree, value left blank (two
    queries, at most TEMPLATE_MAX_ROWS rows). Returns the tree's year (None without a tree) and the rows."""
    tree = selectors.tree_for()
    if tree is None:
        return None, []
    links = (
        IndicatorUnit.objects.filter(indicator__node__tree=tree, unit__in=selectors.entry_units(member=actor))
        .select_related("indicator__node", "unit")
        .order_by("indicator__node__path", "unit__path")[:TEMPLATE_MAX_ROWS]
    )
    rows = []
    for link in links:
        indicator, unit = link.indicator, link.unit
        period = _example_period(tree.year, indicator.frequency)
        rows.append([indicator.node.code, indicator.node.name, unit.code, unit.name, str(period), "", ""])
    return tree.year, rows
