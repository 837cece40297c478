"""lean/exports.py: the one writer of spreadsheets, any table as xlsx or CSV, with formula injection neutralized
the same way in both (a single quote before every text a spreadsheet would run) and real numbers left numbers."""

import csv
import io
import zipfile
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from lean.exports import (
    FORMULA_START,
    csv_cell,
    csv_lines,
    is_dangerous,
    table_csv,
    table_response,
    table_xlsx,
    xlsx_book,
    xlsx_bytes,
    xlsx_put,
)

HEADERS = ["单位 Unit", "达成率 Achievement", "积分 Points"]
ROWS = [
    ["一分公司", Decimal("0.9512"), 12],
    ['=HYPERLINK("http://evil","x")', 1.5, -3],
    ["+cmd", None, Decimal("-2.50")],
    ["-1+2", 0, 7],
    ["@SUM(A1)", 2, 0],
    ["\tTab", 3, 1],
    ["\rCR", 4, 1],
]
# Every start a spreadsheet may take for a formula, the full-width forms (＝＋－＠) included.
DANGEROUS = [
    "=1+1",
    "+1+1",
    "-1+1",
    "@SUM(A1)",
    "\t=1+1",
    "\r=1+1",
    "＝1+1",
    "＋1+1",
    "－1+1",
    "＠SUM(A1)",
    '=HYPERLINK("http://evil","x")',
    "=cmd|' /C calc'!A0",
]
HARMLESS = ["一分公司", "A-1", "1+1", "x=1", " ", "", "'quoted", "中=文"]
NUMBERS = [0, 12, -3, 1.5, -2.25, Decimal("0.9512"), Decimal("-2.50"), -(10**12)]


def xlsx_rows(content: bytes):
    sheet = load_workbook(io.BytesIO(content)).active
    return sheet, [[cell.value for cell in row] for row in sheet.iter_rows()]


def csv_rows(content: bytes):
    text = content.decode("utf-8")
    assert text.startswith("\ufeff"), "the BOM lets Excel read the file as UTF-8"
    assert not text[1:].startswith("\ufeff"), "one BOM only"
    return list(csv.reader(io.StringIO(text[1:], newline="")))


# ---------------------------------------------------------------- the guard


def test_every_dangerous_start_is_known_and_full_width_forms_are_among_them():
    assert set(FORMULA_START) >= {"=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠"}
    assert all(is_dangerous(text) for text in DANGEROUS)
    assert not any(is_dangerous(text) for text in HARMLESS)
    assert not any(is_dangerous(number) for number in NUMBERS), "a negative number is no formula"


@pytest.mark.parametrize("text", DANGEROUS)
def test_csv_prefixes_a_single_quote_to_dangerous_text(text):
    assert csv_cell(text) == "'" + text
    (row,) = csv_rows(table_csv(["h"], [[text]]))[1:]
    assert row == ["'" + text]


@pytest.mark.parametrize("text", HARMLESS)
def test_csv_leaves_harmless_text_as_it_is(text):
    assert csv_cell(text) == text


@pytest.mark.parametrize("number", NUMBERS)
def test_numbers_stay_numbers_in_csv_and_xlsx(number):
    assert csv_cell(number) == str(number)
    sheet, rows = xlsx_rows(table_xlsx(["n"], [[number]]))
    assert sheet["A2"].data_type == "n" and rows[1][0] == float(number)


@pytest.mark.parametrize("text", DANGEROUS)
def test_xlsx_writes_dangerous_text_as_quoted_text_never_as_a_formula(text):
    content = table_xlsx(["h"], [[text]])
    sheet, rows = xlsx_rows(content)
    cell = sheet["A2"]
    assert cell.data_type == "s" and cell.quotePrefix, "a string cell with Excel's quote prefix"
    assert cell.value == text.replace("\r", "\n")  # XML reads a bare CR back as LF
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        sheet_xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml and "<f " not in sheet_xml


def test_xlsx_leaves_harmless_text_without_a_quote_prefix():
    sheet, rows = xlsx_rows(table_xlsx(["h"], [[text] for text in HARMLESS if text.strip()]))
    assert [row[0] for row in rows[1:]] == [text for text in HARMLESS if text.strip()]
    assert not any(sheet.cell(row=index, column=1).quotePrefix for index in range(2, sheet.max_row + 1))


def test_a_dangerous_header_is_guarded_too():
    assert csv_rows(table_csv(["=1+1", "ok"], []))[0] == ["'=1+1", "ok"]
    sheet, rows = xlsx_rows(table_xlsx(["=1+1", "ok"], []))
    assert sheet["A1"].data_type == "s" and sheet["A1"].quotePrefix and rows[0] == ["=1+1", "ok"]


def test_other_values_are_written_as_text_or_dates():
    row = [True, date(2026, 3, 31), None, "x"]
    assert csv_rows(table_csv(["a", "b", "c", "d"], [row]))[1] == ["True", "2026-03-31", "", "x"]
    sheet, rows = xlsx_rows(table_xlsx(["a", "b", "c", "d"], [row]))
    assert rows[1][0] == "True" and rows[1][1].date() == date(2026, 3, 31) and rows[1][2] is None


def test_a_sheet_written_cell_by_cell_has_the_same_guard():
    """The shortfall report lays out its own sheet; xlsx_put is the same guarded write."""
    book, sheet = xlsx_book("报告 [1]/2")
    xlsx_put(sheet, 1, 1, "＝1+1")
    xlsx_put(sheet, 1, 2, Decimal("-1.5"))
    loaded = load_workbook(io.BytesIO(xlsx_bytes(book))).active
    assert loaded.title == "报告 12"  # no []:*?/\ in a sheet's name
    assert loaded["A1"].data_type == "s" and loaded["A1"].quotePrefix and loaded["A1"].value == "＝1+1"
    assert loaded["B1"].data_type == "n" and loaded["B1"].value == -1.5


# ---------------------------------------------------------------- the files


def test_xlsx_round_trip_keeps_text_and_numbers():
    response = table_response(fmt="xlsx", filename="达成率", headers=HEADERS, rows=ROWS[:1])
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    assert ".xlsx" in response["Content-Disposition"]
    sheet, rows = xlsx_rows(response.content)
    assert rows == [HEADERS, ["一分公司", 0.9512, 12]]
    assert sheet.title == "达成率"
    assert sheet["A1"].font.bold and sheet.freeze_panes == "A2"
    assert sheet["B2"].data_type == "n" and sheet["C2"].data_type == "n"
    assert sheet.column_dimensions["A"].width >= len("单位 Unit")


def test_xlsx_dangerous_text_is_a_string_not_a_formula():
    response = table_response(fmt="xlsx", filename="t", headers=HEADERS, rows=ROWS)
    sheet, rows = xlsx_rows(response.content)
    for index, row in enumerate(ROWS, start=2):
        cell = sheet.cell(row=index, column=1)
        assert cell.data_type == "s", (row[0], cell.data_type)
        assert cell.value == row[0].replace("\r", "\n")  # XML reads a bare CR back as LF
    # Negative numbers are still numbers, not text.
    assert sheet["C3"].value == -3 and sheet["C3"].data_type == "n"
    assert sheet["C4"].value == -2.5 and sheet["C4"].data_type == "n"
    assert rows[3][1] is None


def test_xlsx_widths_title_and_text_columns_of_a_template():
    content = table_xlsx(["Period", "Value"], [["2026-03", ""]], title="Readings", widths=[12, 30], text_columns=[0])
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet.title == "Readings"
    assert sheet.column_dimensions["A"].width == 12 and sheet.column_dimensions["B"].width == 30
    assert sheet["A2"].number_format == "@" and sheet["B2"].number_format != "@"


def test_csv_round_trip_with_bom():
    response = table_response(fmt="csv", filename="积分", headers=HEADERS, rows=ROWS[:1])
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert ".csv" in response["Content-Disposition"]
    assert response.content.startswith("\ufeff".encode())
    assert csv_rows(response.content) == [HEADERS, ["一分公司", "0.9512", "12"]]


def test_csv_dangerous_text_is_quoted_numbers_are_not():
    response = table_response(fmt="csv", filename="t", headers=HEADERS, rows=ROWS[1:])
    rows = csv_rows(response.content)[1:]
    assert [row[0] for row in rows] == ["'" + row[0] for row in ROWS[1:]] and rows[0][0].startswith("'=")
    assert rows[0][2] == "-3" and rows[1][2] == "-2.50" and rows[1][1] == ""


def test_csv_lines_stream_one_line_at_a_time_the_bom_first():
    def rows():
        yield ["a", 1]
        yield ["=b", -2]

    lines = list(csv_lines(["x", "y"], rows()))
    assert lines == ["\ufeffx,y\r\n".encode(), b"a,1\r\n", b"'=b,-2\r\n"]
    assert b"".join(lines) == table_csv(["x", "y"], [["a", 1], ["=b", -2]])


def test_a_header_only_table_still_has_its_bom_and_header():
    assert table_csv(["指标"], []) == "\ufeff指标\r\n".encode()


def test_unknown_format_is_refused():
    with pytest.raises(ValueError):
        table_response(fmt="pdf", filename="t", headers=HEADERS, rows=[])
