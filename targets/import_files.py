"""Readings files in and out: an uploaded .csv or .xlsx turned into raw rows (and its cells into periods and
numbers), and the template written back.

No database here. The file is judged by its name AND its content, because people rename files: a PNG
called .csv, an old .xls called .xlsx, a workbook saved as text. Every problem with the file as a whole is
an ApplicationError whose message the upload form shows; problems of single rows are for targets/imports.py.

The file handling is not about readings: read_upload, read_header and read_rows, the cell helpers and the
template writers also serve the import of outside peers' values (benchmarking/imports.py).
"""

import csv
import io
import itertools
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.translation import gettext as _

from lean import periods
from lean.errors import ApplicationError
from lean.exports import is_dangerous, table_csv

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 10_000
VALUE_LIMIT = Decimal(10) ** 14  # readings are numeric(18, 4): 14 digits before the point
REQUIRED = ("indicator", "unit", "period", "value")

# Headers are part of the file format, not of the interface: both languages are always accepted, whatever the
# language of the person uploading, so a file made by a colleague in the other language still imports.
HEADERS = {
    "zh": {
        "indicator": "指标编码",
        "indicator_name": "指标名称",
        "unit": "单位编码",
        "unit_name": "单位名称",
        "period": "期间",
        "value": "实际值",
        "note": "备注",
    },
    "en": {
        "indicator": "Indicator code",
        "indicator_name": "Indicator name",
        "unit": "Unit code",
        "unit_name": "Unit name",
        "period": "Period",
        "value": "Value",
        "note": "Note",
    },
}
TEMPLATE_COLUMNS = ("indicator", "indicator_name", "unit", "unit_name", "period", "value", "note")
_ALIASES = {
    "indicator": {"指标编码", "指标代码", "indicatorcode", "indicator"},
    "unit": {"单位编码", "单位代码", "unitcode", "unit"},
    "period": {"期间", "period"},
    "value": {"实际值", "value", "actualvalue", "actual"},
    "note": {"备注", "note", "notes"},
}
_BY_ALIAS = {alias: field for field, aliases in _ALIASES.items() for alias in aliases}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass
class RawRow:
    """One data row as found in the file; `line` is its row number in Excel (the header is line 1)."""

    line: int
    indicator: str
    unit: str
    period: object  # text, or a date when Excel stored a date
    value: object  # text or a number, as the file had it
    note: str


def fail(message, code: str):
    raise ApplicationError(message, code=code, field_errors={"file": [message]})


def cell_text(cell) -> str:
    """A cell as text. Excel turns the code 101 into the number 101.0; it must read "101" again. A text our
    CSV template guarded against formula injection ('=…, see lean.exports) reads without the guard."""
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, datetime | date):
        return cell.isoformat()
    text = str(cell).strip()
    return text[1:] if text.startswith("'") and is_dangerous(text[1:]) else text


def value_cell(cell):
    # Numbers stay numbers (no detour through text); TRUE/FALSE cells are booleans, which are no reading.
    if isinstance(cell, int | float) and not isinstance(cell, bool):
        return cell
    return cell_text(cell)


def header_key(cell) -> str:
    return re.sub(r"[\s_*\-:：]", "", cell_text(cell)).lower()


def read_header(cells, *, aliases: dict[str, str], required, names: dict[str, dict[str, str]]) -> dict[str, int]:
    """field → column index, from the header row. `aliases` maps header_key(cell) to a field; `names` holds the
    fields' headers in both languages ({"zh": {...}, "en": {...}}) for the message about missing columns."""
    columns: dict[str, int] = {}
    for index, cell in enumerate(cells):
        field = aliases.get(header_key(cell))
        if field is None:
            continue  # extra columns (names, remarks for the reader) are allowed and ignored
        if field in columns:
            fail(_("The column %(column)s appears twice in the header row.") % {"column": cell_text(cell)}, "header")
        columns[field] = index
    missing = [f"{names['zh'][f]} ({names['en'][f]})" for f in required if f not in columns]
    if missing:
        message = _("The first row must be the header row. Missing column(s): %(columns)s.")
        fail(message % {"columns": ", ".join(missing)}, "header")
    return columns


def read_rows(table, *, header, build, no_rows: str) -> list:
    """Header row first, then data rows; blank rows are skipped but still counted, so line numbers match.

    `header(cells)` gives {field: column index}; `build(line, cell)` makes one row, where `cell(field)` is that
    field's cell in the row (None when the row is short); `no_rows` is the message for a header-only file.
    """
    iterator = iter(table)
    first = next(iterator, None)
    if first is None or not any(cell_text(cell) for cell in first):
        # A blank first row: an empty file, unless something follows (then the header is missing, said below).
        if not any(any(cell_text(cell) for cell in cells) for cells in itertools.islice(iterator, 100)):
            fail(_("The file is empty."), "empty")
    columns = header(first)
    rows = []
    for line, cells in enumerate(iterator, start=2):
        cells = list(cells)
        if not any(cell_text(cell) for cell in cells):
            continue
        if len(rows) >= MAX_ROWS:
            fail(
                _("The file has more than %(max)s rows. Split it into smaller files.") % {"max": f"{MAX_ROWS:,}"},
                "too_many_rows",
            )

        def cell(field, cells=cells):
            index = columns.get(field)
            return cells[index] if index is not None and index < len(cells) else None

        rows.append(build(line, cell))
    if not rows:
        fail(no_rows, "no_rows")
    return rows


def period_cell(cell):
    """A period cell as found: a date when Excel stored one, otherwise its text."""
    return cell if isinstance(cell, datetime | date) else cell_text(cell)


def _reading(line: int, cell) -> RawRow:
    return RawRow(
        line=line,
        indicator=cell_text(cell("indicator")),
        unit=cell_text(cell("unit")),
        period=period_cell(cell("period")),
        value=value_cell(cell("value")),
        note=cell_text(cell("note")),
    )


def _rows(table) -> list[RawRow]:
    return read_rows(
        table,
        header=lambda cells: read_header(cells, aliases=_BY_ALIAS, required=REQUIRED, names=HEADERS),
        build=_reading,
        no_rows=_("The file has a header row but no readings below it."),
    )


def _decode_csv(content: bytes) -> str:
    if content.startswith(b"PK\x03\x04"):
        fail(_("This file is an Excel workbook, not a CSV file. Name it .xlsx and upload it again."), "wrong_type")
    if b"\x00" not in content:
        # UTF-8 (with or without the BOM Excel writes) first: GBK would also "decode" most UTF-8 bytes, wrongly.
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = content.decode(encoding)
            except UnicodeDecodeError:
                continue
            if not _CONTROL.search(text):
                return text
    fail(_("This is not a CSV text file. Save it from Excel as “CSV UTF-8” or as an .xlsx workbook."), "wrong_type")


def _csv_table(content: bytes):
    text = _decode_csv(content)
    first_line = text.split("\n", 1)[0]
    # Excel writes commas, or semicolons in some locales; a file copied out of a sheet has tabs.
    delimiter = max([",", ";", "\t"], key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    return _guarded(reader, _("This CSV file cannot be read. Save it again from Excel as “CSV UTF-8”."))


def _xlsx_rows(content: bytes, rows) -> list:
    from openpyxl import load_workbook

    if content.startswith(b"\xd0\xcf\x11\xe0"):
        fail(_("This is an old Excel 97-2003 (.xls) file. Save it as an .xlsx workbook and upload it again."), "xls")
    invalid = _("This is not a valid Excel (.xlsx) file.")
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # a damaged or foreign file fails deep inside zipfile, lxml or openpyxl in many ways
        fail(invalid, "wrong_type")
    try:
        sheet = workbook.worksheets[0] if workbook.worksheets else None
        return rows(_guarded(sheet.iter_rows(values_only=True), invalid) if sheet else [])
    finally:
        workbook.close()


def _guarded(rows, message):
    """Rows read lazily (a huge sheet stops at MAX_ROWS), a broken file turned into a form error."""
    try:
        yield from rows
    except Exception:
        fail(message, "wrong_type")


def read_upload(upload, rows=None) -> tuple[list, str]:
    """The rows of an uploaded file and its format ("csv" or "xlsx"); ApplicationError when the file is no good.

    `rows(table)` turns the file's table (an iterable of rows of cells) into rows; readings by default.
    """
    rows = rows or _rows
    name = (upload.name or "").lower()
    file_format = name.rsplit(".", 1)[-1] if "." in name else ""
    if file_format not in ("csv", "xlsx"):
        fail(_("Only Excel (.xlsx) and CSV (.csv) files can be imported."), "wrong_type")
    if upload.size > MAX_BYTES:
        fail(_("The file is larger than %(size)s MB.") % {"size": MAX_BYTES // (1024 * 1024)}, "too_large")
    if not upload.size:
        fail(_("The file is empty."), "empty")
    upload.seek(0)
    content = upload.read(MAX_BYTES + 1)
    if file_format == "csv":
        return rows(_csv_table(content)), file_format
    return _xlsx_rows(content, rows), file_format


# ---------------------------------------------------------------- cells


_PERIOD_FORMS = [
    # What Excel makes of "2026-03" once it has taken it for a date: 2026/3/1, 2026-03-01 00:00:00, 2026年3月.
    (re.compile(r"^(\d{4})\s*[-/年]\s*(\d{1,2})\s*(?:[-/月]\s*(?:\d{1,2}\s*日?)?)?(?:[ T].*)?$"), "{0}-{1}"),
    (re.compile(r"^(\d{4})\s*年?\s*-?\s*[Qq]\s*([1-4])$"), "{0}-Q{1}"),
    (re.compile(r"^(\d{4})\s*年\s*第?\s*([1-4一二三四])\s*季度?$"), "{0}-Q{1}"),
    (re.compile(r"^(\d{4})\s*年度?$"), "{0}"),
]
_CHINESE_DIGITS = str.maketrans("一二三四", "1234")


def parse_period(cell) -> periods.Period:
    """A period from a cell: 2026-03, 2026-Q1, 2026, an Excel date (its month), or the forms Excel writes."""
    try:
        return periods.parse(cell)
    except periods.PeriodError:
        text = unicodedata.normalize("NFKC", str(cell)).strip()
        for pattern, form in _PERIOD_FORMS:
            match = pattern.match(text)
            if match:
                return periods.parse(form.format(*(g.translate(_CHINESE_DIGITS) for g in match.groups())))
        raise


def parse_value(cell) -> Decimal:
    """A number from a cell; full-width digits and thousands separators are fine, units of measure are not."""
    text = unicodedata.normalize("NFKC", str(cell)).strip().replace(",", "").replace(" ", "")
    try:
        value = Decimal(text)
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite():
        raise ValueError(_("%(value)s is not a number.") % {"value": str(cell).strip()})
    if abs(value) >= VALUE_LIMIT:
        raise ValueError(_("%(value)s is too large.") % {"value": str(cell).strip()})
    return value.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


# ---------------------------------------------------------------- the template


def template_header(language: str) -> list[str]:
    headers = HEADERS["zh" if language.startswith("zh") else "en"]
    return [headers[column] for column in TEMPLATE_COLUMNS]


def template_csv(header: list[str], rows: list[list]) -> bytes:
    """CSV in UTF-8 with a BOM: without it Excel reads the Chinese headers and names as mojibake."""
    return table_csv(header, rows)  # names from the HR system or a form are written as text, never as formulas


_WIDTHS = {"indicator": 14, "indicator_name": 30, "unit": 14, "unit_name": 24, "period": 12, "value": 12}


def template_xlsx(
    header: list[str], rows: list[list], sheet_title: str, columns=TEMPLATE_COLUMNS, widths=None
) -> bytes:
    """The template as a workbook: `columns` names the fields of the header, in order, and `widths` the width
    of some of them (30 for the others); the period column is stored as text."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    widths = _WIDTHS if widths is None else widths
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = sheet_title[:31]
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
    period_column = columns.index("period")
    for row in rows:
        sheet.append(row)
        for cell in sheet[sheet.max_row]:
            if is_dangerous(cell.value):  # openpyxl took the name for a formula: it is text
                cell.data_type = "s"
    # Stored as text, or Excel would turn 2026-03 into a date of 1 March and show it as it likes.
    for (cell,) in sheet.iter_rows(min_row=2, min_col=period_column + 1, max_col=period_column + 1):
        cell.number_format = "@"
    for index, column in enumerate(columns):
        sheet.column_dimensions[chr(ord("A") + index)].width = widths.get(column, 30)
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
