"""Shortfall reports: contents on known data (exact figures), idempotency (twice, and two runs at once), a
failure mid-job leaving nothing, bounded queries, sending, visibility, and the xlsx and PDF files."""

import io
import threading
from decimal import Decimal

import pytest
from django.core import mail
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from benchmarking import services as bm
from insights.models import ShortfallReport
from insights.report_files import report_pdf, report_xlsx
from insights.reports import default_report_period, report_get, report_list, shortfall_reports_make
from lean import periods
from lean.models import Notification, Unit
from lean.tenancy import tenant_scope
from projects import services as ps
from scheduling.models import JobRun
from scheduling.services import run_job
from targets.models import Indicator, IndicatorTarget, IndicatorUnit, Reading, Shortfall, TargetNode
from targets.services import shortfall_refresh, tree_create
from tests.factories import make_member
from tests.targets.factories import branch, make_indicator, read

FEB = periods.parse("2025-02")


def build(ts):
    """On top of populate(ts): January and February readings for the unit (uptime short both months and linked
    to the project in February too; cost short in February only), a team indicator always on target, and four
    outside peers that put the unit's February uptime in the worst quartile."""
    x = ts.extra
    team_score = make_indicator(x["goal"], "A1.3", [ts.team], target=50, name="班组5S得分", measure_unit="分")
    for month in ("2025-01", "2025-02"):
        read(ts.lean_office, team_score, ts.team, month, 60)
    read(ts.lean_office, x["uptime"], ts.unit, "2025-02", 92)
    read(ts.lean_office, x["cost"], ts.unit, "2025-02", 120)
    peers = [bm.peer_save(actor=ts.lean_office, name=f"对标电厂{n}", kind="enterprise") for n in range(4)]
    bm.peer_values_save(
        actor=ts.lean_office,
        items=[
            bm.ValueInput(benchmark=x["benchmark"], peer=peer, period=FEB, value=Decimal(value), source="年报")
            for peer, value in zip(peers, (97, 98, 99, 100), strict=True)
        ],
    )
    feb_uptime = Shortfall.objects.get(indicator=x["uptime"], period_start=FEB.start, source="target")
    january = Shortfall.objects.filter(indicator=x["uptime"], period_start=periods.parse("2025-01").start)
    ps.shortfalls_set(actor=ts.manager, project=x["project"], shortfalls=[*january, feb_uptime])


@pytest.fixture
def data(two_tenants):
    a, b = two_tenants
    with tenant_scope(a.tenant):
        build(a)
    return a, b


def by_unit(reports):
    return {r.unit_id: r for r in reports}


def test_default_period_is_the_previous_month_or_quarter():
    from datetime import date

    assert str(default_report_period(date(2026, 10, 5), "monthly")) == "2026-09"
    assert str(default_report_period(date(2026, 1, 5), "monthly")) == "2025-12"
    assert str(default_report_period(date(2026, 10, 5), "quarterly")) == "2026-Q3"
    assert str(default_report_period(date(2026, 2, 20), "quarterly")) == "2025-Q4"


def test_report_contents_exact_figures(data, django_capture_on_commit_callbacks):
    a, b = data
    with tenant_scope(a.tenant):
        january = shortfall_reports_make(period=periods.parse("2025-01"))
        reports = shortfall_reports_make(period=FEB)
        summary, units = reports[0], by_unit(reports[1:])
        assert summary.unit is None
        assert set(units) == {a.unit.pk, a.team.pk}
        assert len(january) == 3

        unit = units[a.unit.pk]
        content = unit.content
        # The project covers uptime (A1.1) of the unit over its span: the target and the benchmark shortfall.
        assert (unit.shortfalls, unit.new, unit.uncovered, unit.all_on_target) == (3, 2, 1, False)
        assert content["trend_periods"] == ["2024-09", "2024-10", "2024-11", "2024-12", "2025-01", "2025-02"]
        assert content["previous"]["period"] == "2025-01"
        uptime, cost = content["target"]
        assert {k: uptime[k] for k in ("code", "measure_unit", "actual", "target", "gap", "achievement")} == {
            "code": "A1.1",
            "measure_unit": "%",
            "actual": "92",
            "target": "95",
            "gap": "3",
            "achievement": "0.9684",
        }
        assert (uptime["new"], uptime["uncovered"]) == (False, False)  # in January's report; a project attacks it
        assert [p["achievement"] for p in uptime["trend"]] == [None, None, None, None, "0.9474", "0.9684"]
        assert [p["actual"] for p in uptime["trend"]][-2:] == ["90", "92"]
        assert (cost["code"], cost["actual"], cost["target"], cost["gap"], cost["achievement"]) == (
            "A1.2",
            "120",
            "100",
            "20",
            "0.8333",
        )
        assert (cost["new"], cost["uncovered"]) == (True, True)
        assert [p["achievement"] for p in cost["trend"]][-2:] == ["1.25", "0.8333"]  # lower is better

        (bench,) = content["benchmark"]
        assert {
            k: bench[k]
            for k in ("code", "quartile", "actual", "median", "gap_to_median", "best", "gap_to_best", "rank")
        } == {
            "code": "A1.1",
            "quartile": 4,
            "actual": "92",
            "median": "98",
            "gap_to_median": "6",
            "best": "100",
            "gap_to_best": "8",
            "rank": 5,
        }
        assert (bench["participants"], bench["new"], bench["uncovered"]) == (5, True, False)
        assert content["best_available"] is True

        team = units[a.team.pk]
        assert (team.all_on_target, team.shortfalls, team.content["target"], team.content["benchmark"]) == (
            True,
            0,
            [],
            [],
        )

        totals = summary.content["totals"]
        assert totals == {
            "units": 2,
            "units_short": 1,
            "units_on_target": 1,
            "shortfalls": 3,
            "target": 2,
            "benchmark": 1,
            "new": 2,
            "uncovered": 1,
        }
        assert (summary.shortfalls, summary.new, summary.uncovered) == (3, 2, 1)
        assert [u["code"] for u in summary.content["units"]] == ["U1", "U1-T1"]
        assert [(w["code"], w["achievement"]) for w in summary.content["worst"]] == [
            ("A1.2", "0.8333"),
            ("A1.1", "0.9684"),
        ]
        assert summary.content["units"][0]["report_id"] == unit.pk
    with tenant_scope(b.tenant):
        assert not ShortfallReport.objects.filter(period_start=FEB.start).exists()  # the other tenant is untouched


def test_first_report_has_everything_new(data):
    a, _b = data
    with tenant_scope(a.tenant):
        reports = by_unit(shortfall_reports_make(period=FEB)[1:])
        unit = reports[a.unit.pk]
        assert unit.new == unit.shortfalls == 3
        assert unit.content["previous"] is None


def test_the_same_job_twice_makes_one_set(data):
    a, _b = data
    first = run_job(job="shortfall_report", tenant=a.tenant, period="2025-02")
    second = run_job(job="shortfall_report", tenant=a.tenant, period="2025-02")
    assert (first.status, second.status) == ("finished", "finished")
    assert first.result["created"] is True and second.result["created"] is False
    assert first.result == {**second.result, "created": True}
    assert first.result["reports"] == 3
    with tenant_scope(a.tenant):
        february = ShortfallReport.objects.filter(period_start=FEB.start)
        assert february.count() == 3
        assert set(february.values_list("run_id", flat=True)) == {first.pk}


def test_quarter_report_holds_the_months_shortfalls(data):
    a, _b = data
    with tenant_scope(a.tenant):
        reports = shortfall_reports_make(period=periods.parse("2025-Q1"))
        unit = by_unit(reports[1:])[a.unit.pk]
        assert sorted(r["period"] for r in unit.content["target"]) == ["2025-01", "2025-02", "2025-02"]
        assert unit.content["trend_periods"][-1] == "2025-Q1"


def test_injected_failure_leaves_no_report_and_a_failed_run(data, monkeypatch):
    a, _b = data
    with tenant_scope(a.tenant):
        notifications = Notification.objects.count()

    def explode(*args, **kwargs):
        raise RuntimeError("mail relay exploded")

    monkeypatch.setattr("insights.reports.making._send", explode)
    run = run_job(job="shortfall_report", tenant=a.tenant, period="2025-02")
    assert run.status == JobRun.Status.FAILED
    assert "mail relay exploded" in run.error
    with tenant_scope(a.tenant):
        assert not ShortfallReport.objects.filter(period_start=FEB.start).exists()
        assert Notification.objects.count() == notifications
        assert JobRun.objects.get(pk=run.pk).status == "failed"
    monkeypatch.undo()
    retry = run_job(job="shortfall_report", tenant=a.tenant, period="2025-02")
    assert retry.status == "finished" and retry.result["created"] is True
    with tenant_scope(a.tenant):
        assert ShortfallReport.objects.filter(period_start=FEB.start).count() == 3


def test_reports_are_sent_to_managers_and_the_lean_office(data, settings, django_capture_on_commit_callbacks):
    a, _b = data
    settings.EMAIL_HOST = "localhost"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    a.manager.user.email = "manager@example.com"
    a.manager.user.save()
    a.lean_office.user.email = "office@example.com"
    a.lean_office.user.save()
    # The texts a job writes are in the tenant's language: English here, to read the figures plainly.
    a.tenant.default_language = "en"
    a.tenant.save()
    with tenant_scope(a.tenant):
        before = list(Notification.objects.values_list("pk", flat=True))
    with django_capture_on_commit_callbacks(execute=True):
        run = run_job(job="shortfall_report", tenant=a.tenant, period="2025-02")
    assert run.status == "finished"
    with tenant_scope(a.tenant):
        sent = Notification.objects.exclude(pk__in=before)
        assert sorted(n.title for n in sent.filter(recipient=a.manager)) == [
            f"Shortfall report 2025-02: {a.unit.name}",
            f"Shortfall report 2025-02: {a.team.name}",
        ]
        office = sent.get(recipient=a.lean_office)
        assert office.title == "Shortfall reports 2025-02: summary"
        assert office.body == "2 unit(s): 1 with shortfalls (3, 3 new, 1 uncovered)."
        assert sent.count() == 3
    recipients = sorted(address for message in mail.outbox for address in message.to)
    assert recipients == ["manager@example.com", "manager@example.com", "office@example.com"]
    # a second run sends nothing
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        run_job(job="shortfall_report", tenant=a.tenant, period="2025-02")
    assert mail.outbox == []


def test_visibility(data):
    a, _b = data
    with tenant_scope(a.tenant):
        reports = shortfall_reports_make(period=FEB)
        summary, unit_report = reports[0], by_unit(reports[1:])[a.unit.pk]
        assert report_list(viewer=a.lean_office).filter(period_start=FEB.start).count() == 3
        assert set(report_list(viewer=a.manager).filter(period_start=FEB.start)) == set(reports[1:])
        assert report_get(viewer=a.manager, report_id=unit_report.pk) == unit_report
        for viewer in (a.employee, a.reviewer):
            assert not report_list(viewer=viewer).exists()  # not even other periods
            with pytest.raises(Http404):
                report_get(viewer=viewer, report_id=unit_report.pk)
        with pytest.raises(Http404):
            report_get(viewer=a.manager, report_id=summary.pk)
        team_manager = make_member(a.team, ["unit_manager"])
        assert [r.unit_id for r in report_list(viewer=team_manager).filter(period_start=FEB.start)] == [a.team.pk]


def _bulk(ts, count: int, units=None):
    """`count` indicators for the unit and the team, each missed in 2024-01 by both (bulk inserts)."""
    tree = tree_create(year=2024)
    root = branch(tree)
    nodes = TargetNode.objects.bulk_create(
        [
            TargetNode(
                tenant=ts.tenant,
                tree=tree,
                parent=root,
                branch="core",
                code=f"B{i}",
                name=f"指标{i}",
                owner_unit=ts.unit,
                path="",
            )
            for i in range(count)
        ]
    )
    for node in nodes:
        node.path = f"{root.path}{node.pk:010d}/"
    TargetNode.objects.bulk_update(nodes, ["path"])
    indicators = Indicator.objects.bulk_create([Indicator(tenant=ts.tenant, node=n, measure_unit="%") for n in nodes])
    period = periods.parse("2024-01")
    links, targets, readings = [], [], []
    for indicator in indicators:
        target = IndicatorTarget(tenant=ts.tenant, indicator=indicator, value=100)
        target.period = period
        targets.append(target)
        for unit in units or (ts.unit, ts.team):
            links.append(IndicatorUnit(tenant=ts.tenant, indicator=indicator, unit=unit))
            reading = Reading(tenant=ts.tenant, indicator=indicator, unit=unit, value=90)
            reading.period = period
            readings.append(reading)
    IndicatorUnit.objects.bulk_create(links)
    IndicatorTarget.objects.bulk_create(targets)
    Reading.objects.bulk_create(readings)
    shortfall_refresh(indicator_ids=[i.pk for i in indicators])


def test_query_count_does_not_grow_with_indicators(tenant_a, tenant_b):
    counts = []
    for ts, size in ((tenant_a, 3), (tenant_b, 60)):
        with tenant_scope(ts.tenant):
            _bulk(ts, size)
            with CaptureQueriesContext(connection) as queries:
                reports = shortfall_reports_make(period=periods.parse("2024-01"))
            assert reports[0].shortfalls == 2 * size
            counts.append(len(queries))
    assert counts[0] == counts[1]


def test_query_count_does_not_grow_with_units(tenant_a, tenant_b):
    from lean.models import Role
    from lean.services import unit_create

    counts = []
    for ts, extra in ((tenant_a, 0), (tenant_b, 12)):
        with tenant_scope(ts.tenant):
            more = [unit_create(name=f"新单位{i}", code=f"N{i}", parent=ts.hq) for i in range(extra)]
            managers = [make_member(unit, [Role.UNIT_MANAGER], number=f"M{i}") for i, unit in enumerate(more)]
            _bulk(ts, 3, units=[ts.unit, ts.team, *more])
            with CaptureQueriesContext(connection) as queries:
                reports = shortfall_reports_make(period=periods.parse("2024-01"))
            assert len(reports) == 1 + 2 + extra
            counts.append(len(queries))
            for manager in managers:  # each new unit's manager hears of their own unit's report only
                assert list(Notification.objects.filter(recipient=manager).values_list("title", flat=True)) == [
                    translation.gettext("Shortfall report %(period)s: %(unit)s")
                    % {"period": periods.parse("2024-01").label, "unit": manager.unit.name}
                ]
    assert counts[0] == counts[1]


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_make_one_set(tenant_a):
    from tests.targets.factories import make_targets

    with tenant_scope(tenant_a.tenant):
        make_targets(tenant_a)
    barrier = threading.Barrier(2)
    runs, errors = [], []

    def work():
        try:
            barrier.wait(timeout=10)
            runs.append(run_job(job="shortfall_report", tenant=tenant_a.tenant, period="2025-01"))
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert sorted(run.result["created"] for run in runs) == [False, True]
    assert {run.status for run in runs} == {"finished"}
    with tenant_scope(tenant_a.tenant):
        assert ShortfallReport.objects.count() == 2  # the unit and the summary
        assert ShortfallReport.objects.filter(unit=None).count() == 1


def test_xlsx_has_the_rows_and_keeps_formulas_as_text(data):
    from openpyxl import load_workbook

    a, _b = data
    with tenant_scope(a.tenant), translation.override("en"):
        Unit.objects.filter(pk=a.unit.pk).update(name='=HYPERLINK("http://evil","1")')
        reports = shortfall_reports_make(period=FEB)
        summary, unit = reports[0], by_unit(reports[1:])[a.unit.pk]
        sheet = load_workbook(io.BytesIO(report_xlsx(unit))).active
        rows = [[c.value for c in row] for row in sheet.iter_rows()]
        cells = {c.coordinate: c for row in sheet.iter_rows() for c in row}
        assert rows[0][0] == "Shortfall report"
        assert rows[1][:2] == ["Period", "2025-02"]
        assert rows[2][:2] == ["Unit", '=HYPERLINK("http://evil","1")']
        assert cells["B3"].data_type == "s"  # text, not a formula
        texts = [row[0] for row in rows]
        assert "Target shortfalls" in texts and "Benchmark shortfalls" in texts
        uptime = next(row for row in rows if row[0] == "A1.1 设备可用率")
        # new (first report), covered, not in the assessment
        assert uptime[1:10] == ["%", "2025-02", 92, 95, 3, 0.9684, "yes", None, None]
        assert uptime[10:16] == [None, None, None, None, 0.9474, 0.9684]
        cost = next(row for row in rows if row[0] == "A1.2 单位成本")
        assert cost[3:10] == [120, 100, 20, 0.8333, "yes", "yes", "yes"]  # populate() put A1.2 in the assessment
        summary_sheet = load_workbook(io.BytesIO(report_xlsx(summary))).active
        summary_rows = [[c.value for c in row] for row in summary_sheet.iter_rows()]
        assert ["U1", '=HYPERLINK("http://evil","1")', 3, 2, 1, 3, 1, None, None] in summary_rows


def test_pdf_is_a_pdf(data):
    a, _b = data
    with tenant_scope(a.tenant):
        reports = shortfall_reports_make(period=FEB)
        for report in reports:
            pdf = report_pdf(report)
            assert pdf.startswith(b"%PDF")
            assert len(pdf) > 1000
            assert b"STSong-Light" in pdf  # the built-in Chinese font


def test_pdf_text_keeps_to_the_fonts_glyphs():
    from insights.report_files import _pdf

    # The CID font has no Latin middle dot or subscript digits: they would print as empty boxes.
    assert _pdf("期间: 2026-10 · 单位 kgCO₂/kWh m² <b>") == "期间: 2026-10 ・ 单位 kgCO2/kWh m2 &lt;b&gt;"
