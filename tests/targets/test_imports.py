"""Importing readings from Excel and CSV: preview then all-or-nothing, every bad row listed by its Excel line."""

import csv
import io
from datetime import datetime
from decimal import Decimal
from functools import partial

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import Workbook, load_workbook

from lean import periods
from lean.models import Role
from lean.tenancy import tenant_scope
from targets import import_files, imports, services
from targets.import_files import RawRow
from targets.models import Reading, ReadingImport, Shortfall
from tests import factories
from tests.factories import make_member

from .factories import branch, make_indicator, read

URL = "/t/alpha/targets/readings/import/"
ZH = ("指标编码", "单位编码", "期间", "实际值", "备注")
EN = ("Indicator code", "Unit code", "Period", "Value", "Note")


@pytest.fixture
def tree(tenant_a):
    """A 2024 tree: M1 (monthly, unit + team, target 95), M2 (monthly, unit only, lower is better, target 100),
    Q1X (quarterly, unit), H1 (monthly, HQ only)."""
    a = tenant_a
    with tenant_scope(a.tenant):
        tree = services.tree_create(year=2024)
        goal = services.node_create(parent=branch(tree), code="G", name="目标", owner_unit=a.hq)
        a.extra.update(
            tree=tree,
            goal=goal,
            m1=make_indicator(goal, "M1", [a.unit, a.team], target=95, name="设备可用率"),
            m2=make_indicator(goal, "M2", [a.unit], direction="lower", target=100, name="单位成本"),
            q1x=make_indicator(goal, "Q1X", [a.unit], frequency="quarter", target=10),
            h1=make_indicator(goal, "H1", [a.hq], target=1),
        )
    return a


csv_upload = partial(factories.csv_upload, header=ZH, name="readings.csv")
xlsx_upload = partial(factories.xlsx_upload, header=EN, name="readings.xlsx")


def upload(client, file):
    return client.post(URL, {"file": file})


def readings(a):
    with tenant_scope(a.tenant):
        found = Reading.objects.select_related("indicator__node", "unit")
        return {(r.indicator.code, r.unit.code, str(r.period)): r.value for r in found}


def import_count(a):
    with tenant_scope(a.tenant):
        return ReadingImport.objects.count()


def test_good_csv_previews_then_confirm_stores_everything_and_finds_shortfalls(tree, login):
    a = tree
    client = login(a.lean_office)
    response = upload(
        client,
        csv_upload(
            [
                ["M1", "U1", "2024-01", "90", "检修停机"],  # missed 95: a shortfall
                ["M1", "U1-T1", "2024-01", "96", ""],
                ["M2", "U1", "2024-01", "1,080.5", ""],  # lower is better, missed 100
                ["Q1X", "U1", "2024-Q1", "12", ""],
            ]
        ),
    )
    assert response.status_code == 302
    with tenant_scope(a.tenant):
        reading_import = ReadingImport.objects.get(uploaded_by=a.lean_office)
    assert reading_import.status == ReadingImport.Status.PREVIEW
    assert reading_import.rows[0] == {
        "line": 2,
        "indicator_id": a.extra["m1"].pk,
        "unit_id": a.unit.pk,
        "period": "2024-01",
        "value": "90",
        "note": "检修停机",
    }
    assert reading_import.rows[2]["value"] == "1080.5"
    assert response["Location"] == f"{URL}{reading_import.pk}/"
    assert readings(a) == {}  # nothing stored before the confirmation

    preview = client.get(response["Location"])
    assert preview.status_code == 200
    assert [row.state for row in preview.context["rows"]] == ["new"] * 4
    assert "设备可用率" in preview.content.decode()

    confirmed = client.post(response["Location"], {"action": "confirm"})
    assert confirmed.status_code == 302 and confirmed["Location"] == "/t/alpha/targets/readings/"
    assert readings(a) == {
        ("M1", "U1", "2024-01"): Decimal("90"),
        ("M1", "U1-T1", "2024-01"): Decimal("96"),
        ("M2", "U1", "2024-01"): Decimal("1080.5"),
        ("Q1X", "U1", "2024-Q1"): Decimal("12"),
    }
    with tenant_scope(a.tenant):
        reading_import.refresh_from_db()
        assert reading_import.status == ReadingImport.Status.IMPORTED and reading_import.imported_at
        assert set(Reading.objects.values_list("source", "entered_by")) == {("import", a.lean_office.pk)}
        missed = {(s.indicator.code, s.unit.code) for s in Shortfall.objects.select_related("indicator__node", "unit")}
    assert missed == {("M1", "U1"), ("M2", "U1")}


def test_good_xlsx_with_english_headers_excel_dates_and_numbers(tree, login):
    a = tree
    client = login(a.lean_office)
    response = upload(
        client,
        xlsx_upload(
            [
                ["M1", "设备可用率", "U1", datetime(2024, 2, 15), 97.5, None],
                ["M1", "设备可用率", "U1", "2024/3/1", 98, "Excel wrote the date back"],
                ["Q1X", "", "U1", "2024年第二季度", 11, None],
                [None, None, None, None, None, None],
                ["M2", "", "U1", "2024-01", None, None],
            ],
            header=("Indicator code", "Indicator name", "UNIT CODE", "period", "Value", "Note"),
        ),
    )
    assert response.status_code == 302
    rows = client.get(response["Location"]).context["rows"]
    assert [(row.line, row.period, row.value_text) for row in rows] == [
        (2, "2024-02", "97.5"),
        (3, "2024-03", "98"),
        (4, "2024-Q2", "11"),
    ]
    assert client.post(response["Location"], {"action": "confirm"}).status_code == 302
    assert readings(a)[("Q1X", "U1", "2024-Q2")] == Decimal("11")


def test_a_file_with_bad_rows_stores_nothing_and_lists_every_bad_row(tree, login, english):
    a = tree
    client = login(a.lean_office)
    before = import_count(a)
    response = upload(
        client,
        csv_upload(
            [
                ["M1", "U1", "2024-01", "90", ""],  # line 2: good
                ["NOPE", "U1", "2024-01", "90", ""],  # 3: unknown indicator
                ["M1", "X9", "2024-01", "90", ""],  # 4: unknown unit
                ["M2", "U1-T1", "2024-01", "90", ""],  # 5: M2 does not apply to the team
                ["M1", "U1", "2024-13", "90", ""],  # 6: no such month
                ["Q1X", "U1", "2024-02", "10", ""],  # 7: quarterly indicator, monthly period
                ["M1", "U1", "2024-02", "ninety", ""],  # 8: not a number
                ["M1", "U1", "2024-01", "91", ""],  # 9: same reading as line 2
                ["M1", "U1", "2023-05", "90", ""],  # 10: outside the tree's year: not in the 2023 tree
                ["", "X9", "soon", "NaN", ""],  # 11: everything wrong at once
                ["M1", "U1", "2024-04", "90", "x" * 301],  # 12: note too long
            ]
        ),
    )
    assert response.status_code == 400
    assert import_count(a) == before and readings(a) == {}
    problems = {p.row: p.errors for p in response.context["rows_error"].rows}
    assert sorted(problems) == [3, 4, 5, 6, 7, 8, 9, 10, 11, 12]
    assert problems[3] == ["There is no indicator NOPE in the 2024 target tree."]
    assert problems[4] == ["There is no unit with code X9."]
    assert problems[5] == ["M2 does not apply to 甲公司一班组."]
    assert "is not a period" in problems[6][0]
    assert problems[7] == ["Q1X is measured per Quarterly, not per Month."]
    assert problems[8] == ["ninety is not a number."]
    assert problems[9] == ["The same reading is already on line 2."]
    assert problems[10] == ["There is no indicator M1 in the 2023 target tree."]
    assert len(problems[11]) == 4  # period, value, unit, indicator code
    assert problems[12] == ["The note is longer than 300 characters."]
    body = response.content.decode()
    assert "Nothing was imported: 10 of 11 rows have problems." in body
    for line in problems:
        assert f'data-line="{line}"' in body
    assert "There is no unit with code X9." in body


# The file rules themselves are lean.imports' (tests/lean/test_imports.py); here, that the page says them.
@pytest.mark.parametrize(
    "name, content, expected",
    [
        ("picture.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01", "is not a CSV text file"),
        ("readings.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "Excel 97-2003 (.xls)"),
        ("readings.csv", "指标编码,单位编码,期间,实际值,备注\r\n".encode("utf-8-sig"), "no readings below it"),
        ("readings.csv", b"indicator,unit,value\nM1,U1,90\n", "Missing column(s): 期间 (Period)"),
        ("readings.csv", "指标编码,单位编码,期间,实际值\nM1,U1,2024-01,\n".encode(), "No row of the file has a value"),
    ],
)
def test_files_that_cannot_be_read_get_a_clear_form_error(tree, login, english, name, content, expected):
    a = tree
    client = login(a.lean_office)
    before = import_count(a)
    response = upload(client, SimpleUploadedFile(name, content))
    assert response.status_code == 400
    assert expected in " ".join(response.context["form"].errors["file"])
    assert import_count(a) == before


def test_a_correction_shows_old_and_new_and_history_keeps_the_old_value(tree, login):
    a, x = tree, tree.extra
    with tenant_scope(a.tenant):
        read(a.lean_office, x["m1"], a.unit, "2024-01", 90)
        read(a.lean_office, x["m1"], a.team, "2024-01", 99)
    client = login(a.lean_office)
    response = upload(client, csv_upload([["M1", "U1", "2024-01", "96", ""], ["M1", "U1-T1", "2024-01", "99", ""]]))
    preview = client.get(response["Location"])
    correction, unchanged = preview.context["rows"]
    assert (correction.state, correction.old_text, correction.value_text) == ("correction", "90", "96")
    assert unchanged.state == "unchanged"
    assert "<del" in preview.content.decode() and ">90</del>" in preview.content.decode()
    client.post(response["Location"], {"action": "confirm"})
    with tenant_scope(a.tenant):
        reading = Reading.objects.get(indicator=x["m1"], unit=a.unit)
        assert reading.value == Decimal("96") and reading.source == "import"
        assert [h.value for h in reading.history.order_by("history_date")] == [Decimal("90"), Decimal("96")]
        shortfall = Shortfall.objects.get(indicator=x["m1"], unit=a.unit)
        assert shortfall.resolved  # 96 now meets the target of 95


def test_a_manager_may_import_only_for_their_own_units(tree, login, english):
    a = tree
    client = login(a.manager)
    response = upload(
        client,
        csv_upload([["M1", "U1-T1", "2024-01", "96", ""], ["H1", "HQ", "2024-01", "1", ""]], header=EN),
    )
    assert response.status_code == 400
    (problem,) = response.context["rows_error"].rows
    assert problem.row == 3 and problem.errors == ["You may not enter readings for 甲公司总部."]
    assert upload(client, csv_upload([["M1", "U1-T1", "2024-01", "96", ""]])).status_code == 302


@pytest.mark.parametrize(
    "role, expected", [("lean_office", 200), ("manager", 200), ("reviewer", 403), ("employee", 403)]
)
def test_role_table(tree, login, role, expected):
    a = tree
    with tenant_scope(a.tenant):
        pending = ReadingImport.objects.create(tenant=a.tenant, uploaded_by=a.lean_office, file_name="r.csv", rows=[])
    client = login(getattr(a, role))
    assert client.get(URL).status_code == expected
    assert client.get(f"{URL}template.csv").status_code == expected
    # the lean office's upload: a manager who did not upload it does not see it
    assert client.get(f"{URL}{pending.pk}/").status_code == (404 if role == "manager" else expected)
    if expected == 403:
        assert upload(client, csv_upload([["M1", "U1-T1", "2024-01", "96", ""]])).status_code == 403
        assert client.post(f"{URL}{pending.pk}/", {"action": "confirm"}).status_code == 403


def test_confirm_twice_is_refused_and_stores_nothing_more(tree, login, english):
    a = tree
    client = login(a.lean_office)
    location = upload(client, csv_upload([["M1", "U1", "2024-01", "90", ""]]))["Location"]
    assert client.post(location, {"action": "confirm"}).status_code == 302
    with tenant_scope(a.tenant):
        Reading.objects.update(value=Decimal("1"))  # changed by hand since: a second confirm must not undo it
    again = client.post(location, {"action": "confirm"})
    assert again.status_code == 400
    assert "This file was already imported; it cannot be imported again." in again.content.decode()
    assert readings(a) == {("M1", "U1", "2024-01"): Decimal("1")}


def test_cancel_stores_nothing_and_a_cancelled_import_cannot_be_confirmed(tree, login):
    a = tree
    client = login(a.lean_office)
    location = upload(client, csv_upload([["M1", "U1", "2024-01", "90", ""]]))["Location"]
    assert client.post(location, {"action": "cancel"})["Location"] == URL
    assert client.post(location, {"action": "confirm"}).status_code == 400
    assert readings(a) == {}


def test_only_the_uploader_or_the_lean_office_confirms(tree, login):
    a = tree
    with tenant_scope(a.tenant):
        other_manager = make_member(a.unit, [Role.UNIT_MANAGER])
    location = upload(login(a.manager), csv_upload([["M1", "U1", "2024-01", "90", ""]]))["Location"]
    other = login(other_manager)
    # Someone else's upload is not even shown: its rows may be for units the viewer does not manage.
    assert other.get(location).status_code == 404
    assert other.post(location, {"action": "confirm"}).status_code == 404
    assert readings(a) == {}
    assert login(a.lean_office).post(location, {"action": "confirm"}).status_code == 302
    assert readings(a) == {("M1", "U1", "2024-01"): Decimal("90")}


def test_confirm_checks_again_and_stores_nothing_when_the_rules_changed(tree, login, english):
    a, x = tree, tree.extra
    client = login(a.lean_office)
    location = upload(client, csv_upload([["M1", "U1", "2024-01", "90", ""], ["M1", "U1-T1", "2024-01", "91", ""]]))[
        "Location"
    ]
    with tenant_scope(a.tenant):
        services.indicator_update(indicator=x["m1"], units=[a.unit])  # the team no longer measures M1
    response = client.post(location, {"action": "confirm"})
    assert response.status_code == 400
    (problem,) = response.context["rows_error"].rows
    assert problem.row == 3 and problem.errors == ["M1 does not apply to 甲公司一班组."]
    assert readings(a) == {}
    with tenant_scope(a.tenant):
        assert ReadingImport.objects.get(pk=location.rstrip("/").rsplit("/", 1)[1]).status == "preview"


def test_another_tenants_import_is_not_found(two_tenants, login):
    a, b = two_tenants
    with tenant_scope(b.tenant):
        theirs = ReadingImport.objects.get()
    client = login(a.lean_office)
    assert client.get(f"{URL}{theirs.pk}/").status_code == 404
    assert client.post(f"{URL}{theirs.pk}/", {"action": "confirm"}).status_code == 404
    assert client.get(f"{URL}template.pdf").status_code == 404


def test_template_lists_the_pairs_of_my_units_and_imports_back(tree, login):
    a = tree
    client = login(a.manager)
    response = client.get(f"{URL}template.csv")
    assert response["Content-Type"].startswith("text/csv")
    assert "readings-2024.csv" in response["Content-Disposition"]
    assert response.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["指标编码", "指标名称", "单位编码", "单位名称", "期间", "实际值", "备注"]
    assert sorted((r[0], r[2]) for r in rows[1:]) == [("M1", "U1"), ("M1", "U1-T1"), ("M2", "U1"), ("Q1X", "U1")]
    assert {r[4] for r in rows[1:] if r[0] == "Q1X"} <= {"2024-Q1", "2024-Q2", "2024-Q3", "2024-Q4"}

    workbook = load_workbook(io.BytesIO(client.get(f"{URL}template.xlsx").content))
    sheet_rows = list(workbook.active.iter_rows(values_only=True))
    assert len(sheet_rows) == 5 and sheet_rows[0][0] == "指标编码"
    # filled in and uploaded again, as it is: the names are ignored and the row without a value skipped
    filled = [list(row) for row in sheet_rows[1:]]
    for row in filled[1:]:
        row[5] = 5
    out = io.BytesIO()
    book = Workbook()
    for row in sheet_rows[:1] + [tuple(row) for row in filled]:
        book.active.append(row)
    book.save(out)
    response = upload(client, SimpleUploadedFile("filled.xlsx", out.getvalue()))
    assert response.status_code == 302
    assert len(client.get(response["Location"]).context["rows"]) == 3


def test_template_in_english_and_without_a_tree(tenant_a, login, english):
    client = login(tenant_a.lean_office)
    response = client.get(f"{URL}template.csv")
    assert response.content.decode("utf-8-sig").splitlines() == [
        "Indicator code,Indicator name,Unit code,Unit name,Period,Value,Note"
    ]
    assert client.get(URL).status_code == 200


def rows_for(a, count):
    codes = [f"N{i}" for i in range(10)]
    keys = [(code, unit, f"2024-{month:02d}") for month in range(1, 13) for unit in ("U1", "U1-T1") for code in codes]
    return [RawRow(line, code, unit, period, "90", "") for line, (code, unit, period) in enumerate(keys[:count], 2)]


def test_checking_a_file_takes_the_same_number_of_queries_for_10_and_200_rows(tree):
    a = tree
    with tenant_scope(a.tenant):
        for i in range(10):
            make_indicator(a.extra["goal"], f"N{i}", [a.unit, a.team])
        counts = []
        for size in (10, 200):
            rows = rows_for(a, size)
            with CaptureQueriesContext(connection) as queries:
                items, skipped = imports.check_rows(actor=a.lean_office, rows=rows)
            assert len(items) == size and not skipped
            counts.append(len(queries))
    assert counts[0] == counts[1] <= 3


def test_upload_and_preview_pages_take_the_same_number_of_queries_for_10_and_200_rows(tree, login):
    a = tree
    with tenant_scope(a.tenant):
        for i in range(10):
            make_indicator(a.extra["goal"], f"N{i}", [a.unit, a.team])
    client = login(a.manager)
    counts = []
    for size in (10, 200):
        rows = [[r.indicator, r.unit, r.period, r.value, ""] for r in rows_for(a, size)]
        with CaptureQueriesContext(connection) as upload_queries:
            location = upload(client, csv_upload(rows))["Location"]
        with CaptureQueriesContext(connection) as preview_queries:
            assert len(client.get(location).context["rows"]) == size
        counts.append((len(upload_queries), len(preview_queries)))
    assert counts[0] == counts[1]


def test_parse_period_and_value_cells():
    assert str(import_files.parse_period("2024年3月")) == "2024-03"
    assert str(import_files.parse_period("2024-3-31 00:00:00")) == "2024-03"
    assert str(import_files.parse_period("2024 Q3")) == "2024-Q3"
    assert str(import_files.parse_period("2024年度")) == "2024"
    assert import_files.parse_period(datetime(2024, 7, 9)) == periods.parse("2024-07")
    with pytest.raises(periods.PeriodError):
        import_files.parse_period("2024.10")  # Excel's number 2024.1 would be ambiguous
    assert import_files.parse_value("１２３.４") == Decimal("123.4")
    assert import_files.parse_value(0.1 + 0.2) == Decimal("0.3")
    for bad in ("12%", "Infinity", "1e20", "", "--1"):
        with pytest.raises(ValueError):
            import_files.parse_value(bad)
