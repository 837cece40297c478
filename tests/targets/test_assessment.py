"""The annual performance assessment (纳入年度绩效考核) per indicator (by code) × unit × year: the switch on the
shortfall page and the API's assess operation, the list filter, the reports and their files, the HR API, the data
migration from the old per-row boolean, and other tenants."""

import importlib
import io
from datetime import datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.utils import timezone, translation

from insights.report_files import _sections, report_pdf, report_xlsx
from insights.reports import report_get, shortfall_reports_make
from lean import periods
from lean.apikeys import api_key_create
from lean.errors import ApplicationError
from lean.tenancy import tenant_scope
from targets import selectors, services
from targets.models import Assessment, Shortfall

from .factories import branch, make_indicator, read

HR = "/t/alpha/api/v1/hr/assessments/"


@pytest.fixture
def world(two_tenants):
    """Tenant A: uptime (A1.1) of the unit missing in January (populate) and March 2025, and in January 2026 in
    the 2026 tree (same code). populate() put the cost indicator (A1.2) of the unit in the 2025 assessment."""
    a, b = two_tenants
    with tenant_scope(a.tenant):
        read(a.lean_office, a.extra["uptime"], a.unit, "2025-03", 91)
        tree_2026 = services.tree_create(year=2026)
        goal = services.node_create(parent=branch(tree_2026), code="A1", name="安全生产", owner_unit=a.hq, weight=2)
        uptime_2026 = make_indicator(goal, "A1.1", [a.unit], target=95, name="设备可用率")
        read(a.lean_office, uptime_2026, a.unit, "2026-01", 90)
    a.extra.update(uptime_2026=uptime_2026)
    return a, b


def shortfall(a, month, indicator=None):
    indicator = indicator or (a.extra["uptime_2026"] if month.startswith("2026") else a.extra["uptime"])
    row = Shortfall.objects.get(indicator=indicator, unit=a.unit, period_start=periods.parse(month).start)
    return selectors.shortfall_get(shortfall_id=row.pk)


def assessed_months(a) -> list[str]:
    rows = list(selectors.shortfall_list(indicator=a.extra["uptime"])) + list(
        selectors.shortfall_list(indicator=a.extra["uptime_2026"])
    )
    return sorted(str(s.period) for s in rows if s.assessed)


# ---------------------------------------------------------------- the rule


def test_assessing_one_shortfall_assesses_the_indicator_and_unit_for_that_year_only(world):
    a, _b = world
    with tenant_scope(a.tenant):
        record = services.assessment_set(
            actor=a.lean_office, shortfall=shortfall(a, "2025-03"), assessed=True, note="年度考核重点"
        )
        assert (record.indicator_code, record.unit, record.year, record.note) == ("A1.1", a.unit, 2025, "年度考核重点")
        assert record.assessed_by == a.lean_office
        assert assessed_months(a) == ["2025-01", "2025-03"]  # January too; 2026 not
        assert shortfall(a, "2025-01").assessed and not shortfall(a, "2026-01").assessed
        # The same switch in 2026 is its own record; taking 2025 out leaves 2026 alone.
        services.assessment_set(actor=a.lean_office, shortfall=shortfall(a, "2026-01"), assessed=True)
        assert assessed_months(a) == ["2025-01", "2025-03", "2026-01"]
        assert services.assessment_set(actor=a.lean_office, shortfall=shortfall(a, "2025-01"), assessed=False) is None
        assert assessed_months(a) == ["2026-01"]
        assert set(Assessment.objects.values_list("indicator_code", "year")) == {("A1.1", 2026), ("A1.2", 2025)}
        # Who and when stay in the history, also of the record taken out.
        kinds = list(Assessment.history.filter(year=2025, indicator_code="A1.1").values_list("history_type", flat=True))
        assert sorted(kinds) == ["+", "-"]
        assert {h.history_user for h in Assessment.history.filter(indicator_code="A1.1")} == {a.lean_office.user}


def test_assessing_again_changes_only_the_note_and_twice_makes_one_record(world):
    a, _b = world
    with tenant_scope(a.tenant):
        first = services.assessment_set(actor=a.lean_office, shortfall=shortfall(a, "2025-01"), assessed=True)
        again = services.assessment_set(actor=a.lean_office, shortfall=shortfall(a, "2025-03"), assessed=True)
        assert again.pk == first.pk and again.note == ""
        services.assessment_set(actor=a.lean_office, shortfall=shortfall(a, "2025-03"), assessed=True, note="说明")
        assert Assessment.objects.get(pk=first.pk).note == "说明"
        services.assessment_set(actor=a.lean_office, shortfall=shortfall(a, "2025-03"), assessed=True)
        assert Assessment.objects.get(pk=first.pk).note == "说明"  # no note given: kept


def test_only_the_lean_office_assesses_and_a_bad_note_stores_nothing(world):
    a, _b = world
    with tenant_scope(a.tenant):
        before = Assessment.objects.count()
        for who in (a.manager, a.employee, a.reviewer):
            with pytest.raises(PermissionDenied):
                services.assessment_set(actor=who, shortfall=shortfall(a, "2025-01"), assessed=True)
        with pytest.raises(ApplicationError):
            services.assessment_set(
                actor=a.lean_office, shortfall=shortfall(a, "2025-01"), assessed=True, note="长" * 301
            )
        assert Assessment.objects.count() == before


# ---------------------------------------------------------------- the pages and the API


def test_the_switch_on_the_shortfall_page(world, client, login):
    a, _b = world
    with tenant_scope(a.tenant):
        march = shortfall(a, "2025-03")
    url = f"/t/alpha/targets/shortfalls/{march.pk}/"
    login(a.manager)
    assert client.post(url + "assess/", {"assessed": "1"}).status_code == 403
    login(a.lean_office)
    assert client.post(url + "assess/", {"assessed": "1", "note": "纳入考核"}).status_code == 302
    page = client.get(url)
    assert page.context["assessment"].note == "纳入考核"
    assert 'id="shortfall-assessment"' in page.content.decode() and "纳入考核" in page.content.decode()
    listed = client.get("/t/alpha/targets/shortfalls/", {"year": 2025, "assessed": "yes"}).context["page"]
    assert sorted(str(s.period) for s in listed) == ["2025-01", "2025-03"]
    not_listed = client.get("/t/alpha/targets/shortfalls/", {"year": 2026, "assessed": "yes"}).context["page"]
    assert list(not_listed) == []
    # A note too long is refused with a message, and nothing changes.
    client.post(url + "assess/", {"assessed": "0"}, follow=True)
    response = client.post(url + "assess/", {"assessed": "1", "note": "长" * 301}, follow=True)
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    with tenant_scope(a.tenant):
        assert not Assessment.objects.filter(indicator_code="A1.1").exists()


def test_the_api_assess_operation_and_filter(world, login):
    a, _b = world
    with tenant_scope(a.tenant):
        march = shortfall(a, "2025-03")
    client = login(a.lean_office)
    url = f"/t/alpha/api/v1/targets/shortfalls/{march.pk}/"
    response = client.patch(url, {"assessed": True, "assessment_note": "API"}, content_type="application/json")
    assert response.status_code == 200 and response.json()["assessed"] is True
    listed = client.get("/t/alpha/api/v1/targets/shortfalls/", {"assessed": "true"}).json()["results"]
    assert sorted(r["period"] for r in listed) == ["2025-01", "2025-03"]
    bad = client.patch(
        url, {"analysis": "写了", "assessed": False, "assessment_note": "长" * 301}, content_type="application/json"
    )
    assert bad.status_code == 400
    with tenant_scope(a.tenant):
        assert Assessment.objects.get(indicator_code="A1.1").note == "API"  # nothing half stored
        assert shortfall(a, "2025-03").analysis == ""


# ---------------------------------------------------------------- reports and files


def test_reports_show_the_assessment_as_it_is_now(world):
    a, _b = world
    with tenant_scope(a.tenant):
        services.assessment_set(actor=a.lean_office, shortfall=shortfall(a, "2025-01"), assessed=True)
        summary, *units = shortfall_reports_make(period=periods.parse("2025-Q1"))
        (unit,) = [r for r in units if r.unit_id == a.unit.pk]
        rows = {(r["code"], r["period"]): r["assessed"] for r in unit.content["target"]}
        assert rows == {("A1.1", "2025-01"): True, ("A1.1", "2025-03"): True}  # kept when made
        # Taken out after the report was made: reading the report shows it as it is now.
        services.assessment_set(actor=a.lean_office, shortfall=shortfall(a, "2025-01"), assessed=False)
        shown = report_get(viewer=a.lean_office, report_id=unit.pk)
        assert {r["assessed"] for r in shown.content["target"]} == {False}
        services.assessment_set(actor=a.lean_office, shortfall=shortfall(a, "2025-03"), assessed=True)
        shown = report_get(viewer=a.lean_office, report_id=unit.pk)
        assert {r["assessed"] for r in shown.content["target"]} == {True}
        summary = report_get(viewer=a.lean_office, report_id=summary.pk)
        assert {r["assessed"] for r in summary.content["worst"]} == {True}
        with translation.override("en"):
            heading, headers, table, _note = _sections(shown)[0]
            assert headers[9] == "In the assessment" and {row[9] for row in table} == {"yes"}
            assert "In the assessment" in _sections(summary)[1][1]
            from openpyxl import load_workbook

            sheet = load_workbook(io.BytesIO(report_xlsx(shown))).active
            values = [[c.value for c in row] for row in sheet.iter_rows()]
            header = next(row for row in values if row and row[0] == "Indicator")
            assert header[9] == "In the assessment"
            assert report_pdf(shown).startswith(b"%PDF")


def test_the_report_page_and_download_show_the_mark(world, client, login):
    a, _b = world
    with tenant_scope(a.tenant):
        services.assessment_set(actor=a.lean_office, shortfall=shortfall(a, "2025-03"), assessed=True)
        reports = shortfall_reports_make(period=periods.parse("2025-03"))
        unit = next(r for r in reports if r.unit_id == a.unit.pk)
    login(a.manager)
    page = client.get(f"/t/alpha/targets/reports/{unit.pk}/")
    assert page.status_code == 200
    (uptime,) = [r for r in unit.content["target"] if r["code"] == "A1.1"]
    row = page.content.decode().split(f'data-shortfall="{uptime["shortfall_id"]}"')[1]
    assert "text-bg-warning" in row.split("</tr>")[0]  # the ASSESSED badge
    assert client.get(f"/t/alpha/targets/reports/{unit.pk}/xlsx/").status_code == 200


def test_the_dashboard_tile_counts_the_assessed_shortfalls_with_a_link(world, client, login):
    a, _b = world
    with tenant_scope(a.tenant):
        services.assessment_set(actor=a.lean_office, shortfall=shortfall(a, "2025-03"), assessed=True)
    login(a.lean_office)
    client.cookies.load({"django_language": "en"})
    data = client.get("/t/alpha/dashboard/tiles/shortfalls.json", {"year": 2025}).json()
    (table,) = data["tables"]
    assert table["columns"][-1] == "In the assessment"
    (unit_row,) = [r for r in table["rows"] if r[0]["text"] == a.unit.name]
    assert unit_row[-1]["text"] == "2" and "assessed=yes" in unit_row[-1]["href"]  # January and March 2025


# ---------------------------------------------------------------- the HR API


def key(ts, scopes):
    with tenant_scope(ts.tenant):
        return Client(HTTP_AUTHORIZATION=f"Bearer {api_key_create(actor=ts.lean_office, name='hr', scopes=scopes)[1]}")


def test_hr_reads_the_assessment_of_a_year_with_its_scope_only(world):
    a, b = world
    with tenant_scope(a.tenant):
        services.assessment_set(actor=a.lean_office, shortfall=shortfall(a, "2025-03"), assessed=True, note="重点")
        services.assessment_set(actor=a.lean_office, shortfall=shortfall(a, "2026-01"), assessed=True)
    hr = key(a, ["hr:read"])
    body = hr.get(HR, {"year": 2025}).json()
    assert body["next_cursor"] is None
    assert [(r["indicator_code"], r["unit_code"], r["year"]) for r in body["results"]] == [
        ("A1.2", "U1", 2025),  # in the order they were made
        ("A1.1", "U1", 2025),
    ]
    uptime = next(r for r in body["results"] if r["indicator_code"] == "A1.1")
    assert uptime["indicator_name"] == "设备可用率" and uptime["note"] == "重点"
    assert uptime["assessed_by"] == a.lean_office.employee_number
    assert [r["indicator_code"] for r in hr.get(HR, {"year": 2026}).json()["results"]] == ["A1.1"]
    assert hr.get(HR, {"year": 1999}).status_code == 400
    assert hr.get(HR, {"cursor": "%%%"}).status_code == 400
    # Without the scope: refused, named.
    refused = key(a, ["targets:read", "hr:write"]).get(HR, {"year": 2025})
    assert refused.status_code == 403 and refused.json()["code"] == "missing_scope"
    # Another tenant's key, or tenant B's own records: never A's.
    assert key(b, ["hr:read"]).get(HR, {"year": 2025}).status_code == 404
    theirs = key(b, ["hr:read"]).get("/t/beta/api/v1/hr/assessments/", {"year": 2025}).json()["results"]
    assert [(r["indicator_code"], r["unit_code"]) for r in theirs] == [("A1.2", "U1")]


def test_hr_pages_by_cursor_in_the_same_number_of_queries(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    a, _b = world
    hr = key(a, ["hr:read"])
    hr.get(HR, {"year": 2025})  # the key's first use writes its last-used time
    with CaptureQueriesContext(connection) as small:
        assert hr.get(HR, {"year": 2025}).status_code == 200
    with tenant_scope(a.tenant):
        now = timezone.now()
        Assessment.objects.bulk_create(
            [
                Assessment(
                    tenant=a.tenant,
                    indicator_code=f"X{i}",
                    unit=a.unit,
                    year=2025,
                    assessed_by=a.lean_office,
                    assessed_at=now,
                )
                for i in range(40)
            ]
        )
    with CaptureQueriesContext(connection) as large:
        first = hr.get(HR, {"year": 2025, "limit": 30}).json()
    assert len(large) == len(small)
    assert len(first["results"]) == 30 and first["next_cursor"]
    rest = hr.get(HR, {"year": 2025, "limit": 30, "cursor": first["next_cursor"]}).json()
    assert len(rest["results"]) == 11 and rest["next_cursor"] is None
    codes = [r["indicator_code"] for r in first["results"] + rest["results"]]
    assert len(set(codes)) == 41


def test_the_schema_documents_the_operation_and_its_scope(tenant_a, login):
    schema = login(tenant_a.lean_office).get("/t/alpha/api/v1/schema/", {"format": "json"}).json()
    operation = schema["paths"]["/t/{tenant_slug}/api/v1/hr/assessments/"]["get"]
    assert operation["operationId"] == "hr_assessments_list"
    assert "hr:read" in operation["description"]
    assert {"year", "unit", "cursor", "limit"} <= {p["name"] for p in operation["parameters"]}


# ---------------------------------------------------------------- the data migration


def test_the_data_migration_makes_one_record_per_code_unit_and_year_with_who_and_when():
    migration = importlib.import_module("targets.migrations.0005_assessment")
    t = [timezone.make_aware(datetime(2025, 3, 1, 9)) + timedelta(days=d) for d in range(6)]
    shortfalls = [
        (1, "A1.1", 10, 2025, t[5]),  # turned assessed at t1 by user 7, changed later
        (2, "A1.1", 10, 2025, t[5]),  # same code, unit and year: one record, the earliest moment
        (3, "A1.1", 10, 2026, t[5]),  # another year: its own record; no history: its updated_at, nobody
        (4, "A1.1", 11, 2025, t[5]),  # another unit
    ]
    history = [
        (1, t[0], 7, False),
        (1, t[1], 7, True),
        (1, t[4], 8, True),  # an analysis saved later, still assessed: not a new moment
        (2, t[0], 7, True),
        (2, t[2], 8, False),
        (2, t[3], 8, True),  # out and in again: counts from t3
        (4, t[2], 99, True),  # a user with no membership in the tenant
    ]
    records = migration.assessments_from(shortfalls, history, {7: 70, 8: 80})
    assert records == {
        ("A1.1", 10, 2025): (t[1], 70),
        ("A1.1", 10, 2026): (t[5], None),
        ("A1.1", 11, 2025): (t[2], None),
    }
