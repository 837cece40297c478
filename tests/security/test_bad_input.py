"""Bad input: every case answers a clear error (a form error on a page, the stable JSON {code, message,
field_errors} in the API) and stores nothing half-way. What tests elsewhere already cover (the import files'
own checks, attachment types and sizes on the page, the export writer) is not repeated here: these are the gaps
— uploads through the API, files that are zips but no workbook, formulas in templates and imports, markup in
names, impossible dates and numbers, and page parameters."""

import csv
import io
import zipfile

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from benchmarking.models import Peer, PeerValue
from innovation.models import Contribution
from lean.apikeys import api_key_create
from lean.models import ApiScope, Unit
from lean.tenancy import tenant_scope
from projects.models import Attachment, BenefitSignoff, Project
from targets import services as target_services
from targets.models import Reading, ReadingImport
from tests.innovation.factories import make_opl
from tests.projects.factories import make_project, make_projects
from tests.projects.test_finance import finance_member, to_closing
from tests.targets.factories import branch, make_indicator, make_targets

API = "/t/alpha/api/v1"
ERROR_KEYS = {"code", "message", "field_errors"}
SCRIPT = "<script>alert(1)</script>"
FORMULAS = ['=HYPERLINK("http://evil.example","点我")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A2)"]


@pytest.fixture(autouse=True)
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def error_of(response, status=400) -> dict:
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == ERROR_KEYS and body["message"]
    assert all(isinstance(m, str) for messages in body["field_errors"].values() for m in messages)
    return body


def media_files() -> list:
    return [p for p in settings.MEDIA_ROOT.rglob("*") if p.is_file()] if settings.MEDIA_ROOT.exists() else []


@pytest.fixture
def tree(tenant_a):
    a = tenant_a
    with tenant_scope(a.tenant):
        tree = target_services.tree_create(year=2024)
        goal = target_services.node_create(parent=branch(tree), code="G", name="目标", owner_unit=a.hq)
        a.extra.update(tree=tree, m1=make_indicator(goal, "M1", [a.unit], target=95, name="设备可用率"))
    return a


# ---------------------------------------------------------------- uploads through the API


@pytest.fixture
def closing(tenant_a):
    a = tenant_a
    with tenant_scope(a.tenant):
        make_targets(a)
        make_projects(a)
        project, _review = to_closing(a)
        verifier = finance_member(a)
    return a, project, verifier


def test_an_oversized_evidence_file_through_the_api_is_refused_and_nothing_is_stored(closing, login):
    a, project, verifier = closing
    client = login(verifier)
    with tenant_scope(a.tenant):
        before = (BenefitSignoff.objects.count(), Attachment.objects.count())
    files = media_files()
    big = SimpleUploadedFile("核算表.pdf", b"%PDF-1.4\n" + b"\x00" * (10 * 1024 * 1024), "application/pdf")
    response = client.post(
        f"{API}/projects/projects/{project.pk}/signoffs/",
        {"amount": "1200000", "basis": "账面核算", "evidence_file": big},
    )
    body = error_of(response)
    assert "10 MB" in body["message"] and "evidence" in " ".join(body["field_errors"])
    with tenant_scope(a.tenant):
        assert (BenefitSignoff.objects.count(), Attachment.objects.count()) == before
    assert media_files() == files  # no file left behind on disk either


def test_a_binary_evidence_file_of_some_megabytes_through_the_api_is_accepted(closing, login):
    """A real PDF holds NUL bytes and may be larger than Django's in-memory body limit (2.5 MB): the API's NUL
    guard and body limit are for JSON, not for a multipart file under the attachment limit."""
    a, project, verifier = closing
    client = login(verifier)
    pdf = SimpleUploadedFile("发票.pdf", b"%PDF-1.7\n\x00\x01\x02" + b"\x00" * (3 * 1024 * 1024), "application/pdf")
    response = client.post(
        f"{API}/projects/projects/{project.pk}/signoffs/",
        {"amount": "1200000", "basis": "账面核算", "evidence_file": pdf},
    )
    assert response.status_code == 201, response.content[:300]


def test_a_json_body_over_the_request_limit_answers_the_stable_error(tree, login):
    client = login(tree.lean_office)
    item = {"indicator_id": tree.extra["m1"].pk, "unit_id": tree.unit.pk, "period": "2024-01", "value": "1"}
    body = '{"readings": [' + ",".join([str(item).replace("'", '"')] * 40_000) + "]}"
    assert len(body) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    error_of(client.post(f"{API}/targets/readings/bulk/", body, content_type="application/json"))
    with tenant_scope(tree.tenant):
        assert not Reading.objects.exists()


# ---------------------------------------------------------------- files that are no workbook


def not_a_workbook() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("readme.txt", "a zip, but no workbook inside")
    return out.getvalue()


@pytest.mark.parametrize("content", [not_a_workbook(), bytes(range(256)) * 40], ids=["zip", "random"])
@pytest.mark.parametrize("url", ["/t/alpha/targets/readings/import/", "/t/alpha/benchmarking/values/import/"])
def test_a_file_named_xlsx_that_is_no_workbook_gets_a_form_error(tree, login, url, content):
    client = login(tree.lean_office)
    response = client.post(url, {"file": SimpleUploadedFile("数据.xlsx", content)})
    assert response.status_code == 400
    assert response.context["form"].errors["file"] == ["This is not a valid Excel (.xlsx) file."]
    with tenant_scope(tree.tenant):
        assert not ReadingImport.objects.exists() and not PeerValue.objects.exists()


def test_a_peer_values_file_over_5_mb_is_refused(tree, login):
    client = login(tree.lean_office)
    big = "指标编码,对标单位,期间,数值\n".encode() + b"M1,P,2024-01,1\n" * 400_000
    response = client.post("/t/alpha/benchmarking/values/import/", {"file": SimpleUploadedFile("big.csv", big)})
    assert response.status_code == 400
    assert response.context["form"].errors["file"] == ["The file is larger than 5 MB."]


# ---------------------------------------------------------------- formulas


def test_formulas_in_an_import_are_kept_as_text_and_never_become_numbers(tree, login):
    """A note starting with =, +, -, @ is a note (shown escaped, written as text by every download); a value
    must be a number, so a formula there is a row error; a real formula cell of a workbook is never run: the
    file's cached result is read, and a formula with none is no value."""
    client = login(tree.lean_office)
    header = "指标编码,单位编码,期间,实际值,备注\n"
    rows = "".join(f'M1,U1,2024-{i + 1:02d},90,"{f.replace(chr(34), chr(34) * 2)}"\n' for i, f in enumerate(FORMULAS))
    response = client.post(
        "/t/alpha/targets/readings/import/", {"file": SimpleUploadedFile("r.csv", (header + rows).encode())}
    )
    assert response.status_code == 302
    preview = client.get(response["Location"])
    assert sorted(row.note for row in preview.context["rows"]) == sorted(FORMULAS)

    bad = header + "M1,U1,2024-06,=1+1,\n"
    response = client.post("/t/alpha/targets/readings/import/", {"file": SimpleUploadedFile("r.csv", bad.encode())})
    assert response.status_code == 400 and "=1+1 is not a number" in str(response.context["rows_error"].rows)

    workbook = Workbook()
    workbook.active.append(["Indicator code", "Unit code", "Period", "Value", "Note"])
    workbook.active.append(["M1", "U1", "2024-07", "=SUM(1,1)", "=HYPERLINK(1)"])
    out = io.BytesIO()
    workbook.save(out)
    response = client.post("/t/alpha/targets/readings/import/", {"file": SimpleUploadedFile("r.xlsx", out.getvalue())})
    assert response.status_code == 400  # the only row has no value: nothing to import, nothing run
    with tenant_scope(tree.tenant):
        assert ReadingImport.objects.count() == 1 and not Reading.objects.exists()


def test_the_import_templates_write_names_as_text_never_as_formulas(tree, login):
    """Unit names come from the HR system: one that looks like a formula must not run when the template opens."""
    with tenant_scope(tree.tenant):
        Unit.objects.filter(pk=tree.unit.pk).update(name=FORMULAS[0])
    client = login(tree.lean_office)
    xlsx = client.get("/t/alpha/targets/readings/import/template.xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    cells = [cell for row in sheet.iter_rows(min_row=2) for cell in row if cell.value == FORMULAS[0]]
    assert cells and all(cell.data_type == "s" for cell in cells)
    assert b"<f>" not in zipfile.ZipFile(io.BytesIO(xlsx.content)).read("xl/worksheets/sheet1.xml")

    text = client.get("/t/alpha/targets/readings/import/template.csv").content.decode("utf-8-sig")
    assert f"'{FORMULAS[0]}".replace('"', '""') in text
    rows = list(csv.reader(io.StringIO(text)))
    for row in rows[1:]:
        row[5] = "91"  # the template, filled in, imports back with the names as they were
    filled = io.StringIO()
    csv.writer(filled).writerows(rows)
    upload = SimpleUploadedFile("t.csv", filled.getvalue().encode())
    assert client.post("/t/alpha/targets/readings/import/", {"file": upload}).status_code == 302


# ---------------------------------------------------------------- markup in names and titles


def test_markup_in_names_and_titles_is_shown_as_text(tenant_a, login):
    a = tenant_a
    with tenant_scope(a.tenant):
        Unit.objects.filter(pk=a.unit.pk).update(name=SCRIPT)
        make_targets(a)
        project = make_project(a, title=SCRIPT)
        contribution = make_opl(a, title=SCRIPT)
    pages = [
        (a.lean_office, "/t/alpha/units/"),
        (a.lean_office, f"/t/alpha/units/{a.unit.pk}/"),
        (a.manager, f"/t/alpha/projects/{project.pk}/"),
        (a.manager, "/t/alpha/projects/"),
        (a.employee, f"/t/alpha/innovation/contributions/{contribution.pk}/"),
        (a.employee, "/t/alpha/innovation/"),
    ]
    for member, url in pages:
        body = login(member).get(url).content.decode()
        assert SCRIPT not in body, url
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body, url


# ---------------------------------------------------------------- impossible dates and numbers


@pytest.fixture
def key(tree):
    with tenant_scope(tree.tenant):
        _key, token = api_key_create(actor=tree.lean_office, name="bad input", scopes=ApiScope.values)
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


@pytest.mark.parametrize(
    "change, field",
    [
        ({"value": "NaN"}, "value"),
        ({"value": "Infinity"}, "value"),
        ({"value": "1e999"}, "value"),
        ({"value": "12,5 t"}, "value"),
        ({"value": "1" * 30}, "value"),
        ({"period": "2024-13"}, "period"),
        ({"period": "2024-02-30"}, "period"),
        ({"period": ""}, "period"),
        ({"unit_id": "一"}, "unit_id"),
        ({"indicator_id": 10**30}, "indicator_id"),
    ],
)
def test_the_api_answers_impossible_numbers_and_periods_with_field_errors(tree, client, key, change, field):
    item = {"indicator_id": tree.extra["m1"].pk, "unit_id": tree.unit.pk, "period": "2024-01", "value": "90"}
    response = client.post(f"{API}/targets/readings/", {**item, **change}, content_type="application/json", **key)
    assert field in error_of(response)["field_errors"]
    with tenant_scope(tree.tenant):
        assert not Reading.objects.exists()


@pytest.mark.parametrize("day", ["2025-02-30", "2025-13-01", "25/03/2025", "0000-01-01", "9999999-01-01"])
def test_impossible_dates_in_the_api_and_in_a_form(tenant_a, login, day):
    a = tenant_a
    with tenant_scope(a.tenant):
        make_opl(a)  # the types and rules
        before = Contribution.objects.count()
    client = login(a.employee)
    body = {"type": "opl", "title": "点检一点课", "occurred_on": day}
    response = client.post(f"{API}/innovation/contributions/", body, content_type="application/json")
    assert "occurred_on" in error_of(response)["field_errors"]
    page = client.post("/t/alpha/innovation/contributions/new/", {"title": "x", "occurred_on": day})
    assert page.status_code in (200, 400) and page.context["form"].errors.get("occurred_on")
    with tenant_scope(a.tenant):
        assert Contribution.objects.count() == before


def test_nested_errors_come_as_flat_messages_by_field(tenant_a, login):
    """A project's indicator links are a list of objects: their errors stay in the error shape (a list of
    messages per field), each message saying which item and which field."""
    a = tenant_a
    with tenant_scope(a.tenant):
        make_targets(a)
        before = Project.objects.count()
    client = login(a.manager)
    body = {"tier": "unit", "title": "降本", "problem": "成本高", "indicators": [{"indicator_id": 10**9}]}
    errors = error_of(client.post(f"{API}/projects/projects/", body, content_type="application/json"))
    assert any(m.startswith("0.indicator_id: ") for m in errors["field_errors"]["indicators"]), errors
    with tenant_scope(a.tenant):
        assert Project.objects.count() == before


# ---------------------------------------------------------------- page parameters


@pytest.mark.parametrize("page", ["-1", "0", "abc", str(10**30), "2"])
def test_a_page_that_is_no_page_answers_400(tree, client, key, page):
    response = client.get(f"{API}/targets/indicators/", {"page": page}, **key)
    assert "page" in error_of(response)["field_errors"]


def test_a_huge_page_size_is_ignored_and_pages_stay_bounded(tree, client, key):
    with tenant_scope(tree.tenant):
        Peer.objects.bulk_create(Peer(tenant=tree.tenant, name=f"同行{i:03d}") for i in range(105))
    for params in ({"page_size": 10**9}, {"page_size": -1, "limit": 10**9}, {"page_size": "all"}):
        body = client.get(f"{API}/benchmarking/peers/", params, **key).json()
        assert len(body["results"]) == 100 and body["count"] == 105 and body["next"]


@pytest.mark.parametrize(
    "params",
    [
        {"cursor": "garbage"},
        {"cursor": "__4="},  # base64, but not of text
        {"limit": 10**9},
        {"limit": 0},
        {"limit": -1},
        {"updated_since": "2025-02-30T00:00:00"},
    ],
)
def test_hr_points_refuse_a_bad_cursor_limit_or_date(tree, client, key, params):
    error_of(client.get(f"{API}/hr/points/", {"period": "2025", **params}, **key))


@pytest.mark.parametrize("cursor", ["eyJpZCI6ICJ4In0=", "%" * 500])
def test_a_cursor_that_decodes_only_says_where_to_start_and_pages_stay_bounded(tree, client, key, cursor):
    """The cursor is the employee number to start after: any text that decodes is a place in the order."""
    response = client.get(f"{API}/hr/points/", {"period": "2025", "cursor": cursor, "limit": 5}, **key)
    assert response.status_code == 200 and len(response.json()["results"]) <= 5
