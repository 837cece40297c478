"""Importing outside peers' values from Excel and CSV: every bad row listed by its Excel line and nothing stored,
or a preview whose signed token is confirmed, checked again and stored all or nothing; the lean office only."""

import csv
import io
from datetime import datetime, timedelta
from decimal import Decimal
from functools import partial

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from benchmarking import imports, selectors, services
from benchmarking.models import Peer, PeerValue
from lean import periods
from lean.tenancy import tenant_scope
from tests import factories
from tests.benchmarking.factories import make_benchmarking
from tests.targets.factories import make_targets

URL = "/t/alpha/benchmarking/values/import/"
ZH = ("指标编码", "对标对象", "期间", "数值", "来源", "数据日期", "可信度")
EN = ("Indicator code", "Peer", "Period", "Value", "Source", "Date of the figure", "Confidence")


@pytest.fixture
def bench(tenant_a):
    """A1.1 benchmarked monthly (行业标杆电厂 97 in 2025-01), A1.2 quarterly; peers 行业标杆电厂, 对标二厂 and the
    inactive 停用厂."""
    a = tenant_a
    with tenant_scope(a.tenant):
        make_targets(a)
        make_benchmarking(a)
        quarterly = services.benchmark_add(actor=a.lean_office, indicator=a.extra["cost"], frequency="quarter")
        second = services.peer_save(actor=a.lean_office, name="对标二厂", kind="enterprise")
        gone = services.peer_save(actor=a.lean_office, name="停用厂", kind="industry")
        Peer.objects.filter(pk=gone.pk).update(active=False)
    a.extra.update(quarterly=quarterly, second=second)
    return a


csv_upload = partial(factories.csv_upload, header=ZH, name="values.csv")
xlsx_upload = partial(factories.xlsx_upload, header=EN, name="values.xlsx")


def upload(client, file):
    return client.post(URL, {"file": file})


def stored(a):
    with tenant_scope(a.tenant):
        found = PeerValue.objects.select_related("benchmark", "peer")
        return {(v.benchmark.code, v.peer.name, str(v.period)): v.value for v in found}


BEFORE = {("A1.1", "行业标杆电厂", "2025-01"): Decimal("97")}


def test_good_csv_previews_then_confirm_stores_everything(bench, login):
    a = bench
    client = login(a.lean_office)
    response = upload(
        client,
        csv_upload(
            [
                ["A1.1", "行业标杆电厂", "2025-01", "98", "中电联", "2025-02-20", "高"],  # corrects 97
                ["A1.1", "对标二厂", "2025-01", "1,093.5", "年报", "", ""],
                ["A1.2", "对标二厂", "2025年第一季度", "80", "走访", "2025/4/3", "low"],
            ]
        ),
    )
    assert response.status_code == 200
    rows = response.context["preview"]
    assert [(row.line, row.state, str(row.item.period), row.value_text) for row in rows] == [
        (2, "correction", "2025-01", "98"),
        (3, "new", "2025-01", "1093.5"),
        (4, "new", "2025-Q1", "80"),
    ]
    assert rows[0].old_text == "97" and rows[2].item.confidence == "low"
    body = response.content.decode()
    assert 'name="token"' in body and "设备可用率" in body and ">97</del>" in body
    assert stored(a) == BEFORE  # nothing stored before the confirmation

    confirmed = client.post(URL, {"token": response.context["token"]})
    assert confirmed.status_code == 302 and confirmed["Location"] == "/t/alpha/benchmarking/peers/"
    assert stored(a) == {
        ("A1.1", "行业标杆电厂", "2025-01"): Decimal("98"),
        ("A1.1", "对标二厂", "2025-01"): Decimal("1093.5"),
        ("A1.2", "对标二厂", "2025-Q1"): Decimal("80"),
    }
    with tenant_scope(a.tenant):
        corrected = PeerValue.objects.get(peer=a.extra["peer"])
        assert (corrected.source, corrected.confidence, str(corrected.source_date)) == ("中电联", "high", "2025-02-20")
        assert [h.value for h in corrected.history.order_by("history_date")] == [Decimal("97"), Decimal("98")]
        assert set(PeerValue.objects.values_list("entered_by", flat=True)) == {a.lean_office.pk}
        assert PeerValue.objects.get(peer=a.extra["second"], period_kind="month").confidence == "medium"


def test_good_xlsx_with_english_headers_excel_dates_numbers_and_skipped_rows(bench, login, english):
    a = bench
    client = login(a.lean_office)
    response = upload(
        client,
        xlsx_upload(
            [
                [
                    "A1.1",
                    "设备可用率",
                    "对标二厂",
                    datetime(2025, 2, 15),
                    96.5,
                    "Annual report",
                    datetime(2025, 3, 1),
                    "High",
                ],
                [None, None, None, None, None, None, None, None],
                ["A1.1", "", "对标二厂", "2025/3/1", 95, "Annual report", None, "MEDIUM"],
                ["A1.2", "单位成本", "对标二厂", "2025-Q1", None, None, None, None],  # no value: skipped
            ],
            header=("indicator code", "Indicator name", "PEER", "period", "Value", "source", "Date", "Confidence"),
        ),
    )
    assert response.status_code == 200, (
        response.context["form"].errors,
        response.context["rows_error"] and response.context["rows_error"].rows,
    )
    rows = response.context["preview"]
    assert [(row.line, str(row.item.period), row.value_text, row.item.confidence) for row in rows] == [
        (2, "2025-02", "96.5", "high"),
        (4, "2025-03", "95", "medium"),
    ]
    assert str(rows[0].item.source_date) == "2025-03-01"
    assert response.context["skipped_count"] == 1 and "(line 5)" in response.content.decode()
    assert client.post(URL, {"token": response.context["token"]}).status_code == 302
    assert stored(a)[("A1.1", "对标二厂", "2025-02")] == Decimal("96.5")


def test_a_file_with_bad_rows_stores_nothing_and_lists_every_bad_row(bench, login, english):
    a = bench
    client = login(a.lean_office)
    future = (timezone.localdate() + timedelta(days=5)).isoformat()
    response = upload(
        client,
        csv_upload(
            [
                ["A1.1", "对标二厂", "2025-01", "90", "年报", "", ""],  # line 2: good
                ["NOPE", "对标二厂", "2025-01", "90", "年报", "", ""],  # 3: no such benchmark indicator
                ["A1.1", "无名氏", "2025-01", "90", "年报", "", ""],  # 4: no such peer
                ["A1.1", "对标二厂", "2025-13", "90", "年报", "", ""],  # 5: no such month
                ["A1.2", "对标二厂", "2025-02", "90", "年报", "", ""],  # 6: compared per quarter
                ["A1.1", "对标二厂", "2025-02", "ninety", "年报", "", ""],  # 7: not a number
                ["A1.1", "对标二厂", "2025-01", "91", "年报", "", ""],  # 8: the same as line 2
                ["A1.1", "对标二厂", "2025-03", "90", "", "", ""],  # 9: no source
                ["A1.1", "停用厂", "2025-01", "90", "年报", "", ""],  # 10: inactive peer
                ["A1.1", "对标二厂", "2025-04", "90", "年报", "2025-02-30", ""],  # 11: no such date
                ["A1.1", "对标二厂", "2025-05", "90", "年报", future, ""],  # 12: from the future
                ["A1.1", "对标二厂", "2025-06", "90", "年报", "", "sure"],  # 13: no such confidence
                ["", "", "soon", "NaN", "", "", ""],  # 14: everything wrong at once
                ["A1.1", "对标二厂", "2025-07", "90", "x" * 201, "", ""],  # 15: source too long
            ]
        ),
    )
    assert response.status_code == 400
    assert stored(a) == BEFORE
    problems = {p.row: p.errors for p in response.context["rows_error"].rows}
    assert sorted(problems) == list(range(3, 16))
    assert problems[3] == ["NOPE is not a benchmark indicator."]
    assert problems[4] == ["There is no peer named 无名氏."]
    assert "is not a period" in problems[5][0]
    assert problems[6] == ["A1.2 is compared per Quarterly, not per Month."]
    assert problems[7] == ["ninety is not a number."]
    assert problems[8] == ["The same value is already on line 2."]
    assert problems[9] == ["Say where the figure comes from."]
    assert problems[10] == ["停用厂 is no longer active."]
    assert problems[11] == ["2025-02-30 is not a date (use 2026-03-31)."]
    assert problems[12] == ["The date of the figure is in the future."]
    assert problems[13] == ["The confidence sure is not one of 高, 中, 低 (high, medium, low)."]
    assert len(problems[14]) == 5  # period, value, indicator code, peer, source
    assert problems[15] == ["The source is longer than 200 characters."]
    body = response.content.decode()
    assert "Nothing was imported: 13 of 14 rows have problems." in body
    for line in problems:
        assert f'data-line="{line}"' in body
    assert "There is no peer named 无名氏." in body and 'name="token"' not in body


# The file rules themselves are lean.imports' (tests/lean/test_imports.py); here, that the page says them.
@pytest.mark.parametrize(
    "name, content, expected",
    [
        ("picture.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01", "is not a CSV text file"),
        ("values.csv", b"PK\x03\x04rest-of-a-workbook", "is an Excel workbook, not a CSV file"),
        (
            "values.csv",
            "指标编码,对标对象,期间,数值,来源,数据日期,可信度\r\n".encode("utf-8-sig"),
            "no values below it",
        ),
        (
            "values.csv",
            "指标编码,对标对象,期间,数值\nA1.1,对标二厂,2025-01,90\n".encode(),
            "Missing column(s): 来源 (Source)",
        ),
        (
            "values.csv",
            "指标编码,对标对象,期间,数值,来源\nA1.1,对标二厂,2025-01,,\n".encode(),
            "No row of the file has a value",
        ),
    ],
)
def test_files_that_cannot_be_read_get_a_clear_form_error(bench, login, english, name, content, expected):
    a = bench
    response = upload(login(a.lean_office), SimpleUploadedFile(name, content))
    assert response.status_code == 400
    assert expected in " ".join(response.context["form"].errors["file"])
    assert stored(a) == BEFORE


# ---------------------------------------------------------------- the signed preview


def preview_token(client, rows=None):
    rows = rows or [["A1.1", "对标二厂", "2025-01", "90", "年报", "", ""]]
    response = upload(client, csv_upload(rows))
    assert response.status_code == 200
    return response.context["token"]


def test_a_tampered_token_is_refused_and_stores_nothing(bench, login, english):
    a = bench
    client = login(a.lean_office)
    token = preview_token(client)
    payload = token.split(":", 1)[0]
    other = "A" if token[-1] != "A" else "B"
    for bad in (token[:-1] + other, "x" + token, "", f"{payload}:x:y", token.replace(payload, payload[:-1] + other)):
        response = client.post(URL, {"token": bad})
        assert response.status_code == 400
        assert "it was changed or is not yours" in response.context["error"]
    assert stored(a) == BEFORE


def test_a_token_is_good_only_for_its_member_and_tenant_and_for_an_hour(bench, tenant_b, login, english, monkeypatch):
    a, b = bench, tenant_b
    token = preview_token(login(a.lean_office))
    with tenant_scope(a.tenant):
        from lean.models import Role
        from tests.factories import make_member

        colleague = make_member(a.hq, [Role.LEAN_OFFICE])
    assert login(colleague).post(URL, {"token": token}).status_code == 400
    assert login(b.lean_office).post("/t/beta/benchmarking/values/import/", {"token": token}).status_code == 400
    monkeypatch.setattr(imports, "TOKEN_MAX_AGE", -1)
    response = login(a.lean_office).post(URL, {"token": token})
    assert response.status_code == 400 and "more than an hour old" in response.context["error"]
    assert stored(a) == BEFORE


def test_confirm_checks_again_and_stores_nothing_when_things_changed(bench, login, english):
    a = bench
    client = login(a.lean_office)
    token = preview_token(
        client,
        [
            ["A1.1", "对标二厂", "2025-01", "90", "年报", "", ""],
            ["A1.1", "行业标杆电厂", "2025-02", "91", "年报", "", ""],
        ],
    )
    with tenant_scope(a.tenant):
        Peer.objects.filter(pk=a.extra["peer"].pk).update(active=False)
    response = client.post(URL, {"token": token})
    assert response.status_code == 400
    (problem,) = response.context["rows_error"].rows
    assert (problem.row, problem.errors) == (3, ["行业标杆电厂 is no longer active."])
    assert stored(a) == BEFORE

    with tenant_scope(a.tenant):
        Peer.objects.filter(pk=a.extra["peer"].pk).update(active=True)
        Peer.objects.filter(pk=a.extra["second"].pk).delete()
    response = client.post(URL, {"token": token})
    assert response.status_code == 400
    assert [p.row for p in response.context["rows_error"].rows] == [2]
    assert stored(a) == BEFORE


# ---------------------------------------------------------------- who may import, the template


@pytest.mark.parametrize(
    "role, expected", [("lean_office", 200), ("manager", 403), ("reviewer", 403), ("employee", 403)]
)
def test_role_table(bench, login, role, expected):
    a = bench
    token = preview_token(login(a.lean_office)) if expected == 403 else ""
    client = login(getattr(a, role))
    assert client.get(URL).status_code == expected
    assert client.get(f"{URL}template.csv").status_code == expected
    assert client.get(f"{URL}template.xlsx").status_code == expected
    if expected == 403:
        assert upload(client, csv_upload([["A1.1", "对标二厂", "2025-01", "90", "年报", "", ""]])).status_code == 403
        assert client.post(URL, {"token": token}).status_code == 403
        assert stored(a) == BEFORE


def test_template_lists_every_active_indicator_and_peer_and_imports_back(bench, login):
    a = bench
    client = login(a.lean_office)
    response = client.get(f"{URL}template.csv")
    assert response["Content-Type"].startswith("text/csv") and "peer-values.csv" in response["Content-Disposition"]
    assert response.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["指标编码", "指标名称", "对标对象", "期间", "数值", "来源", "数据日期", "可信度"]
    with tenant_scope(a.tenant):
        month, quarter = str(selectors.latest_period("month")), str(selectors.latest_period("quarter"))
    assert [(r[0], r[1], r[2], r[3]) for r in rows[1:]] == [
        ("A1.1", "设备可用率", "对标二厂", month),
        ("A1.1", "设备可用率", "行业标杆电厂", month),
        ("A1.2", "单位成本", "对标二厂", quarter),
        ("A1.2", "单位成本", "行业标杆电厂", quarter),
    ]

    workbook = load_workbook(io.BytesIO(client.get(f"{URL}template.xlsx").content))
    sheet_rows = [list(row) for row in workbook.active.iter_rows(values_only=True)]
    assert len(sheet_rows) == 5 and sheet_rows[0][0] == "指标编码" and sheet_rows[1][3] == month
    # filled in and uploaded again as it is: the names are ignored, the row without a value skipped
    for row in sheet_rows[2:]:
        row[4], row[5], row[7] = 88, "年报", "高"
    book = Workbook()
    for row in sheet_rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    response = upload(client, SimpleUploadedFile("filled.xlsx", out.getvalue()))
    assert response.status_code == 200, response.context["rows_error"] and response.context["rows_error"].rows
    assert len(response.context["preview"]) == 3 and response.context["skipped_count"] == 1
    assert client.post(URL, {"token": response.context["token"]}).status_code == 302
    assert stored(a)[("A1.2", "行业标杆电厂", quarter)] == 88 and ("A1.1", "对标二厂", month) not in stored(a)


def test_template_in_english(bench, login, english):
    response = login(bench.lean_office).get(f"{URL}template.csv")
    assert response.content.decode("utf-8-sig").splitlines()[0] == (
        "Indicator code,Indicator name,Peer,Period,Value,Source,Date of the figure,Confidence"
    )
    assert login(bench.lean_office).get(f"{URL}template.pdf").status_code == 404


# ---------------------------------------------------------------- bounded queries


def many_peers(a, count):
    with tenant_scope(a.tenant):
        Peer.objects.bulk_create([Peer(tenant=a.tenant, name=f"同行{i:02d}") for i in range(count)])


def raw_rows(count):
    """`count` distinct good rows: 20 peers × as many months as needed, back from 2024-12."""
    last = periods.parse("2024-12")
    rows = []
    for index in range(count):
        period = last.previous(index // 20)
        rows.append(imports.RawValueRow(index + 2, "A1.1", f"同行{index % 20:02d}", str(period), "90", "年报", "", ""))
    return rows


def test_checking_a_file_takes_the_same_number_of_queries_for_10_and_200_rows(bench):
    a = bench
    many_peers(a, 20)
    counts = []
    with tenant_scope(a.tenant):
        for size in (10, 200):
            with CaptureQueriesContext(connection) as queries:
                items, skipped = imports.check_rows(rows=raw_rows(size))
            assert len(items) == size and not skipped
            counts.append(len(queries))
    assert counts[0] == counts[1] <= 2


def test_upload_and_confirm_take_the_same_number_of_queries_for_10_and_2000_rows(bench, login):
    a = bench
    many_peers(a, 20)
    client = login(a.lean_office)
    counts = []
    for size in (10, 2000):
        rows = [[r.indicator, r.peer, r.period, r.value, r.source, "", ""] for r in raw_rows(size)]
        with CaptureQueriesContext(connection) as upload_queries:
            response = upload(client, csv_upload(rows))
        assert response.status_code == 200 and len(response.context["preview"]) == size
        with CaptureQueriesContext(connection) as confirm_queries:
            assert client.post(URL, {"token": response.context["token"]}).status_code == 302
        with tenant_scope(a.tenant):
            PeerValue.objects.exclude(peer=a.extra["peer"]).delete()  # the second round stores new values again
        counts.append((len(upload_queries), len(confirm_queries)))
    assert counts[0] == counts[1]
