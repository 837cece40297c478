"""The dashboard (数据中台): each tile's figures on small known data, every drill-down link opening a list that
counts what the tile counted, who may open it (role × page), a unit manager who cannot widen the scope, another
tenant's unit (404), the home page per role, and bounded queries at two data sizes."""

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from benchmarking import services as bench_services
from innovation.models import Contribution, Credit, Suggestion
from innovation.services import suggestions as suggestion_services
from insights.dashboard.tiles import TILES
from lean import periods
from lean.models import Membership, Role
from lean.services import unit_create
from lean.tenancy import tenant_scope
from projects import services as project_services
from projects.models import BenefitSignoff, Project, State, Tier, Transition
from targets.models import IndicatorUnit, Reading, Shortfall
from tests.factories import make_member
from tests.innovation.factories import close_project
from tests.targets.factories import make_indicator, read

D = Decimal
YEAR = 2025
DASHBOARD = "/t/alpha/dashboard/"


def tile_url(name, slug="alpha"):
    return f"/t/{slug}/dashboard/tiles/{name}.json"


# Days between the transitions of the closed project: submit, approve, start, request_midterm, midterm_pass,
# request_closing, close (each from the one before; the first from the project's creation).
STEPS = [2, 3, 1, 4, 2, 8, 10]


def suggest(member, manager, title, state, when):
    idea = suggestion_services.suggestion_submit(actor=member, title=title, problem="问题", proposal="建议")
    if state != Suggestion.State.SUBMITTED:
        suggestion_services.suggestion_evaluate(actor=manager, suggestion=idea, evaluation="已评估")
        suggestion_services.suggestion_decide(
            actor=manager, suggestion=idea, adopt=state == Suggestion.State.ADOPTED, reason="不适用"
        )
    Suggestion.objects.filter(pk=idea.pk).update(submitted_at=when)
    return idea


@pytest.fixture
def world(two_tenants):
    """Both tenants populated; in tenant A a second unit U2 (with its manager and an employee), an indicator of
    U1 and U2 missing its target twice (two uncovered shortfalls), three outside peers so the uptime benchmark
    has quartiles, the HQ-tier project closed with 1,200,000 CNY verified (transitions spaced by STEPS days), a
    unit-tier draft of U2, and three suggestions of 2025 in U2 (adopted, not adopted, waiting)."""
    ts, other = two_tenants
    x = ts.extra
    with tenant_scope(ts.tenant):
        unit2 = unit_create(name="甲公司二分公司", code="U2", parent=ts.hq)
        manager2 = make_member(unit2, [Role.UNIT_MANAGER, Role.EMPLOYEE], number="U2-UM")
        employee2 = make_member(unit2, [Role.EMPLOYEE], number="U2-EM")
        output = make_indicator(x["goal"], "A1.3", [ts.unit, unit2], target=50, name="发电量")
        read(ts.lean_office, output, ts.unit, "2025-02", 40)  # missed, uncovered
        read(ts.lean_office, output, unit2, "2025-02", 60)  # met
        read(ts.lean_office, output, unit2, "2025-03", 30)  # missed, uncovered
        peers = [bench_services.peer_save(actor=ts.lean_office, name=f"对标企业{i}", kind="enterprise") for i in "ABC"]
        bench_services.peer_values_save(
            actor=ts.lean_office,
            items=[
                bench_services.ValueInput(
                    benchmark=x["benchmark"], peer=peer, period=periods.parse("2025-01"), value=D(v), source="年报"
                )
                for peer, v in zip(peers, [80, 85, 99], strict=True)
            ],
        )
        project = close_project(ts)
        start = timezone.make_aware(datetime(2025, 3, 1, 9, 0))
        Project.objects.filter(pk=project.pk).update(created_at=start)
        when = start
        transitions = list(Transition.objects.filter(project=project).order_by("created_at", "id"))
        assert [t.action for t in transitions] == [
            "submit",
            "approve",
            "start",
            "request_midterm",
            "midterm_pass",
            "request_closing",
            "close",
        ]
        for transition, days in zip(transitions, STEPS, strict=True):
            when += timedelta(days=days)
            Transition.objects.filter(pk=transition.pk).update(created_at=when)
        draft = project_services.project_create(
            actor=manager2, title="二分公司降本", unit=unit2, problem="成本高", tier=Tier.UNIT, year=YEAR
        )
        in_2025 = timezone.make_aware(datetime(2025, 5, 5, 10, 0))
        suggest(employee2, manager2, "加装护罩", Suggestion.State.ADOPTED, in_2025)
        suggest(employee2, manager2, "改进排班", Suggestion.State.NOT_ADOPTED, in_2025)
        suggest(employee2, manager2, "节水改造", Suggestion.State.SUBMITTED, in_2025)
    x.update(unit2=unit2, manager2=manager2, employee2=employee2, output=output, closed=project, draft=draft)
    return ts, other


def zh(label) -> str:
    with translation.override("zh-hans"):
        return str(label)


def tile(client, name, **params):
    response = client.get(tile_url(name), params)
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("application/json")
    return response.json()


def table(data, table_id):
    return next(t for t in data["tables"] if t["id"] == table_id)


def row(data, table_id, label):
    found = [r for r in table(data, table_id)["rows"] if r[0]["text"] == label]
    assert len(found) == 1, (label, [r[0]["text"] for r in table(data, table_id)["rows"]])
    return found[0]


def keyed(cells, key):
    return next(c for c in cells if c.get("key") == key)


def figure(data, key):
    return next(f for f in data["summary"] if f["key"] == key)


def listed(client, href) -> int:
    """The number of rows of the list page a drill-down link opens."""
    response = client.get(href)
    assert response.status_code == 200, href
    return response.context["page"].paginator.count


def as_int(text: str) -> int:
    return int(text.replace(",", ""))


# ---------------------------------------------------------------- each tile's figures, and its drill-down


def test_achievement_heat_map_by_branch_and_unit(client, world, login):
    ts, _other = world
    login(ts.lean_office)
    data = tile(client, "achievement")
    columns = table(data, "achievement-branches")["columns"]
    assert len(columns) == 13  # the row label and twelve months
    core = row(data, "achievement-branches", "核心指标")
    # January: uptime 90/95 and cost 100/80 capped at 120% → (0.9474 + 1.2) / 2; one of the two missed.
    jan, feb, mar = core[1], core[2], core[3]
    assert jan["text"] == "107.4%" and jan["missed"] == 1 and jan["pairs"] == 2 and jan["level"] == "good"
    assert feb["text"] == "100.0%" and feb["missed"] == 1 and feb["pairs"] == 2  # 40/50 and 60/50 (capped 1.2)
    assert mar["text"] == "60.0%" and mar["level"] == "bad"
    assert core[4]["text"] == "—" and core[4]["href"] is None
    u1 = row(data, "achievement-units", "甲公司一分公司")
    u2 = row(data, "achievement-units", "甲公司二分公司")
    assert u1[2]["text"] == "80.0%" and u2[2]["text"] == "120.0%" and u2[3]["text"] == "60.0%"
    # Drill-down: the target tree for that month and unit counts the same misses.
    response = client.get(u2[3]["href"])
    assert response.status_code == 200 and response.context["unit"] == ts.extra["unit2"]
    assert response.context["missed"] == u2[3]["missed"] == 1
    response = client.get(jan["href"])
    assert response.context["missed"] == jan["missed"]


def test_shortfall_counts_and_uncovered_drill_down(client, world, login):
    ts, _other = world
    login(ts.lean_office)
    data = tile(client, "shortfalls")
    assert figure(data, "total")["value"] == "3" and figure(data, "uncovered")["value"] == "2"
    for key in ("total", "uncovered"):
        assert listed(client, figure(data, key)["href"]) == as_int(figure(data, key)["value"])
    u1 = row(data, "shortfalls-units", "甲公司一分公司")
    u2 = row(data, "shortfalls-units", "甲公司二分公司")
    # open, uncovered, target, benchmark, in the assessment
    assert [c["text"] for c in u1[1:]] == ["2", "1", "2", "0", "0"]
    assert [c["text"] for c in u2[1:]] == ["1", "1", "1", "0", "0"]
    for cells in (u1, u2):
        for key in ("total", "uncovered"):
            cell = keyed(cells, key)
            assert listed(client, cell["href"]) == as_int(cell["text"])
    assert "uncovered=on" in figure(data, "uncovered")["href"]
    assert data["chart"]["datasets"][1]["data"] == [1, 1]


def test_benchmark_quartile_strip_matches_the_comparison_page(client, world, login):
    ts, _other = world
    login(ts.lean_office)
    data = tile(client, "benchmarks")
    benchmark = ts.extra["benchmark"]
    cells = row(data, "benchmarks-strip", f"{benchmark.code} {benchmark.name}")
    # U1's 90 among 80, 85, 97, 99: the thresholds are 85, 90, 97 → second quartile.
    assert [c["text"] for c in cells[2:]] == ["0", "1", "0", "0", "0"]
    assert figure(data, "worst")["value"] == "0"
    response = client.get(cells[0]["href"])
    assert response.status_code == 200
    comparison = response.context["comparison"]
    units = [p for (who, _pk), p in comparison.positions.items() if who == "unit"]
    assert comparison.count == 5 and [p.quartile for p in units] == [2]


def test_project_funnel_and_days_per_stage(client, world, login):
    ts, _other = world
    login(ts.lean_office)
    data = tile(client, "projects")
    closed = row(data, "projects-funnel", zh(State.CLOSED.label))
    draft = row(data, "projects-funnel", zh(State.DRAFT.label))
    assert [c["text"] for c in closed[1:4]] == ["1", "0", "1"]
    assert [c["text"] for c in draft[1:4]] == ["0", "1", "1"]
    assert figure(data, "total")["value"] == "2"
    # In progress twice (start → midterm 4 days, midterm passed → closing 8 days): 6 days on average.
    days = {r[0]["text"]: r[4]["text"] for r in table(data, "projects-funnel")["rows"]}
    expected = {State.DRAFT: "2.0", State.SUBMITTED: "3.0", State.APPROVED: "1.0", State.IN_PROGRESS: "6.0"}
    expected.update({State.MIDTERM: "2.0", State.CLOSING: "10.0", State.CLOSED: "—"})
    assert {state: days[zh(state.label)] for state in expected} == expected
    for cells in (closed, draft):
        for key in ("hq", "unit", "total"):
            cell = keyed(cells, key)
            assert listed(client, cell["href"]) == as_int(cell["text"])
    assert listed(client, figure(data, "total")["href"]) == 2


def test_verified_benefits_to_date(client, world, login):
    ts, _other = world
    login(ts.lean_office)
    data = tile(client, "benefits")
    assert figure(data, "total")["value"] == "1,200,000.00"
    assert figure(data, "closed")["value"] == "1"
    assert listed(client, figure(data, "closed")["href"]) == 1
    assert figure(data, "pending")["value"] == "0.00"
    u1 = row(data, "benefits-units", "甲公司一分公司")
    assert [c["text"] for c in u1[1:]] == ["1", "1,200,000.00", "0", "0.00", "0.00"]
    assert listed(client, keyed(u1, "closed-n")["href"]) == 1


def test_benefits_finance_has_not_signed_off_are_shown_apart(client, world, login):
    """财务核验: once the team changes the figure after the sign-off, the sign-off is void and the benefit leaves
    the total for the "not yet verified by finance" figure."""
    ts, _other = world
    with tenant_scope(ts.tenant):
        BenefitSignoff.objects.filter(project=ts.extra["closed"]).update(status=BenefitSignoff.Status.VOID)
    login(ts.lean_office)
    data = tile(client, "benefits")
    assert figure(data, "total")["value"] == "0.00"
    assert figure(data, "pending")["value"] == "1,200,000.00"
    assert figure(data, "closed")["value"] == "1"  # the project is still counted, its money is not
    u1 = row(data, "benefits-units", "甲公司一分公司")
    assert [c["text"] for c in u1[1:]] == ["1", "0.00", "0", "0.00", "1,200,000.00"]


def test_benefits_of_projects_in_their_closing_review_wait_apart(client, world, login):
    """A team's verified benefit in the closing review cannot count before finance signs it off (the project
    cannot close without it), so it shows as not yet verified, in its unit's row too."""
    ts, _other = world
    with tenant_scope(ts.tenant):
        Project.objects.filter(pk=ts.extra["draft"].pk).update(
            state=State.CLOSING, verified_benefit=Decimal("300000"), year=YEAR
        )
    login(ts.lean_office)
    data = tile(client, "benefits")
    assert figure(data, "total")["value"] == "1,200,000.00"  # the signed-off closed project only
    assert figure(data, "pending")["value"] == "300,000.00"
    assert figure(data, "closed")["value"] == "1"
    u2 = row(data, "benefits-units", ts.extra["unit2"].name)
    assert [c["text"] for c in u2[1:]] == ["0", "0.00", "0", "0.00", "300,000.00"]


def test_innovation_participation_and_points(client, world, login):
    ts, _other = world
    login(ts.lean_office)
    data = tile(client, "innovation")
    with tenant_scope(ts.tenant):
        verified = list(
            Contribution.objects.filter(status=Contribution.Status.VERIFIED, occurred_on__year=YEAR).select_related(
                "type"
            )
        )
        people = Membership.objects.filter(active=True).count()
        participants = (
            Credit.objects.filter(contribution__in=verified, member__active=True).values("member").distinct().count()
        )
    # The OPL and the QC activity of 2025; the people include HQ's finance verifier who signed off the benefits.
    assert len(verified) == 2 and people == 8 and participants == 2
    assert figure(data, "rate")["value"] == f"{D(participants) / people * 100:.1f}%" == "25.0%"
    assert figure(data, "count")["value"] == "2"
    total = sum((c.points for c in verified), D(0))
    assert figure(data, "points")["value"] == f"{total:,.2f}"
    assert listed(client, figure(data, "count")["href"]) == 2
    for cells in table(data, "innovation-types")["rows"]:
        assert listed(client, keyed(cells, "count")["href"]) == as_int(keyed(cells, "count")["text"]) == 1
    u1 = row(data, "innovation-units", "甲公司一分公司")
    assert [c["text"] for c in u1[1:4]] == ["2", "2", "100.0%"]  # the manager and the team's employee
    response = client.get(keyed(u1, "unit")["href"])
    assert response.status_code == 200 and response.context["participants"] == 2 and response.context["people"] == 2
    u2 = row(data, "innovation-units", "甲公司二分公司")
    assert [c["text"] for c in u2[1:4]] == ["2", "0", "0.0%"]


def test_suggestion_adoption_rate_and_states(client, world, login):
    ts, _other = world
    login(ts.lean_office)
    data = tile(client, "suggestions")
    # 2025: adopted, not adopted, waiting (the populated suggestion was submitted this year, not in 2025).
    assert figure(data, "rate")["value"] == "50.0%" and figure(data, "all")["value"] == "3"
    assert listed(client, figure(data, "all")["href"]) == 3
    states = {r[0]["text"]: r[1] for r in table(data, "suggestions-states")["rows"]}
    assert {state: states[zh(state.label)]["text"] for state in Suggestion.State} == {
        Suggestion.State.SUBMITTED: "1",
        Suggestion.State.EVALUATED: "0",
        Suggestion.State.ADOPTED: "1",
        Suggestion.State.NOT_ADOPTED: "1",
        Suggestion.State.IMPLEMENTED: "0",
    }
    for cell in states.values():
        assert listed(client, cell["href"]) == as_int(cell["text"])
    u2 = row(data, "suggestions-units", "甲公司二分公司")
    assert [c["text"] for c in u2[1:]] == ["3", "2", "1", "50.0%"]
    assert listed(client, u2[0]["href"]) == 3


def test_labels_follow_the_language(client, world, login):
    ts, _other = world
    login(ts.lean_office)
    chinese = tile(client, "shortfalls")
    client.cookies.load({"django_language": "en"})
    english = tile(client, "shortfalls")
    assert chinese["title"] == "短板指标" and english["title"] == "Shortfalls"
    assert english["chart"]["datasets"][1]["label"] == "Uncovered"


def test_the_page_shows_every_tile_with_its_chart_source_and_table(client, world, login):
    ts, _other = world
    login(ts.lean_office)
    response = client.get(DASHBOARD)
    assert response.status_code == 200
    html = response.content.decode()
    for name in TILES:
        assert f'id="tile-{name}"' in html and f'data-src="{tile_url(name)}?year={YEAR}"' in html
    assert html.count("<table") >= len(TILES)
    assert "vendor/chartjs/chart.umd.min" in html and "lean/dashboard" in html


# ---------------------------------------------------------------- scope and permissions


PAGES = [DASHBOARD, tile_url("shortfalls"), tile_url("projects")]


@pytest.mark.parametrize(
    "role, expected",
    [("lean_office", 200), ("manager", 200), ("reviewer", 403), ("employee", 403)],
)
def test_who_may_open_the_dashboard(client, world, login, role, expected):
    ts, _other = world
    login(getattr(ts, role))
    for page in PAGES:
        assert client.get(page).status_code == expected, page
    home = client.get("/t/alpha/")
    assert home.status_code == 200
    entries = [child for item in home.context["nav_items"] for child in item.get("children", [item])]
    assert any(entry["url"] == DASHBOARD for entry in entries) == (expected == 200)


def test_a_unit_manager_sees_their_subtree_and_cannot_widen_it(client, world, login):
    ts, _other = world
    login(ts.manager)
    data = tile(client, "shortfalls")
    assert figure(data, "total")["value"] == "2"  # U1's two, not U2's
    itself = zh(translation.gettext_lazy("%(unit)s (itself)")) % {"unit": ts.unit.name}
    assert [r[0]["text"] for r in table(data, "shortfalls-units")["rows"]] == [itself]
    assert f"unit={ts.unit.pk}" in figure(data, "total")["href"]
    assert listed(client, figure(data, "total")["href"]) == 2
    for outside in (ts.extra["unit2"], ts.hq):
        for page in PAGES:
            assert client.get(page, {"unit": outside.pk}).status_code == 404, (page, outside)
    assert client.get(DASHBOARD, {"unit": ts.team.pk}).status_code == 200
    narrowed = tile(client, "shortfalls", unit=ts.team.pk)
    assert figure(narrowed, "total")["value"] == "0"
    projects = tile(client, "projects")
    assert figure(projects, "total")["value"] == "1"  # U1's closed project; U2's draft is not theirs
    # The lists behind the tiles narrow what the manager may see; another unit in their query shows nothing.
    suggestions = client.get("/t/alpha/innovation/suggestions/", {"year": YEAR, "unit": ts.extra["unit2"].pk})
    assert suggestions.context["page"].paginator.count == 0


def test_the_lean_office_narrows_to_a_unit(client, world, login):
    ts, _other = world
    login(ts.lean_office)
    data = tile(client, "shortfalls", unit=ts.extra["unit2"].pk)
    assert figure(data, "total")["value"] == "1"
    assert listed(client, figure(data, "total")["href"]) == 1
    assert client.get(DASHBOARD, {"unit": ts.extra["unit2"].pk}).status_code == 200
    assert client.get(DASHBOARD, {"unit": "abc"}).status_code == 404


def test_another_tenants_unit_answers_404(client, world, login):
    ts, other = world
    login(ts.lean_office)
    for page in PAGES:
        assert client.get(page, {"unit": other.unit.pk}).status_code == 404
    assert client.get("/t/beta/dashboard/").status_code == 404


def test_home_per_role(client, world, login):
    ts, _other = world
    login(ts.lean_office)
    response = client.get("/t/alpha/")
    assert response.context["panel"] == "dashboard"
    html = response.content.decode()
    assert 'id="open-dashboard"' in html and 'data-headline="shortfalls"' in html
    login(ts.manager)
    response = client.get("/t/alpha/")
    assert response.context["panel"] == "dashboard" and response.context["scope"].unit == ts.unit
    login(ts.employee)
    with tenant_scope(ts.tenant):
        this_year = timezone.localdate().year
        points = sum(
            (
                c.points
                for c in Credit.objects.filter(
                    member=ts.employee,
                    contribution__status=Contribution.Status.VERIFIED,
                    contribution__occurred_on__year=this_year,
                )
            ),
            D(0),
        )
    response = client.get("/t/alpha/")
    assert response.context["panel"] == "archive"
    assert response.context["points"] == points
    assert response.context["rank"] == {"rank": None, "of": None}  # rankings are off unless the tenant turns them on
    assert [listing.pk for listing in response.context["listings"]] == [ts.extra["listing"].pk]
    assert f"/t/alpha/innovation/listings/{ts.extra['listing'].pk}/" in response.content.decode()
    login(ts.reviewer)
    assert client.get("/t/alpha/").context["panel"] == ""


# ---------------------------------------------------------------- bounded queries at two sizes


def grow(ts, n=40):
    """Many more rows of every kind the tiles read: units, people, readings, shortfalls, projects, transitions,
    contributions with credits and suggestions, bulk inserted."""
    x = ts.extra
    units = [unit_create(name=f"扩展单位{i}", code=f"X{i}", parent=ts.hq) for i in range(n // 4)]
    people = [make_member(units[i % len(units)], [Role.EMPLOYEE], number=f"X-{i}") for i in range(n // 4)]
    IndicatorUnit.objects.bulk_create([IndicatorUnit(tenant=ts.tenant, indicator=x["output"], unit=u) for u in units])
    readings, shortfalls = [], []
    for i, unit in enumerate(units):
        for month in range(1, 13):
            period = periods.Period(date(YEAR, month, 1), periods.MONTH)
            reading = Reading(tenant=ts.tenant, indicator=x["output"], unit=unit, value=40 + i, target=50)
            reading.period = period
            readings.append(reading)
            shortfall = Shortfall(
                tenant=ts.tenant, indicator=x["output"], unit=unit, actual=40, target=50, gap=10, achievement=D("0.8")
            )
            shortfall.period = period
            shortfalls.append(shortfall)
    Reading.objects.bulk_create(readings)
    Shortfall.objects.bulk_create(shortfalls)
    template = Project.objects.get(pk=x["draft"].pk)
    projects = []
    for i in range(n):
        project = Project.objects.get(pk=template.pk)
        project.pk, project.code, project.unit = None, f"X{i:04d}", units[i % len(units)]
        project.state = ["draft", "submitted", "in_progress", "closed"][i % 4]
        project.verified_benefit = D(1000) if project.state == "closed" else None
        projects.append(project)
    Project.objects.bulk_create(projects)
    Transition.objects.bulk_create(
        [
            Transition(
                tenant=ts.tenant, project=p, action="submit", from_state="draft", to_state="submitted", actor=ts.manager
            )
            for p in projects
        ]
    )
    source = Contribution.objects.filter(status=Contribution.Status.VERIFIED).first()
    contributions = []
    for i in range(n):
        c = Contribution.objects.get(pk=source.pk)
        c.pk, c.unit, c.listing, c.suggestion, c.project = None, units[i % len(units)], None, None, None
        contributions.append(c)
    Contribution.objects.bulk_create(contributions)
    Credit.objects.bulk_create(
        [
            Credit(tenant=ts.tenant, contribution=c, member=people[i % len(people)], share=100, points=c.points)
            for i, c in enumerate(contributions)
        ]
    )
    idea = Suggestion.objects.filter(unit=x["unit2"]).first()
    clones = []
    for i in range(n):
        s = Suggestion.objects.get(pk=idea.pk)
        s.pk, s.unit, s.proposer = None, units[i % len(units)], people[i % len(people)]
        clones.append(s)
    Suggestion.objects.bulk_create(clones)


def count_queries(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params or {})
        assert response.status_code == 200, url
    return len(queries)


def test_queries_do_not_grow_with_the_data(client, world, login):
    ts, _other = world
    pages = [
        (ts.lean_office, DASHBOARD),
        (ts.manager, DASHBOARD),
        (ts.lean_office, "/t/alpha/"),
        (ts.manager, "/t/alpha/"),
    ]
    pages += [(ts.lean_office, tile_url(name)) for name in TILES] + [(ts.manager, tile_url(name)) for name in TILES]

    def measure():
        counts = []
        for member, url in pages:
            login(member)
            counts.append(count_queries(client, url))
        return counts

    small = measure()
    with tenant_scope(ts.tenant):
        grow(ts)
        assert Reading.objects.count() > 120 and Contribution.objects.count() > 40
    large = measure()
    assert small == large, list(zip([url for _m, url in pages], small, large, strict=True))
    assert max(small[:2]) <= 30, small  # the page: every tile, the unit picker and the years
    assert max(small[4:]) <= 16, small  # a tile: ~9 of them are the session, the tenant and the member


def test_a_tiles_table_exports_to_xlsx_and_csv_in_the_same_scope(client, world, login):
    import csv
    import io

    from openpyxl import load_workbook

    ts, _other = world
    with tenant_scope(ts.tenant):
        ts.unit.name = "=HYPERLINK(1)"  # a name a spreadsheet would run as a formula
        ts.unit.save()
    login(ts.lean_office)
    shown = table(tile(client, "benefits"), "benefits-units")
    response = client.get("/t/alpha/dashboard/tiles/benefits.xlsx", {"year": YEAR, "table": "benefits-units"})
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == [str(c) for c in shown["columns"]]
    assert len(rows) == len(shown["rows"]) + 1
    assert next(r for r in rows if r[0] == "=HYPERLINK(1)")[1:] == (1, 1200000, 0, 0, 0)  # figures stay numbers
    assert [c.data_type for c in sheet["A"] if c.value == "=HYPERLINK(1)"] == ["s"]  # text, never a formula
    text = client.get("/t/alpha/dashboard/tiles/benefits.csv", {"year": YEAR, "table": "benefits-units"})
    lines = list(csv.reader(io.StringIO(text.content.decode("utf-8-sig"))))
    assert lines[0] == [str(c) for c in shown["columns"]]
    assert [r[0] for r in lines if "HYPERLINK" in r[0]] == ["'=HYPERLINK(1)"]
    assert client.get("/t/alpha/dashboard/tiles/benefits.csv", {"table": "nope"}).status_code == 404
    # A unit manager's export holds what their tile holds, and cannot be widened either.
    login(ts.manager)
    theirs = table(tile(client, "benefits", year=YEAR), "benefits-units")
    mine = client.get("/t/alpha/dashboard/tiles/benefits.csv", {"year": YEAR, "table": "benefits-units"})
    assert len(list(csv.reader(io.StringIO(mine.content.decode("utf-8-sig"))))) == len(theirs["rows"]) + 1
    assert client.get("/t/alpha/dashboard/tiles/benefits.csv", {"unit": ts.extra["unit2"].pk}).status_code == 404
