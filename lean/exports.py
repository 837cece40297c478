"""Any table as a download: xlsx (openpyxl) or CSV (UTF-8 with a BOM, so Excel opens Chinese text).

Spreadsheet formula injection is neutralized in both: a text cell starting with `=`, `+`, `-`, `@`, a tab or a
carriage return is written as text (xlsx: a string cell, never a formula; CSV: prefixed with `'`), while real
numbers stay numbers.

    return table_response(fmt="xlsx", filename="达成率", headers=["单位", "达成率"], rows=[["一分公司", 0.95]])
"""

import csv
import io
from datetime import date, datetime
from decimal import Decimal

from django.http import HttpResponse
from django.utils.http import content_disposition_header

FORMATS = ("xlsx", "csv")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}
_MAX_WIDTH = 60


def is_dangerous(value) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_START)


def _number(value):
    """Decimals become floats for the spreadsheet (openpyxl writes them as numbers either way); bool stays text."""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, Decimal):
        return float(value)
    return value


def _csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return str(value)
    text = str(value)
    return "'" + text if is_dangerous(text) else text


def table_csv(headers: list, rows: list) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([_csv_cell(h) for h in headers])
    for row in rows:
        writer.writerow([_csv_cell(v) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _display_width(value) -> int:
    text = "" if value is None else str(value)
    # A CJK character takes about two columns of a Latin one.
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def table_xlsx(headers: list, rows: list, *, title: str = "") -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    # A sheet title may not hold []:*?/\ and is at most 31 characters.
    sheet.title = "".join(ch for ch in (title or "Sheet")[:31] if ch not in "[]:*?/\\") or "Sheet"
    widths = [0] * len(headers)
    bold = Font(bold=True)
    for row_index, values in enumerate([headers, *rows], start=1):
        for column_index, raw in enumerate(values, start=1):
            value = raw if isinstance(raw, (int, float, Decimal, date, datetime)) or raw is None else str(raw)
            cell = sheet.cell(row=row_index, column=column_index, value=_number(value))
            if is_dangerous(value):
                cell.value = value
                cell.data_type = "s"  # text, never a formula
            if row_index == 1:
                cell.font = bold
            if column_index <= len(widths):
                widths[column_index - 1] = max(widths[column_index - 1], _display_width(value))
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = min(max(width + 2, 8), _MAX_WIDTH)
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def table_response(*, fmt: str, filename: str, headers: list, rows: list) -> HttpResponse:
    """The table as an attachment named `filename.<fmt>`; `fmt` is "xlsx" or "csv"."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}")
    content = table_xlsx(headers, rows, title=filename) if fmt == "xlsx" else table_csv(headers, rows)
    response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = content_disposition_header(True, f"{filename}.{fmt}")
    return response
