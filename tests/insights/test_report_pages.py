"""The shortfall report pages: the list by period, a unit's report and the summary, who sees which, the
downloads, and the query counts of the list at two sizes."""

import io
from datetime import date

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from insights.models import ShortfallReport
from insights.reports import shortfall_reports_make
from lean import periods
from lean.services import unit_create
from lean.tenancy import tenant_scope
from tests.targets.factories import make_indicator, make_targets, read

BASE = "/t/alpha/targets/reports"
PERIOD = periods.parse("2025-01")


@pytest.fixture
def data(tenant_a, client, settings):
    """make_targets' tree (设备可用率 missed in 2025-01 by the unit), a sibling unit with its own miss, and the
    reports of 2025-01: the summary, the unit's and the sibling's."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    ts = tenant_a
    with tenant_scope(ts.tenant):
        make_targets(ts)
        other = unit_create(name="二分公司", code="U2", parent=ts.hq)
        throughput = make_indicator(ts.extra["goal"], "A1.3", [other], target=50, name="吞吐量")
        read(ts.lean_office, throughput, other, "2025-01", 40)
        reports = shortfall_reports_make(period=PERIOD)
    by_unit = {r.unit_id: r for r in reports}
    ts.extra.update(other=other, summary=by_unit[None], own=by_unit[ts.unit.pk], sibling=by_unit[other.pk])
    return ts


def url(report, suffix=""):
    return f"{BASE}/{report.pk}/{suffix}"


ROLE_TABLE = {
    #              list, own unit, sibling, summary, own xlsx, summary pdf
    "lean_office": (200, 200, 200, 200, 200, 200),
    "manager": (200, 200, 404, 404, 200, 404),
    "reviewer": (403, 403, 403, 403, 403, 403),
    "employee": (403, 403, 403, 403, 403, 403),
}


@pytest.mark.parametrize("role", list(ROLE_TABLE))
def test_who_sees_which_report(client, data, login, role):
    login(getattr(data, role))
    got = (
        client.get(f"{BASE}/").status_code,
        client.get(url(data.extra["own"])).status_code,
        client.get(url(data.extra["sibling"])).status_code,
        client.get(url(data.extra["summary"])).status_code,
        client.get(url(data.extra["own"], "xlsx/")).status_code,
        client.get(url(data.extra["summary"], "pdf/")).status_code,
    )
    assert got == ROLE_TABLE[role]


def test_the_list_shows_the_periods_with_their_units(client, data, login):
    login(data.lean_office)
    page = client.get(f"{BASE}/").content.decode()
    assert 'data-period="2025-01"' in page
    assert f'data-report="{data.extra["own"].pk}"' in page and f'data-report="{data.extra["sibling"].pk}"' in page
    assert url(data.extra["summary"]) in page
    login(data.manager)
    page = client.get(f"{BASE}/").content.decode()
    assert f'data-report="{data.extra["own"].pk}"' in page
    assert f'data-report="{data.extra["sibling"].pk}"' not in page and url(data.extra["summary"]) not in page
    assert "二分公司" not in page


def test_a_units_report_shows_its_shortfalls_with_badges_and_links(client, data, login):
    login(data.manager)
    own = data.extra["own"]
    page = client.get(url(own)).content.decode()
    assert "设备可用率" in page and "吞吐量" not in page
    shortfall_id = own.content["target"][0]["shortfall_id"]
    assert f"/t/alpha/targets/shortfalls/{shortfall_id}/" in page
    assert "NEW" in page and "UNCOVERED" in page  # the first report: everything is new; no project attacks it
    assert "90" in page and "95" in page  # actual and target
    assert url(own, "xlsx/") in page and url(own, "pdf/") in page


def test_the_summary_lists_the_units(client, data, login):
    login(data.lean_office)
    page = client.get(url(data.extra["summary"])).content.decode()
    assert 'id="summary-units"' in page
    assert url(data.extra["own"]) in page and url(data.extra["sibling"]) in page


def test_an_all_on_target_report(client, data, login):
    with tenant_scope(data.tenant):
        report = ShortfallReport(tenant=data.tenant, unit=data.team, all_on_target=True, content={"kind": "unit"})
        report.period = periods.parse("2025-02")
        report.save()
    login(data.manager)
    page = client.get(url(report)).content.decode()
    assert "All indicators on target" in page and 'id="target-shortfalls"' not in page
    assert "all on target" in client.get(f"{BASE}/").content.decode()


def test_the_downloads(client, data, login):
    login(data.manager)
    own = data.extra["own"]
    response = client.get(url(own, "xlsx/"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response["Content-Disposition"] == 'attachment; filename="shortfall-report-2025-01-U1.xlsx"'
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    cells = [str(c) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for c in row if c]
    assert any("设备可用率" in c for c in cells)
    response = client.get(url(own, "pdf/"))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert response["Content-Disposition"] == 'attachment; filename="shortfall-report-2025-01-U1.pdf"'
    login(data.lean_office)
    response = client.get(url(data.extra["summary"], "pdf/"))
    assert response.content.startswith(b"%PDF")
    assert response["Content-Disposition"] == 'attachment; filename="shortfall-report-2025-01-summary.pdf"'


def test_a_non_ascii_unit_code_gets_an_encoded_filename(client, data, login):
    with tenant_scope(data.tenant):
        unit = unit_create(name="三分公司", code="三号", parent=data.hq)
        report = ShortfallReport(tenant=data.tenant, unit=unit, all_on_target=True, content={"kind": "unit"})
        report.period = PERIOD
        report.save()
    login(data.lean_office)
    response = client.get(url(report, "xlsx/"))
    assert response.status_code == 200
    assert "filename*=utf-8''shortfall-report-2025-01-%E4%B8%89%E5%8F%B7.xlsx" in response["Content-Disposition"]


def add_period_reports(ts, units, months):
    """Reports straight into the table: `months` periods × every unit in `units`, with a summary each."""
    with tenant_scope(ts.tenant):
        rows = []
        for month in months:
            period = periods.Period(date(2024, month, 1), periods.MONTH)
            for unit in [None, *units]:
                report = ShortfallReport(
                    tenant=ts.tenant,
                    unit=unit,
                    shortfalls=month,
                    new=1,
                    uncovered=1,
                    content={"kind": "summary", "totals": {"units": len(units)}, "units": []}
                    if unit is None
                    else {"kind": "unit"},
                )
                report.period = period
                rows.append(report)
        ShortfallReport.objects.bulk_create(rows)


@pytest.mark.parametrize("role", ["lean_office", "manager"])
def test_the_list_queries_are_bounded(client, tenant_a, login, role):
    ts = tenant_a
    with tenant_scope(ts.tenant):
        units = [ts.unit, ts.team]
        more = [unit_create(name=f"班组{i}", code=f"U1-T{i + 2}", parent=ts.unit) for i in range(5)]
    add_period_reports(ts, units, [1])
    login(getattr(ts, role))

    def count():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"{BASE}/")
            assert response.status_code == 200
        return len(queries), response.content.decode().count("data-report=")

    small, shown = count()
    add_period_reports(ts, units + more, [2, 3, 4, 5, 6, 7, 8])
    large, shown_large = count()
    assert large == small and shown_large > shown
