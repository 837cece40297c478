"""Honest coverage (projects/selectors/coverage.py): only approved or running projects cover a shortfall, and a
project's link covers its indicator × unit over the project's span, not just the linked monthly row. The same
rule shows in the shortfall list (filter and badge), the shortfall page, the reports, the dashboard tile and the
dynamic query."""

from datetime import date, datetime

import pytest
from django.utils import timezone

from insights.dashboard.scope import scope_for
from insights.dashboard.selectors import row_units, shortfall_counts
from insights.query import measures
from insights.query.selectors import query_run
from insights.reports import shortfall_reports_make
from lean import periods
from lean.services import unit_create
from lean.tenancy import tenant_scope
from projects import services as project_services
from projects import workflow
from projects.models import Project, State, Tier, Transition
from projects.selectors.coverage import COVERING
from targets import selectors, services
from targets.models import Shortfall

from .factories import branch, make_indicator, read

MONTHS = [f"2025-{m:02d}" for m in range(2, 13)]  # the indicator misses its target every month


@pytest.fixture
def world(two_tenants):
    """Tenant A: indicator Z9.1 of the unit (and of a sibling unit) missing its 95 target every month from
    February to December 2025, and in January 2026 in the 2026 tree (same code)."""
    a, b = two_tenants
    with tenant_scope(a.tenant):
        sibling = unit_create(name="甲公司三分公司", code="U3", parent=a.hq)
        goal = services.node_create(
            parent=branch(a.extra["tree"]), code="Z9", name="覆盖测试", owner_unit=a.hq, weight=1
        )
        indicator = make_indicator(goal, "Z9.1", [a.unit, sibling], target=95, name="供电可靠率")
        for month in MONTHS:
            read(a.lean_office, indicator, a.unit, month, 90)
            read(a.lean_office, indicator, sibling, month, 90)
        tree_2026 = services.tree_create(year=2026)
        goal_2026 = services.node_create(
            parent=branch(tree_2026), code="Z9", name="覆盖测试", owner_unit=a.hq, weight=1
        )
        indicator_2026 = make_indicator(goal_2026, "Z9.1", [a.unit], target=95, name="供电可靠率")
        read(a.lean_office, indicator_2026, a.unit, "2026-01", 90)
    a.extra.update(z=indicator, z_2026=indicator_2026, sibling=sibling)
    return a, b


def shortfall(a, month, unit=None, indicator=None):
    indicator = indicator or (a.extra["z_2026"] if month.startswith("2026") else a.extra["z"])
    return Shortfall.objects.get(
        indicator=indicator, unit=unit or a.unit, period_start=periods.parse(month).start, source="target"
    )


def at(day: date, hour=10):
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour, 0))


def project_on(a, months, *, state, planned_start=None, planned_end=None, approved=None, closed=None):
    """A unit-tier project of the unit linked to the Z9.1 shortfalls of `months`, put in `state`, with an approval
    and a closing recorded on the given days."""
    project = project_services.project_create(
        actor=a.manager,
        title="提升供电可靠率",
        unit=a.unit,
        problem="供电可靠率连续低于目标",
        tier=Tier.UNIT,
        year=2025,
        planned_start=planned_start,
        planned_end=planned_end,
    )
    project_services.shortfalls_set(
        actor=a.manager, project=project, shortfalls=[shortfall(a, month) for month in months]
    )
    Project.objects.filter(pk=project.pk).update(state=state)
    for action, to_state, day in (("approve", State.APPROVED, approved), ("close", State.CLOSED, closed)):
        if day is not None:
            step = Transition.objects.create(
                tenant=a.tenant,
                project=project,
                action=action,
                from_state=State.SUBMITTED,
                to_state=to_state,
                actor=a.lean_office,
            )
            Transition.objects.filter(pk=step.pk).update(created_at=at(day))
    return project


def covered_months(a, unit=None) -> list[str]:
    """The months of Z9.1 (2025 and 2026) the shortfall list marks covered; checked against its filter."""
    found, uncovered = [], set()
    for indicator in (a.extra["z"], a.extra["z_2026"]):
        rows = list(selectors.shortfall_list(indicator=indicator, unit=unit or a.unit))
        uncovered |= {s.pk for s in selectors.shortfall_list(indicator=indicator, unit=unit or a.unit, uncovered=True)}
        found += [(str(s.period), s) for s in rows]
    for month, row in found:
        assert row.covered == (row.pk not in uncovered), month  # the badge and the filter agree
    return sorted(month for month, row in found if row.covered)


def test_the_covering_states_are_exactly_the_approved_and_running_ones():
    assert set(COVERING) == {
        State.APPROVED,
        State.IN_PROGRESS,
        State.MIDTERM,
        State.CLOSING,
        State.CLOSED,
        State.FILED,
    }
    # The span reads the lifecycle's own action names.
    assert {"approve", "close"} <= set(workflow.ACTIONS)


@pytest.mark.parametrize(
    "state, covers",
    [
        (State.DRAFT, False),
        (State.SUBMITTED, False),
        (State.RETURNED, False),
        (State.REJECTED, False),
        (State.MERGED, False),
        (State.APPROVED, True),
        (State.IN_PROGRESS, True),
        (State.MIDTERM, True),
        (State.CLOSING, True),
        (State.CLOSED, True),
        (State.FILED, True),
    ],
)
def test_each_state_covers_or_not(world, state, covers):
    a, _b = world
    with tenant_scope(a.tenant):
        closed = date(2025, 9, 15) if state in (State.CLOSED, State.FILED) else None
        project_on(
            a,
            ["2025-03"],
            state=state,
            planned_start=date(2025, 3, 1),
            planned_end=date(2025, 11, 30),
            approved=date(2025, 2, 20),
            closed=closed,
        )
        march = selectors.shortfall_get(shortfall_id=shortfall(a, "2025-03").pk)
        assert march.covered is covers
        if not covers:
            assert covered_months(a) == []


def test_a_live_project_covers_from_its_planned_start_onwards_for_its_indicator_and_unit_only(world):
    a, _b = world
    with tenant_scope(a.tenant):
        # Linked to June only; planned from 10 May: May overlaps the span, April does not. Later months are
        # covered while it runs (also past its planned end, and in the next year's tree: same code).
        project_on(
            a,
            ["2025-06"],
            state=State.IN_PROGRESS,
            planned_start=date(2025, 5, 10),
            planned_end=date(2025, 8, 31),
            approved=date(2025, 4, 1),
        )
        assert covered_months(a) == [*MONTHS[3:], "2026-01"]
        assert "2025-04" not in covered_months(a)
        assert covered_months(a, unit=a.extra["sibling"]) == []  # the same indicator of another unit


def test_without_a_planned_start_the_span_starts_at_the_approval(world):
    a, _b = world
    with tenant_scope(a.tenant):
        project_on(a, ["2025-07"], state=State.APPROVED, approved=date(2025, 4, 20))
        months = covered_months(a)
        assert months[0] == "2025-04" and "2025-03" not in months and "2025-12" in months


def test_the_linked_shortfall_is_covered_even_before_the_planned_start(world):
    a, _b = world
    with tenant_scope(a.tenant):
        project_on(a, ["2025-02"], state=State.APPROVED, planned_start=date(2025, 6, 1), approved=date(2025, 3, 5))
        months = covered_months(a)
        assert months[0] == "2025-02"
        assert "2025-03" in months  # the span runs from the linked month on: the link is what started it


def test_a_closed_project_covers_up_to_the_day_it_closed(world):
    a, _b = world
    with tenant_scope(a.tenant):
        project_on(
            a,
            ["2025-03"],
            state=State.CLOSED,
            planned_start=date(2025, 3, 1),
            planned_end=date(2025, 11, 30),
            approved=date(2025, 2, 20),
            closed=date(2025, 8, 15),
        )
        assert covered_months(a) == MONTHS[1:7]  # March … August: September after its closing is not


def test_a_filed_project_without_a_recorded_closing_covers_up_to_its_planned_end(world):
    a, _b = world
    with tenant_scope(a.tenant):
        project_on(
            a,
            ["2025-04"],
            state=State.FILED,
            planned_start=date(2025, 4, 1),
            planned_end=date(2025, 6, 30),
        )
        assert covered_months(a) == ["2025-04", "2025-05", "2025-06"]


def test_a_project_through_the_real_lifecycle_covers_later_months(world):
    """populate()'s project went through submit, approve, start and request_midterm: it covers the uptime
    shortfall it was linked to and a later month's shortfall of the same indicator and unit."""
    a, _b = world
    with tenant_scope(a.tenant):
        read(a.lean_office, a.extra["uptime"], a.unit, "2025-05", 80)
        may = Shortfall.objects.get(indicator=a.extra["uptime"], period_start=date(2025, 5, 1))
        assert not a.extra["project"].shortfall_links.filter(shortfall=may).exists()
        assert selectors.shortfall_get(shortfall_id=may.pk).covered
        Project.objects.filter(pk=a.extra["project"].pk).update(state=State.RETURNED)
        assert not selectors.shortfall_get(shortfall_id=may.pk).covered


def test_the_shortfall_page_lists_covering_projects_and_linked_proposals_apart(world, client, login):
    a, _b = world
    with tenant_scope(a.tenant):
        running = project_on(a, ["2025-03"], state=State.IN_PROGRESS, planned_start=date(2025, 3, 1))
        draft = project_on(a, ["2025-05"], state=State.DRAFT, planned_start=date(2025, 6, 1))
        may = shortfall(a, "2025-05")
    login(a.lean_office)
    page = client.get(f"/t/alpha/targets/shortfalls/{may.pk}/")
    assert page.status_code == 200
    assert [p.pk for p in page.context["attacking"]] == [running.pk]  # covers May through its span
    assert [p.pk for p in page.context["proposals"]] == [draft.pk]  # linked, but a draft covers nothing
    html = page.content.decode()
    assert running.code in html and draft.code in html and 'id="shortfall-proposals"' in html
    listed = client.get("/t/alpha/targets/shortfalls/", {"year": 2025, "uncovered": "on"}).context["page"]
    assert may.pk not in {s.pk for s in listed}


def test_reports_dashboard_and_query_use_the_same_rule(world):
    a, _b = world
    with tenant_scope(a.tenant):
        # Linked to March only; covers July through its span. The sibling's July shortfall stays uncovered.
        project_on(a, ["2025-03"], state=State.MIDTERM, planned_start=date(2025, 3, 1), approved=date(2025, 2, 1))
        reports = shortfall_reports_make(period=periods.parse("2025-07"))
        rows = {
            (r.unit_id, row["code"]): row["uncovered"]
            for r in reports[1:]
            for row in r.content["target"]
            if row["code"] == "Z9.1"
        }
        assert rows == {(a.unit.pk, "Z9.1"): False, (a.extra["sibling"].pk, "Z9.1"): True}

        scope = scope_for(a.lean_office, year=2025)
        counts = shortfall_counts(scope, row_units(scope))
        listed = selectors.shortfall_list(tree=a.extra["tree"])
        assert counts["total"] == listed.count()
        assert counts["uncovered"] == selectors.shortfall_list(tree=a.extra["tree"], uncovered=True).count()
        z_uncovered = selectors.shortfall_list(indicator=a.extra["z"], uncovered=True)
        assert {str(s.period) for s in z_uncovered if s.unit_id == a.unit.pk} == {"2025-02"}  # before the span
        assert {str(s.period) for s in z_uncovered if s.unit_id == a.extra["sibling"].pk} == set(MONTHS)

        result = query_run(
            measure=measures.MEASURES["uncovered"],
            grouping=measures.UNIT,
            root=None,
            period_from=periods.parse("2025-07"),
            period_to=periods.parse("2025-07"),
        )
        by_unit = {row.key: row.value for row in result.rows}
        assert (
            sum(v for v in by_unit.values() if v)
            == selectors.shortfall_list(period=periods.parse("2025-07"), uncovered=True).count()
        )


def test_the_shortfall_list_queries_do_not_grow_with_covering_projects(world, client, login):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    a, _b = world
    login(a.lean_office)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/t/alpha/targets/shortfalls/", {"year": 2025}).status_code == 200
        return len(queries)

    with tenant_scope(a.tenant):
        project_on(a, ["2025-03"], state=State.IN_PROGRESS, planned_start=date(2025, 3, 1))
    one = count()
    with tenant_scope(a.tenant):
        for month in MONTHS[3:9]:
            project_on(a, [month], state=State.APPROVED, approved=date(2025, 2, 1))
    assert count() == one
