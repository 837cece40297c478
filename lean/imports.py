"""Import files in and templates out, for every import (readings, peers' values): an uploaded .csv or .xlsx turned
into raw rows, a bad row as the person sees it, and the template written back through lean.exports.

No database and no domain rule here: each import says what its file holds in a FileLayout (its columns, their
headers in both languages, the row it makes) and checks the rows itself. The file is judged by its name AND its
content, because people rename files: a PNG called .csv, an old .xls called .xlsx, a workbook saved as text.
Every problem with the file as a whole is an ApplicationError whose message the upload form shows.
"""

import csv
import dataclasses
import io
import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.utils.translation import gettext as _

from .errors import ApplicationError
from .exports import is_dangerous, table_response

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 10_000
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def fail(message, code: str):
    raise ApplicationError(message, code=code, field_errors={"file": [message]})


# ---------------------------------------------------------------- cells


def cell_text(cell) -> str:
    """A cell as text. Excel turns the code 101 into the number 101.0; it must read "101" again. A text our
    templates guarded against formula injection ('=…, see lean.exports) reads without the guard."""
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, datetime | date):
        return cell.isoformat()
    text = str(cell).strip()
    return text[1:] if text.startswith("'") and is_dangerous(text[1:]) else text


def value_cell(cell):
    # Numbers stay numbers (no detour through text); TRUE/FALSE cells are booleans, which are no value.
    if isinstance(cell, int | float) and not isinstance(cell, bool):
        return cell
    return cell_text(cell)


def period_cell(cell):
    """A period or date cell as found: a date when Excel stored one, otherwise its text."""
    return cell if isinstance(cell, datetime | date) else cell_text(cell)


def header_key(cell) -> str:
    return re.sub(r"[\s_*\-:：]", "", cell_text(cell)).lower()


def cell_display(cell) -> str:
    """A cell as the person typed it, for the list of bad rows."""
    if isinstance(cell, datetime | date):
        return cell.strftime("%Y-%m-%d")
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell)


def number_text(value: Decimal) -> str:
    """A stored value without its trailing zeros: 1093.5000 → 1093.5."""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


# ---------------------------------------------------------------- the header and the rows


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


# ---------------------------------------------------------------- the file


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


def read_upload(upload, rows: Callable) -> tuple[list, str]:
    """The rows of an uploaded file and its format ("csv" or "xlsx"); ApplicationError when the file is no good.

    `rows(table)` turns the file's table (an iterable of rows of cells) into rows.
    """
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


# ---------------------------------------------------------------- one kind of file


@dataclass(frozen=True)
class FileLayout:
    """The columns of one kind of import file and the row it makes of each line.

    `row` is a dataclass whose first field is `line` and whose other fields are the columns read, each through
    `cells[field]` (cell_text when not named: value_cell keeps numbers, period_cell dates). `headers` names every
    column in both languages ({"zh": {...}, "en": {...}}): both are always accepted, whatever the language of
    the person uploading, so a file made by a colleague in the other language still imports; `aliases` are the
    other headers accepted (compared by header_key). `template_columns` are the template's columns in order,
    `template_widths` the width of some of them (30 for the others); its period column is stored as text.
    """

    row: type
    headers: dict[str, dict[str, str]]
    aliases: dict[str, set[str]]
    required: tuple[str, ...]
    template_columns: tuple[str, ...]
    no_rows: str  # the message for a file with a header and no rows: lazy, translated when it is said
    cells: dict[str, Callable] = dataclasses.field(default_factory=dict)
    template_widths: dict[str, int] = dataclasses.field(default_factory=dict)

    def _build(self, line: int, cell):
        fields = [f.name for f in dataclasses.fields(self.row) if f.name != "line"]
        return self.row(line=line, **{f: self.cells.get(f, cell_text)(cell(f)) for f in fields})

    def _rows(self, table) -> list:
        by_alias = {alias: field for field, aliases in self.aliases.items() for alias in aliases}
        return read_rows(
            table,
            header=lambda cells: read_header(cells, aliases=by_alias, required=self.required, names=self.headers),
            build=self._build,
            no_rows=str(self.no_rows),
        )

    def read(self, upload) -> tuple[list, str]:
        """The rows of an uploaded file and its format ("csv" or "xlsx"); ApplicationError when the file as a
        whole is no good."""
        return read_upload(upload, self._rows)

    def template_header(self, language: str) -> list[str]:
        headers = self.headers["zh" if language.startswith("zh") else "en"]
        return [headers[column] for column in self.template_columns]

    def template_response(self, *, fmt: str, language: str, filename: str, title: str, rows: list):
        """The template, filled with `rows`, as a download (lean.exports: names are written as text, never as
        formulas; the period column is text, or Excel would turn 2026-03 into a date of 1 March)."""
        columns = self.template_columns
        return table_response(
            fmt=fmt,
            filename=filename,
            title=title,
            headers=self.template_header(language),
            rows=rows,
            widths=[self.template_widths.get(column, 30) for column in columns],
            text_columns=[columns.index("period")] if "period" in columns else [],
        )
