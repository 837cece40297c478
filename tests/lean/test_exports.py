"""lean/exports.py: any table as xlsx or CSV, with spreadsheet formula injection neutralized."""

import csv
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from lean.exports import table_response

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


def xlsx_rows(response):
    sheet = load_workbook(io.BytesIO(response.content)).active
    return sheet, [[cell.value for cell in row] for row in sheet.iter_rows()]


def csv_rows(response):
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff"), "the BOM lets Excel read the file as UTF-8"
    return list(csv.reader(io.StringIO(text[1:])))


def test_xlsx_round_trip_keeps_text_and_numbers():
    response = table_response(fmt="xlsx", filename="达成率", headers=HEADERS, rows=ROWS[:1])
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    assert ".xlsx" in response["Content-Disposition"]
    sheet, rows = xlsx_rows(response)
    assert rows == [HEADERS, ["一分公司", 0.9512, 12]]
    assert sheet["A1"].font.bold
    assert sheet["B2"].data_type == "n" and sheet["C2"].data_type == "n"
    assert sheet.column_dimensions["A"].width >= len("单位 Unit")


def test_xlsx_dangerous_text_is_a_string_not_a_formula():
    response = table_response(fmt="xlsx", filename="t", headers=HEADERS, rows=ROWS)
    sheet, rows = xlsx_rows(response)
    for index, row in enumerate(ROWS, start=2):
        cell = sheet.cell(row=index, column=1)
        assert cell.data_type == "s", (row[0], cell.data_type)
        assert cell.value == row[0].replace("\r", "\n")  # XML reads a bare CR back as LF
    # Negative numbers are still numbers, not text.
    assert sheet["C3"].value == -3 and sheet["C3"].data_type == "n"
    assert sheet["C4"].value == -2.5 and sheet["C4"].data_type == "n"
    assert rows[3][1] is None


def test_xlsx_file_holds_no_formula_element():
    import zipfile

    response = table_response(fmt="xlsx", filename="t", headers=HEADERS, rows=ROWS)
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        sheet_xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml and "<f " not in sheet_xml


def test_csv_round_trip_with_bom():
    response = table_response(fmt="csv", filename="积分", headers=HEADERS, rows=ROWS[:1])
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert ".csv" in response["Content-Disposition"]
    assert csv_rows(response) == [HEADERS, ["一分公司", "0.9512", "12"]]


def test_csv_dangerous_text_is_quoted_numbers_are_not():
    response = table_response(fmt="csv", filename="t", headers=HEADERS, rows=ROWS[1:])
    rows = csv_rows(response)[1:]
    assert [row[0] for row in rows] == ["'" + row[0] for row in ROWS[1:]] and rows[0][0].startswith("'=")
    assert rows[0][2] == "-3" and rows[1][2] == "-2.50" and rows[1][1] == ""


def test_unknown_format_is_refused():
    with pytest.raises(ValueError):
        table_response(fmt="pdf", filename="t", headers=HEADERS, rows=[])
