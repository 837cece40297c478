"""The dynamic query (动态查询): each measure's figures on known data, groupings refused where meaningless, the
scope of a unit manager, saved queries, exports, permissions, tenant isolation and bounded query counts."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from innovation.models import Contribution, ContributionType, RuleVersion
from innovation.services import scoring
from insights.models import SavedQuery
from insights.query import measures as m
from insights.query.selectors import query_run
from lean import periods
from lean.services import unit_create
from lean.tenancy import tenant_scope
from projects.models import BenefitSignoff, Project, State, Tier
from targets import services
from targets.models import Branch, Reading, Shortfall
from tests.factories import make_member
from tests.targets.factories import branch, make_indicator

D = Decimal


def url(ts, name, **kwargs):
    return reverse(name, kwargs={"tenant_slug": ts.tenant.slug, **kwargs})


def reading(ts, indicator, unit, period, value, target):
    row = Reading(tenant=ts.tenant, indicator=indicator, unit=unit, value=D(value), target=target)
    row.period = periods.parse(period)
    row.save()


def shortfall(ts, indicator, unit, period, *, source=Shortfall.Source.TARGET, resolved=False):
    row = Shortfall(
        tenant=ts.tenant,
        indicator=indicator,
        unit=unit,
        source=source,
        actual=D(90),
        target=D(100),
        gap=D(10),
        achievement=D("0.9"),
        resolved=resolved,
    )
    row.period = periods.parse(period)
    row.save()


def contribution(ts, code, unit, day, points, status=Contribution.Status.VERIFIED):
    return Contribution.objects.create(
        tenant=ts.tenant,
        type=ContributionType.objects.get(code=code),
        unit=unit,
        title="改善",
        occurred_on=day,
        status=status,
        points=D(points),
        rule_version=RuleVersion.objects.order_by("pk").first(),
    )


def project(ts, unit, tier, year, state, benefit=None, signed=True):
    """A project row; a verified benefit is signed off by finance (财务核验) unless `signed` is False."""
    made = Project.objects.create(
        tenant=ts.tenant,
        code=f"P{Project.objects.count() + 1}",
        title="课题",
        tier=tier,
        unit=unit,
        year=year,
        state=state,
        problem="问题",
        verified_benefit=benefit,
        created_by=ts.manager,
    )
    if benefit is not None and signed:
        BenefitSignoff.objects.create(
            tenant=ts.tenant,
            project=made,
            status=BenefitSignoff.Status.SIGNED,
            amount=benefit,
            basis="财务核定",
            signed_by=ts.lean_office,
            signed_at=timezone.now(),
        )
    return made


def build(ts):
    """Known data: HQ › U1 › team, HQ › U2. Run inside the tenant's scope."""
    ts.extra["unit2"] = unit2 = unit_create(name="乙二分公司", code="U2", parent=ts.hq)
    tree = services.tree_create(year=2025)
    core = services.node_create(parent=branch(tree, Branch.CORE), code="G1", name="核心", owner_unit=ts.hq)
    support = services.node_create(parent=branch(tree, Branch.SUPPORT), code="G2", name="后台", owner_unit=ts.hq)
    higher = make_indicator(core, "G1.1", [ts.unit, unit2], name="可用率")
    lower = make_indicator(support, "G2.1", [ts.team, unit2], direction="lower", name="成本")
    reading(ts, higher, ts.unit, "2025-01", 90, D(100))  # 0.9
    reading(ts, higher, ts.unit, "2025-02", 110, D(100))  # 1.1
    reading(ts, higher, unit2, "2025-01", 80, D(100))  # 0.8
    reading(ts, lower, ts.team, "2025-04", 50, D(40))  # 40 / 50 = 0.8
    reading(ts, lower, unit2, "2025-04", 0, D(40))  # no achievement (lower is better, actual 0)
    reading(ts, higher, unit2, "2025-05", 50, None)  # no target
    shortfall(ts, higher, ts.unit, "2025-01")
    shortfall(ts, higher, unit2, "2025-01")
    shortfall(ts, lower, ts.team, "2025-04")
    shortfall(ts, higher, ts.unit, "2025-02", source=Shortfall.Source.BENCHMARK)
    shortfall(ts, higher, unit2, "2025-03", resolved=True)  # not counted
    scoring.innovation_setup()
    contribution(ts, "opl", ts.unit, date(2025, 3, 10), "10.50")
    contribution(ts, "qc", ts.team, date(2025, 4, 1), "20.00")
    contribution(ts, "opl", unit2, date(2025, 7, 1), "5.25")
    contribution(ts, "opl", unit2, date(2025, 7, 2), "100", status=Contribution.Status.SUBMITTED)  # not counted
    project(ts, ts.unit, Tier.HQ, 2025, State.IN_PROGRESS)
    project(ts, ts.team, Tier.UNIT, 2025, State.CLOSED, D("1000.00"))
    project(ts, unit2, Tier.UNIT, 2026, State.FILED, D("250.50"))
    project(ts, unit2, Tier.HQ, 2025, State.DRAFT)  # not counted
    return ts


@pytest.fixture
def data(tenant_a):
    with tenant_scope(tenant_a.tenant):
        return build(tenant_a)


def run(ts, measure, grouping, root=None, **kwargs):
    with tenant_scope(ts.tenant):
        result = query_run(measure=m.MEASURES[measure], grouping=grouping, root=root or ts.hq, **kwargs)
    return [(row.label, row.value, row.rows) for row in result.rows], (result.total, result.total_rows)


# ---------------------------------------------------------------- each measure's figures


def test_achievement_by_unit_branch_and_quarter(data):
    ts = data
    u1, u2 = ts.unit.name, ts.extra["unit2"].name
    assert run(ts, "achievement", m.UNIT) == ([(u1, D("93.3"), 3), (u2, D("80.0"), 1)], (D("90.0"), 4))
    rows, _total = run(ts, "achievement", m.BRANCH)
    assert [(str(label), value) for label, value, _n in rows] == [
        (str(Branch.CORE.label), D("93.3")),
        (str(Branch.SUPPORT.label), D("80.0")),
    ]
    rows, _total = run(ts, "achievement", m.QUARTER)
    assert [(value, n) for _label, value, n in rows] == [(D("93.3"), 3), (D("80.0"), 1)]


def test_achievement_narrowed_to_a_unit_groups_one_level_below(data):
    ts = data
    rows, total = run(ts, "achievement", m.UNIT, root=ts.unit)
    assert rows[0][1:] == (D("100.0"), 2) and rows[0][0] != ts.unit.name and ts.unit.name in rows[0][0]
    assert rows[1:] == [(ts.team.name, D("80.0"), 1)]
    assert total == (D("93.3"), 3)


def test_achievement_with_period_range_and_branch_filter(data):
    ts = data
    rows, total = run(
        ts, "achievement", m.UNIT, period_from=periods.parse("2025-02"), period_to=periods.parse("2025-04")
    )
    assert rows == [(ts.unit.name, D("95.0"), 2)]
    rows, total = run(ts, "achievement", m.UNIT, filters={"branch": Branch.SUPPORT})
    assert rows == [(ts.unit.name, D("80.0"), 1)]


def test_gap_counts_open_shortfalls(data):
    ts = data
    rows, total = run(ts, "gap", m.UNIT)
    assert [(label, value) for label, value, _n in rows] == [(ts.unit.name, 3), (ts.extra["unit2"].name, 1)]
    assert total == (4, 4)
    rows, _total = run(ts, "gap", m.SOURCE)
    assert [(label, value) for label, value, _n in rows] == [
        (str(Shortfall.Source.TARGET.label), 3),
        (str(Shortfall.Source.BENCHMARK.label), 1),
    ]
    rows, _total = run(ts, "gap", m.MONTH)
    assert [value for _label, value, _n in rows] == [2, 1, 1]
    rows, _total = run(ts, "gap", m.BRANCH, filters={"source": Shortfall.Source.TARGET})
    assert [value for _label, value, _n in rows] == [2, 1]


def test_points_of_verified_contributions(data):
    ts = data
    rows, total = run(ts, "points", m.UNIT)
    assert rows == [(ts.unit.name, D("30.50"), 2), (ts.extra["unit2"].name, D("5.25"), 1)]
    assert total == (D("35.75"), 3)
    with tenant_scope(ts.tenant):
        opl, qc = (ContributionType.objects.get(code=c) for c in ("opl", "qc"))
    rows, _total = run(ts, "points", m.TYPE)
    assert sorted((label, value) for label, value, _n in rows) == sorted(
        [(opl.name, D("15.75")), (qc.name, D("20.00"))]
    )
    rows, _total = run(ts, "points", m.QUARTER)
    assert [value for _label, value, _n in rows] == [D("10.50"), D("20.00"), D("5.25")]
    rows, _total = run(ts, "points", m.UNIT, filters={"contribution_type": qc.pk})
    assert rows == [(ts.unit.name, D("20.00"), 1)]


def test_projects_count_without_drafts(data):
    ts = data
    rows, total = run(ts, "projects", m.UNIT)
    assert [(label, value) for label, value, _n in rows] == [(ts.unit.name, 2), (ts.extra["unit2"].name, 1)]
    assert total[0] == 3
    rows, _total = run(ts, "projects", m.TIER)
    assert [(label, value) for label, value, _n in rows] == [(str(Tier.HQ.label), 1), (str(Tier.UNIT.label), 2)]
    rows, _total = run(ts, "projects", m.YEAR)
    assert [value for _label, value, _n in rows] == [2, 1]
    rows, _total = run(ts, "projects", m.STATE)
    assert [label for label, _value, _n in rows] == [
        str(State.IN_PROGRESS.label),
        str(State.CLOSED.label),
        str(State.FILED.label),
    ]
    rows, _total = run(ts, "projects", m.UNIT, period_from=periods.parse("2026"), period_to=periods.parse("2026"))
    assert rows == [(ts.extra["unit2"].name, 1, 1)]


def test_benefits_count_only_what_finance_signed_off(data):
    """A verified benefit finance has not signed off (or whose sign-off a change voided) is not in the benefits
    measure; it is in the measure of its own, "not yet verified by finance"."""
    ts = data
    with tenant_scope(ts.tenant):
        project(ts, ts.team, Tier.UNIT, 2025, State.CLOSED, D("77.00"), signed=False)
        voided = project(ts, ts.extra["unit2"], Tier.UNIT, 2025, State.CLOSED, D("5.00"))
        BenefitSignoff.objects.filter(project=voided).update(status=BenefitSignoff.Status.VOID)
    rows, total = run(ts, "benefits", m.UNIT)
    assert rows == [(ts.unit.name, D("1000.00"), 1), (ts.extra["unit2"].name, D("250.50"), 1)]
    assert total == (D("1250.50"), 2)
    rows, total = run(ts, "benefits_unverified", m.UNIT)
    assert rows == [(ts.unit.name, D("77.00"), 1), (ts.extra["unit2"].name, D("5.00"), 1)]
    assert total == (D("82.00"), 2)


def test_benefits_sum_verified_benefits(data):
    ts = data
    rows, total = run(ts, "benefits", m.UNIT)
    assert rows == [(ts.unit.name, D("1000.00"), 1), (ts.extra["unit2"].name, D("250.50"), 1)]
    assert total == (D("1250.50"), 2)
    rows, _total = run(ts, "benefits", m.TIER)
    assert rows == [(str(Tier.UNIT.label), D("1250.50"), 2)]
    rows, _total = run(ts, "benefits", m.YEAR, filters={"tier": Tier.UNIT, "state": State.FILED})
    assert [value for _label, value, _n in rows] == [D("250.50")]


# ---------------------------------------------------------------- the page, its JSON and its form


def test_page_and_json_show_the_same_figures(data, login):
    ts = data
    client = login(ts.lean_office)
    params = {"measure": "points", "group_by": "unit"}
    page = client.get(url(ts, "query"), params)
    assert page.status_code == 200
    result = page.context["result"]
    assert [(r.label, r.value) for r in result.rows] == [
        (ts.unit.name, D("30.50")),
        (ts.extra["unit2"].name, D("5.25")),
    ]
    html = page.content.decode()
    assert 'id="query-chart"' in html and 'id="query-table"' in html and "30.50" in html
    # A unit's row narrows the same query to that unit (one level down).
    assert f'?measure=points&amp;group_by=unit&amp;unit={ts.unit.pk}"' in html
    assert [r.drill_unit for r in result.rows] == [ts.unit.pk, ts.extra["unit2"].pk]
    chart = client.get(url(ts, "query-data"), params).json()
    assert chart["labels"] == [ts.unit.name, ts.extra["unit2"].name]
    assert chart["values"] == [30.5, 5.25]


def test_default_query_runs_without_parameters(data, login):
    response = login(data.lean_office).get(url(data, "query"))
    assert response.status_code == 200
    assert response.context["result"].measure.key == "achievement"


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"measure": "achievement", "group_by": "type"}, "group_by"),
        ({"measure": "points", "group_by": "branch"}, "group_by"),
        ({"measure": "projects", "group_by": "month"}, "group_by"),
        ({"measure": "benefits", "group_by": "source"}, "group_by"),
        ({"measure": "points", "group_by": "unit", "tier": "hq"}, "tier"),
        ({"measure": "achievement", "group_by": "unit", "period_from": "2025-13"}, "period_from"),
        ({"measure": "achievement", "group_by": "unit", "period_from": "2025-06", "period_to": "2025-01"}, "period_to"),
    ],
)
def test_meaningless_combinations_are_refused_with_a_form_error(data, login, params, field):
    client = login(data.lean_office)
    response = client.get(url(data, "query"), params)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert response.context["result"] is None
    assert client.get(url(data, "query-data"), params).status_code == 400
    assert client.get(url(data, "query-export-csv"), params).status_code == 400


# ---------------------------------------------------------------- scope of a unit manager


def test_manager_sees_only_their_subtree(data, login):
    ts = data
    client = login(ts.manager)
    response = client.get(url(ts, "query"), {"measure": "points", "group_by": "unit"})
    assert response.status_code == 200
    labels = [r.label for r in response.context["result"].rows]
    assert ts.extra["unit2"].name not in labels and ts.team.name in labels
    assert [r.drill_unit for r in response.context["result"].rows] == [None, ts.team.pk]  # the unit itself: no
    assert response.context["result"].total == D("30.50")
    assert ts.extra["unit2"].name not in response.content.decode()  # not even in the unit picker


@pytest.mark.parametrize("name", ["query", "query-data", "query-export-xlsx", "query-export-csv"])
def test_manager_cannot_widen_the_scope_with_a_unit_parameter(data, login, name):
    ts = data
    client = login(ts.manager)
    for unit in (ts.extra["unit2"], ts.hq):
        response = client.get(url(ts, name), {"measure": "points", "group_by": "unit", "unit": unit.pk})
        assert response.status_code == 400
        assert "5.25" not in response.content.decode()
    narrowed = client.get(url(ts, "query-data"), {"measure": "points", "group_by": "unit", "unit": ts.team.pk})
    assert narrowed.status_code == 200 and narrowed.json()["values"] == [20.0]


# ---------------------------------------------------------------- permissions


ROLE_STATUS = [("lean_office", 200), ("manager", 200), ("reviewer", 403), ("employee", 403)]
PAGES = ["query", "query-data", "query-export-xlsx", "query-export-csv", "query-saved"]


@pytest.mark.parametrize(("role", "status"), ROLE_STATUS)
@pytest.mark.parametrize("page", PAGES)
def test_permissions(data, login, role, status, page):
    ts = data
    with tenant_scope(ts.tenant):
        saved = SavedQuery.objects.create(
            tenant=ts.tenant, name="q", params={"measure": "gap", "group_by": "unit"}, created_by=ts.lean_office
        )
    kwargs = {"saved_query_id": saved.pk} if page == "query-saved" else {}
    response = login(getattr(ts, role)).get(url(ts, page, **kwargs))
    assert response.status_code == status


@pytest.mark.parametrize(("role", "status"), [("reviewer", 403), ("employee", 403)])
def test_saving_needs_the_query_permission(data, login, role, status):
    ts = data
    response = login(getattr(ts, role)).post(url(ts, "query-save"), {"measure": "gap", "group_by": "unit", "name": "x"})
    assert response.status_code == status
    with tenant_scope(ts.tenant):
        assert not SavedQuery.objects.exists()


# ---------------------------------------------------------------- saved queries


def test_saved_query_round_trip(data, login):
    ts = data
    client = login(ts.lean_office)
    params = {"measure": "gap", "group_by": "source", "period_from": "2025-01", "period_to": "2025-Q2"}
    direct = client.get(url(ts, "query"), params)
    response = client.post(url(ts, "query-save"), {**params, "name": "短板来源"})
    with tenant_scope(ts.tenant):
        saved = SavedQuery.objects.get()
        assert saved.params == params and saved.created_by == ts.lean_office
        assert saved.history.count() == 1  # audited
    assert response.status_code == 302 and response["Location"] == url(ts, "query-saved", saved_query_id=saved.pk)
    listing = client.get(url(ts, "query"))
    assert [q.name for q in listing.context["saved_queries"]] == ["短板来源"]
    assert url(ts, "query-saved", saved_query_id=saved.pk) in listing.content.decode()
    opened = client.get(response["Location"])
    assert opened.status_code == 200 and opened.context["saved"] == saved
    rows = lambda r: [(row.label, row.value) for row in r.context["result"].rows]  # noqa: E731
    assert rows(opened) == rows(direct) and rows(opened)


def test_saving_without_a_name_is_a_form_error(data, login):
    ts = data
    response = login(ts.lean_office).post(url(ts, "query-save"), {"measure": "gap", "group_by": "unit", "name": " "})
    assert response.status_code == 400
    assert "name" in response.context["save_form"].errors
    with tenant_scope(ts.tenant):
        assert not SavedQuery.objects.exists()


def test_a_shared_query_opened_by_a_manager_stays_in_their_scope(data, login):
    ts = data
    with tenant_scope(ts.tenant):
        wide = SavedQuery.objects.create(
            tenant=ts.tenant,
            name="全部",
            params={"measure": "points", "group_by": "unit", "unit": str(ts.extra["unit2"].pk)},
            created_by=ts.lean_office,
        )
        tenant_wide = SavedQuery.objects.create(
            tenant=ts.tenant, name="总部", params={"measure": "points", "group_by": "unit"}, created_by=ts.lean_office
        )
    client = login(ts.manager)
    for saved in (wide, tenant_wide):
        response = client.get(url(ts, "query-saved", saved_query_id=saved.pk))
        assert response.status_code == 200
        assert response.context["result"].total == D("30.50")
        assert ts.extra["unit2"].name not in [r.label for r in response.context["result"].rows]
    # The lean office sees the saved unit as saved.
    office = login(ts.lean_office).get(url(ts, "query-saved", saved_query_id=wide.pk))
    assert office.context["result"].total == D("5.25")


def test_delete_by_owner_or_lean_office_only(data, login):
    ts = data
    with tenant_scope(ts.tenant):
        other_manager = make_member(ts.unit, ["unit_manager"], number="UM2")
        by_office = SavedQuery.objects.create(tenant=ts.tenant, name="a", params={}, created_by=ts.lean_office)
        by_manager = SavedQuery.objects.create(tenant=ts.tenant, name="b", params={}, created_by=ts.manager)
    delete = lambda q: url(ts, "query-saved-delete", saved_query_id=q.pk)  # noqa: E731
    assert login(ts.manager).post(delete(by_office)).status_code == 403
    assert login(other_manager).post(delete(by_manager)).status_code == 403
    assert login(ts.manager).post(delete(by_manager)).status_code == 302
    assert login(ts.lean_office).post(delete(by_office)).status_code == 302
    with tenant_scope(ts.tenant):
        assert not SavedQuery.objects.exists()
        assert SavedQuery.history.filter(history_type="-").count() == 2


def test_another_tenants_saved_query_is_not_found(two_tenants, login):
    a, b = two_tenants
    saved_b = b.extra["saved_query"]
    client = login(a.lean_office)
    assert client.get(url(a, "query-saved", saved_query_id=saved_b.pk)).status_code == 404
    assert client.post(url(a, "query-saved-delete", saved_query_id=saved_b.pk)).status_code == 404
    with tenant_scope(b.tenant):
        assert SavedQuery.objects.filter(pk=saved_b.pk).exists()
    # The tenant comes from the URL only: B's page answers 404 to A's member.
    assert client.get(url(b, "query")).status_code == 404


# ---------------------------------------------------------------- exports


def test_exports_hold_the_table(data, login):
    ts = data
    client = login(ts.lean_office)
    params = {"measure": "benefits", "group_by": "unit"}
    xlsx = client.get(url(ts, "query-export-xlsx"), params)
    assert xlsx.status_code == 200 and "attachment" in xlsx["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[1:] == [[ts.unit.name, 1000, 1], [ts.extra["unit2"].name, 250.5, 1], [rows[3][0], 1250.5, 2]]
    assert len(rows[0]) == 3
    text = client.get(url(ts, "query-export-csv"), params).content.decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(text)))
    assert table[1:] == [
        [ts.unit.name, "1000.00", "1"],
        [ts.extra["unit2"].name, "250.50", "1"],
        [table[3][0], "1250.50", "2"],
    ]


def test_exported_unit_name_starting_with_equals_is_text(data, login):
    ts = data
    with tenant_scope(ts.tenant):
        evil = unit_create(name='=HYPERLINK("http://x","y")', code="EVIL", parent=ts.hq)
        contribution(ts, "opl", evil, date(2025, 8, 1), "1.00")
    client = login(ts.lean_office)
    params = {"measure": "points", "group_by": "unit"}
    sheet = load_workbook(io.BytesIO(client.get(url(ts, "query-export-xlsx"), params).content)).active
    cells = [row[0] for row in sheet.iter_rows(min_row=2) if str(row[0].value).startswith("=")]
    assert len(cells) == 1 and cells[0].data_type == "s" and cells[0].value == evil.name
    text = client.get(url(ts, "query-export-csv"), params).content.decode("utf-8-sig")
    assert "'" + evil.name in [row[0] for row in csv.reader(io.StringIO(text))]


# ---------------------------------------------------------------- bounded query counts


def grow(ts, size):
    """`size` more units under HQ, each with readings, shortfalls, contributions and projects."""
    with tenant_scope(ts.tenant):
        indicator = Reading.objects.order_by("pk").first().indicator
        for i in range(size):
            unit = unit_create(name=f"扩展单位{i}", code=f"X{i}-{size}", parent=ts.hq)
            for month in ("2025-01", "2025-02", "2025-03"):
                reading(ts, indicator, unit, month, 95, D(100))
                shortfall(ts, indicator, unit, month)
            contribution(ts, "qc", unit, date(2025, 2, 1), "3.00")
            project(ts, unit, Tier.UNIT, 2025, State.CLOSED, D("10.00"))
            project(ts, unit, Tier.UNIT, 2025, State.CLOSING, D("5.00"), signed=False)  # awaiting finance


def count_queries(client, ts, params):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url(ts, "query"), params)
    assert response.status_code == 200
    return len(queries), len(response.context["result"].rows)


@pytest.mark.parametrize("measure", list(m.MEASURES))
def test_query_count_does_not_grow_with_the_data(data, login, measure):
    ts = data
    client = login(ts.lean_office)
    params = {"measure": measure, "group_by": "unit"}
    grow(ts, 1)  # rows of every measure at the small size too (an empty result needs no label query)
    small, small_groups = count_queries(client, ts, params)
    grow(ts, 12)
    large, large_groups = count_queries(client, ts, params)
    assert large_groups > small_groups
    assert small == large
    assert large <= 16
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url(ts, "query-data"), params).status_code == 200
    assert len(queries) <= 12  # session, user, membership, scope settings: 8; the query itself: 3
