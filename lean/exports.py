"""The one writer of spreadsheets: any table as xlsx (openpyxl) or CSV (UTF-8 with a BOM, so Excel opens Chinese
text), for every download: the exports of pages, the import templates and the shortfall report's workbook.

Spreadsheet formula injection (OWASP "CSV injection") is neutralized the same way in both: a text cell starting
with `=`, `+`, `-`, `@`, a tab or a carriage return, or with the full-width `＝ ＋ － ＠` that some spreadsheets
also take for a formula, is prefixed with a single quote. In CSV the quote is written before the text; in xlsx
the cell is a string cell with Excel's own quote prefix (what Excel stores when one types '=…), so the reader
sees the text as it is and neither opening nor editing the cell runs it. Real numbers (int, float, Decimal) stay
numbers: a negative number is no formula. The imports read a guarded cell back without the quote
(lean.imports.cell_text).

    return table_response(fmt="xlsx", filename="达成率", headers=["单位", "达成率"], rows=[["一分公司", 0.95]])
"""

import csv
import io
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from decimal import Decimal

from django.http import HttpResponse
from django.utils.http import content_disposition_header

FORMATS = ("xlsx", "csv")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")
CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}
HEADER_FILL = "DDEBF7"
BOM = "\ufeff"
_MAX_WIDTH = 60


def is_dangerous(value) -> bool:
    """Text a spreadsheet would take for a formula. Numbers are never dangerous, negative ones included."""
    return isinstance(value, str) and value.startswith(FORMULA_START)


def _is_number(value) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


# ---------------------------------------------------------------- CSV


def csv_cell(value) -> str:
    """A cell as CSV text: numbers as they are, dangerous text behind a single quote, None blank."""
    if value is None:
        return ""
    if _is_number(value):
        return str(value)
    text = str(value)
    return "'" + text if is_dangerous(text) else text


def csv_lines(headers: list, rows: Iterable) -> Iterator[bytes]:
    """The CSV file line by line, encoded, the BOM first: ready to stream, or to join (table_csv)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for index, row in enumerate(_with_header(headers, rows)):
        writer.writerow([csv_cell(value) for value in row])
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        yield ((BOM if index == 0 else "") + text).encode("utf-8")


def _with_header(headers: list, rows: Iterable) -> Iterator:
    yield headers
    yield from rows


def table_csv(headers: list, rows: Iterable) -> bytes:
    return b"".join(csv_lines(headers, rows))


# ---------------------------------------------------------------- xlsx


def xlsx_value(value):
    """A value as openpyxl should store it: numbers (Decimal exactly), dates and None as they are, anything else
    (a bool, a lazy translation, a model) as its text."""
    if value is None or _is_number(value) or isinstance(value, date | datetime):
        return value
    return str(value)


def xlsx_put(sheet, row: int, column: int, value):
    """Write one cell, guarded: the only way a value goes into a sheet. Returns the cell (to style it)."""
    value = xlsx_value(value)
    cell = sheet.cell(row=row, column=column, value=value)
    if is_dangerous(value):
        cell.value = value  # openpyxl took it for a formula: it is text
        cell.data_type = "s"
        cell.quotePrefix = True
    return cell


def xlsx_book(title: str = ""):
    """A new workbook and its one sheet, named after `title` (a sheet name may not hold []:*?/\\ and has at most
    31 characters)."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "".join(ch for ch in str(title or "Sheet")[:31] if ch not in "[]:*?/\\") or "Sheet"
    return book, sheet


def xlsx_bytes(book) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _display_width(value) -> int:
    text = "" if value is None else str(value)
    # A CJK character takes about two columns of a Latin one.
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def table_xlsx(
    headers: list, rows: Iterable, *, title: str = "", widths: list | None = None, text_columns: Iterable[int] = ()
) -> bytes:
    """The table as a workbook: a bold header row on light blue, frozen. `widths` are the columns' widths (fitted
    to the content when None); the columns at the indexes in `text_columns` are formatted as text, so that Excel
    keeps what is typed there (2026-03 would become a date)."""
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    book, sheet = xlsx_book(title)
    fitted = [0] * len(headers)
    bold, fill = Font(bold=True), PatternFill("solid", fgColor=HEADER_FILL)
    text_columns = {index + 1 for index in text_columns}
    for row_index, values in enumerate(_with_header(headers, rows), start=1):
        for column_index, value in enumerate(values, start=1):
            cell = xlsx_put(sheet, row_index, column_index, value)
            if row_index == 1:
                cell.font, cell.fill = bold, fill
            elif column_index in text_columns:
                cell.number_format = "@"
            if column_index <= len(fitted):
                fitted[column_index - 1] = max(fitted[column_index - 1], _display_width(cell.value))
    for index, width in enumerate(widths or [min(max(w + 2, 8), _MAX_WIDTH) for w in fitted], start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    return xlsx_bytes(book)


# ---------------------------------------------------------------- the response


def file_response(content: bytes, *, fmt: str, filename: str) -> HttpResponse:
    """A written file as an attachment named `filename.<fmt>`."""
    response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = content_disposition_header(True, f"{filename}.{fmt}")
    return response


def table_response(
    *,
    fmt: str,
    filename: str,
    headers: list,
    rows: Iterable,
    title: str = "",
    widths: list | None = None,
    text_columns: Iterable[int] = (),
) -> HttpResponse:
    """The table as an attachment named `filename.<fmt>`; `fmt` is "xlsx" or "csv". The other options are the
    workbook's (table_xlsx); its sheet is named `title`, or after the file."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}")
    if fmt == "xlsx":
        content = table_xlsx(headers, rows, title=title or filename, widths=widths, text_columns=text_columns)
    else:
        content = table_csv(headers, rows)
    return file_response(content, fmt=fmt, filename=filename)
