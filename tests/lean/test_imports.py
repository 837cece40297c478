"""lean/imports.py: the file machinery every import shares, checked once for each kind of file (readings, peers'
values): files that cannot be read, headers, blank and header-only files, encodings, the size limit, cells as
found, and the template as a download that reads back. The row rules are each app's (tests/<app>/test_imports.py).
"""

import io
from datetime import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from openpyxl import load_workbook

from benchmarking.imports import VALUES
from lean import imports
from lean.errors import ApplicationError
from targets.import_files import READINGS
from tests.factories import csv_upload, xlsx_upload

# Each kind of file: its layout, a good line as text, its header-only message, its columns' headers (zh, en).
KINDS = {
    "readings": (
        READINGS,
        "M1,U1,2024-01,90,",
        "no readings below it",
        ("指标编码", "单位编码", "期间", "实际值", "备注"),
    ),
    "values": (
        VALUES,
        "A1.1,对标二厂,2025-01,90,年报",
        "no values below it",
        ("指标编码", "对标对象", "期间", "数值", "来源"),
    ),
}


@pytest.fixture(params=KINDS, ids=str)
def kind(request):
    with translation.override("en"):
        yield KINDS[request.param]


def refusal(layout, upload) -> str:
    with pytest.raises(ApplicationError) as caught:
        layout.read(upload)
    assert caught.value.field_errors["file"] == [caught.value.message]  # shown at the upload field
    return caught.value.message


@pytest.mark.parametrize(
    "name, content, expected",
    [
        ("picture.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01", "is not a CSV text file"),
        ("file.txt", "{header}\n{line}\n", "Only Excel (.xlsx) and CSV"),
        ("file", b"a,b", "Only Excel (.xlsx) and CSV"),
        ("file.xlsx", "{header}\n{line}\n", "not a valid Excel"),
        ("file.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "Excel 97-2003 (.xls)"),
        ("file.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "Only Excel (.xlsx) and CSV"),
        ("file.csv", b"PK\x03\x04rest-of-a-workbook", "is an Excel workbook, not a CSV file"),
        ("file.csv", b"", "The file is empty."),
        ("file.csv", b"\r\n\r\n", "The file is empty."),
        ("file.csv", "\ufeff".encode(), "The file is empty."),
        ("file.csv", "\r\n{line}\r\n", "The first row must be the header row"),
        ("file.csv", "{header}\r\n", "{no_rows}"),
        ("file.csv", "{header},{first}\r\n{line}\r\n", "appears twice in the header row"),
    ],
)
def test_files_that_cannot_be_read_are_refused_with_a_clear_message(kind, name, content, expected):
    layout, line, no_rows, header = kind
    if isinstance(content, str):
        content = content.format(header=",".join(header), first=header[0], line=line).encode("utf-8-sig")
    assert expected.format(no_rows=no_rows) in refusal(layout, SimpleUploadedFile(name, content))


def test_a_missing_column_is_named_in_both_languages(kind):
    layout, line, _no_rows, header = kind
    message = refusal(layout, SimpleUploadedFile("f.csv", (",".join(header[1:]) + "\n" + line).encode()))
    assert "Missing column(s): 指标编码 (Indicator code)" in message


def test_header_only_xlsx_and_empty_xlsx(kind):
    layout, _line, no_rows, header = kind
    assert no_rows in refusal(layout, xlsx_upload([], header=header, name="f.xlsx"))
    assert refusal(layout, xlsx_upload([], header=None, name="f.xlsx")) == "The file is empty."


def test_a_file_over_5_mb_is_refused(kind):
    layout, line, _no_rows, header = kind
    big = (",".join(header) + "\n").encode() + (line + "\n").encode() * (imports.MAX_BYTES // len(line) + 1)
    assert refusal(layout, SimpleUploadedFile("big.csv", big)) == "The file is larger than 5 MB."


def test_too_many_rows_are_refused(kind, monkeypatch):
    layout, line, _no_rows, header = kind
    monkeypatch.setattr(imports, "MAX_ROWS", 3)
    upload = SimpleUploadedFile("f.csv", "\n".join([",".join(header)] + [line] * 4).encode())
    assert "more than 3 rows" in refusal(layout, upload)


@pytest.mark.parametrize("encoding, delimiter", [("utf-8-sig", ","), ("utf-8", ";"), ("gbk", "\t"), ("gb18030", ",")])
def test_csv_in_the_encodings_and_separators_excel_writes(kind, encoding, delimiter):
    layout, line, _no_rows, header = kind
    text = delimiter.join(header) + "\r\n" + line.replace(",", delimiter) + "\r\n"
    rows, file_format = layout.read(SimpleUploadedFile("f.csv", text.encode(encoding)))
    assert file_format == "csv" and len(rows) == 1
    assert rows[0].line == 2 and rows[0].indicator == line.split(",")[0]
    assert [getattr(rows[0], field) for field in ("period", "value")] == line.split(",")[2:4]


def test_xlsx_cells_as_found_blank_rows_counted_and_english_headers_in_any_case(kind):
    layout, line, _no_rows, _header = kind
    english = [layout.headers["en"][field].upper() for field in layout.required]
    subject = line.split(",")[1]
    rows, file_format = layout.read(
        xlsx_upload(
            [[None] * 5, [101.0, subject, datetime(2025, 2, 15), 96.5, "src"], ["A1", subject, "2025-03", 7, "src"]],
            header=english,
            name="F.XLSX",
        )
    )
    assert file_format == "xlsx" and [row.line for row in rows] == [3, 4]
    assert rows[0].indicator == "101"  # Excel made a number of the code 101
    assert rows[0].period == datetime(2025, 2, 15) and rows[0].value == 96.5 and rows[1].value == 7


def test_text_our_templates_guarded_reads_back_without_the_guard():
    assert imports.cell_text("'=HYPERLINK(1)") == "=HYPERLINK(1)"
    assert imports.cell_text("'＝1+1") == "＝1+1"
    assert imports.cell_text("'quoted") == "'quoted"  # not a guard: the text had the quote
    assert imports.value_cell(True) == "True" and imports.value_cell(-2) == -2
    assert imports.cell_display(datetime(2025, 1, 31)) == "2025-01-31" and imports.cell_display(90.0) == "90"
    assert imports.number_text(Decimal("1093.5000")) == "1093.5" and imports.number_text(Decimal("90")) == "90"


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_template_reads_back_with_formula_like_names_as_they_were(kind, fmt):
    """Names come from the HR system: one that looks like a formula is written guarded and reads back as it was."""
    layout = kind[0]
    names = {"indicator_name": "=HYPERLINK(1)", "unit": "＋U1", "peer": "-对标厂", "source": "@来源"}
    sample = {"indicator": "A1", "period": "2025-01", "value": "90", **names}
    response = layout.template_response(
        fmt=fmt,
        language="zh-hans",
        filename="t",
        title="T",
        rows=[[sample.get(c, "") for c in layout.template_columns]],
    )
    assert response["Content-Disposition"] == f'attachment; filename="t.{fmt}"'
    if fmt == "xlsx":
        sheet = load_workbook(io.BytesIO(response.content)).active
        assert sheet.title == "T" and [cell.value for cell in sheet[1]] == layout.template_header("zh-hans")
        assert sheet.cell(row=2, column=layout.template_columns.index("period") + 1).number_format == "@"
        assert sheet["B2"].value == "=HYPERLINK(1)" and sheet["B2"].data_type == "s" and sheet["B2"].quotePrefix
    else:
        assert response.content.startswith("\ufeff".encode()) and b"'=HYPERLINK(1)" in response.content
    (read,), _format = layout.read(SimpleUploadedFile(f"t.{fmt}", response.content))
    assert (read.indicator, read.period, str(read.value)) == ("A1", "2025-01", "90")
    for column, name in names.items():
        if hasattr(read, column):
            assert getattr(read, column) == name


def test_template_headers_in_both_languages(kind):
    layout = kind[0]
    assert layout.template_header("zh-hans")[0] == "指标编码"
    assert layout.template_header("en")[0] == "Indicator code"


def test_csv_upload_factory_makes_what_excel_saves():
    upload = csv_upload([["a", "b"]], header=("x", "y"), name="f.csv")
    assert upload.read() == "\ufeffx,y\r\na,b\r\n".encode()
