"""The portfolio board and table: who may open them, what they show, their filters, and bounded queries."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from lean.models import Unit
from lean.services import unit_create
from lean.tenancy import tenant_scope
from projects import services
from projects.models import Project, State, TeamMember, Tier
from tests.targets.factories import make_targets

from .factories import make_guide, make_project, make_projects

EVERY_STATE = [s for s, _ in State.choices]


def bulk_projects(ts, count, *, year, unit=None, tier=Tier.UNIT, states=EVERY_STATE, prefix="B"):
    """`count` projects spread over `states`, each with a leader, inserted in bulk."""
    now = timezone.now()
    projects = Project.objects.bulk_create(
        [
            Project(
                tenant=ts.tenant,
                code=f"{prefix}{year}-{i:04d}",
                title=f"批量课题{i}",
                unit=unit or ts.unit,
                tier=tier,
                year=year,
                state=states[i % len(states)],
                problem="批量问题",
                tokens=["批量"],
                created_by=ts.manager,
                state_changed_at=now - timedelta(days=i % 45),
            )
            for i in range(count)
        ]
    )
    TeamMember.objects.bulk_create(
        [TeamMember(tenant=ts.tenant, project=p, member=ts.manager, role="leader", share=100) for p in projects]
    )
    return projects


@pytest.fixture
def data(tenant_a):
    """The midterm HQ project of make_projects, a unit-tier draft of the unit, and an HQ draft of a second unit
    (outside the manager's subtree) filed by the lean office."""
    with tenant_scope(tenant_a.tenant):
        make_targets(tenant_a)
        make_projects(tenant_a)
        x = tenant_a.extra
        x["draft"] = make_project(tenant_a, tier=Tier.UNIT, title="班组物料定置管理", problem="物料摆放混乱")
        other = unit_create(name="甲公司二分公司", code="U2", parent=tenant_a.hq)
        x["other"] = services.project_create(
            actor=tenant_a.lean_office, title="二分公司库存压降", unit=other, problem="库存周转慢", tier=Tier.HQ
        )
        x["other_unit"] = other
    return tenant_a


@pytest.mark.parametrize(
    "role,expected", [("lean_office", 200), ("manager", 200), ("reviewer", 403), ("employee", 403)]
)
def test_who_opens_the_portfolio(client, data, login, role, expected):
    login(getattr(data, role))
    assert client.get("/t/alpha/projects/portfolio/").status_code == expected
    assert client.get("/t/alpha/projects/portfolio/table/").status_code == expected


def _column(body, state):
    start = body.index(f'data-state="{state}"')
    end = body.find("</section>", start)
    return body[start:end]


def test_board_puts_each_project_in_its_state_column(client, data, login):
    login(data.lean_office)
    response = client.get("/t/alpha/projects/portfolio/")
    body = response.content.decode()
    x = data.extra
    assert x["project"].code in _column(body, "midterm")
    assert x["draft"].code in _column(body, "draft") and x["other"].code in _column(body, "draft")
    for state in ["draft", "submitted", "returned", "approved", "in_progress", "midterm", "closing", "closed", "filed"]:
        assert f'id="col-{state}"' in body
    assert 'id="col-rejected"' not in body and 'id="board-hidden"' in body
    card = _column(body, "midterm")
    assert data.unit.name in card and data.manager.user.full_name in card  # unit and leader
    assert "HQ tier" in card or "总部级" in card or x["project"].get_tier_display() in card


def test_a_manager_sees_only_their_subtree(client, data, login):
    login(data.manager)
    body = client.get("/t/alpha/projects/portfolio/").content.decode()
    assert data.extra["draft"].code in body and data.extra["project"].code in body
    assert data.extra["other"].code not in body
    body = client.get("/t/alpha/projects/portfolio/table/").content.decode()
    assert data.extra["other"].code not in body and data.extra["draft"].code in body


def test_board_filters_with_htmx(client, data, login):
    login(data.lean_office)
    x = data.extra
    response = client.get("/t/alpha/projects/portfolio/", {"tier": "unit"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200 and "<html" not in body and 'id="board-body"' in body
    assert "HX-Request" in response.headers["Vary"]
    assert x["draft"].code in body and x["project"].code not in body and x["other"].code not in body
    body = client.get("/t/alpha/projects/portfolio/", {"unit": data.unit.pk}).content.decode()
    assert x["draft"].code in body and x["project"].code in body and x["other"].code not in body
    body = client.get("/t/alpha/projects/portfolio/", {"direction": x["direction"].pk}).content.decode()
    assert x["project"].code in body and x["draft"].code not in body
    body = client.get("/t/alpha/projects/portfolio/", {"year": x["other"].year}).content.decode()
    assert x["project"].code not in body and x["other"].code in body
    body = client.get("/t/alpha/projects/portfolio/", {"year": x["other"].year, "unit": "nope"}).content.decode()
    assert x["project"].code not in body and x["other"].code in body  # the bad unit is dropped, the year kept
    # A bad filter value is ignored, not an error.
    assert client.get("/t/alpha/projects/portfolio/", {"unit": "nope", "year": "x"}).status_code == 200


def test_a_full_column_shows_fifty_cards_and_links_to_the_rest(client, tenant_a, login):
    with tenant_scope(tenant_a.tenant):
        bulk_projects(tenant_a, 60, year=2024, states=[State.IN_PROGRESS])
    login(tenant_a.lean_office)
    body = client.get("/t/alpha/projects/portfolio/", {"year": 2024}).content.decode()
    column = _column(body, "in_progress")
    assert column.count("card lean-board-card") == 50
    assert "另有 10 个" in column
    assert "state=in_progress" in column and "year=2024" in column
    # longest in the state first: B2024-0044 has been waiting 44 days, B2024-0000 arrived today (not shown)
    assert column.index("B2024-0044") < column.index("B2024-0043") and "B2024-0000" not in column
    table = client.get("/t/alpha/projects/portfolio/table/", {"year": 2024, "state": "in_progress"})
    assert table.context["page"].paginator.count == 60


def test_hidden_states_are_counted_under_the_board(client, tenant_a, login):
    with tenant_scope(tenant_a.tenant):
        bulk_projects(tenant_a, 5, year=2024, states=[State.REJECTED, State.MERGED])
    login(tenant_a.lean_office)
    response = client.get("/t/alpha/projects/portfolio/")
    hidden = {c.state: c.count for c in response.context["board"].hidden}
    assert hidden == {"rejected": 3, "merged": 2}
    assert "B2024-0000" not in response.content.decode()  # no card for a rejected proposal


def test_table_filters_search_sort_and_pages(client, tenant_a, login):
    with tenant_scope(tenant_a.tenant):
        bulk_projects(tenant_a, 120, year=2024)
        make_targets(tenant_a)
        guide, direction = make_guide(tenant_a)
        special = make_project(tenant_a, title="锅炉燃烧优化", problem="煤耗偏高", direction=direction)
    login(tenant_a.lean_office)
    url = "/t/alpha/projects/portfolio/table/"
    response = client.get(url)
    assert response.context["page"].paginator.count == 121 and len(response.context["page"].object_list) == 50
    assert client.get(url, {"page": 3}).context["page"].number == 3
    response = client.get(url, {"q": "锅炉"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "<html" not in body and special.code in body and "B2024-0001" not in body
    assert client.get(url, {"q": special.code.lower()}).context["page"].paginator.count == 1
    filed = sum(1 for i in range(120) if EVERY_STATE[i % len(EVERY_STATE)] == State.FILED)
    assert client.get(url, {"state": "filed"}).context["page"].paginator.count == filed
    assert client.get(url, {"direction": direction.pk}).context["page"].paginator.count == 1
    assert client.get(url, {"year": 2025, "tier": "hq"}).context["page"].paginator.count == 1
    assert client.get(url, {"year": 2025, "tier": "unit"}).context["page"].paginator.count == 0
    codes = [p.code for p in client.get(url, {"year": 2024, "sort": "-code"}).context["page"].object_list]
    assert codes[0] == "B2024-0119" and codes == sorted(codes, reverse=True)
    rows = client.get(url, {"year": 2024, "sort": "state"}).context["page"].object_list
    assert rows[0].state == State.DRAFT
    rows = client.get(url, {"year": 2024, "sort": "-days"}).context["page"].object_list
    assert rows[0].days_in_state == 44
    body = client.get(url, {"sort": "code"}).content.decode()
    assert "sort=-code" in body  # the active column's link flips the order
    assert client.get(url, {"sort": "evil"}).status_code == 200


def _count(client, url, params):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, params).status_code == 200
    return len(queries)


@pytest.mark.parametrize("role", ["lean_office", "manager"])
def test_board_and_table_queries_do_not_grow_with_projects(client, tenant_a, login, role):
    with tenant_scope(tenant_a.tenant):
        bulk_projects(tenant_a, 10, year=2023, prefix="S")
        bulk_projects(tenant_a, 1000, year=2024, prefix="L")
        assert Project.objects.count() == 1010
        assert Unit.objects.exists()
    login(getattr(tenant_a, role))
    counts = {}
    for year in (2023, 2024):
        counts[year] = (
            _count(client, "/t/alpha/projects/portfolio/", {"year": year}),
            _count(client, "/t/alpha/projects/portfolio/table/", {"year": year}),
            _count(client, "/t/alpha/projects/portfolio/table/", {"year": year, "sort": "-days", "page": 2}),
        )
    assert counts[2023] == counts[2024], counts
    response = client.get("/t/alpha/projects/portfolio/", {"year": 2024})
    assert sum(len(c.cards) for c in response.context["board"].columns) == 9 * 50
