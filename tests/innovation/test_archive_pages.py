"""The archive pages (员工创新电子档案): a person's own, another person's for those allowed (404 to anyone
else), a unit's page, the lean office's tenant-wide view; the year filter; bounded queries at 10 and 10,000
contributions."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from innovation.models import Contribution, ContributionType, Credit, RuleVersion
from lean.models import Role
from lean.services import unit_create
from lean.tenancy import tenant_scope
from tests.factories import analyze, make_member

from .factories import make_innovation

D = Decimal
YEAR = 2025


@pytest.fixture
def world(tenant_a):
    """tenant_a with a row in every innovation table (make_innovation), and a second unit with its manager and
    employee (outside the first unit's subtree)."""
    ts = tenant_a
    with tenant_scope(ts.tenant):
        make_innovation(ts)
        other = unit_create(name="甲公司二分公司", code="U2", parent=ts.hq)
        ts.extra["other_unit"] = other
        ts.extra["other_manager"] = make_member(other, [Role.UNIT_MANAGER, Role.EMPLOYEE], number="U2-UM")
        ts.extra["other_employee"] = make_member(other, [Role.EMPLOYEE], number="U2-EM")
    return ts


def archive_url(member=None):
    return "/t/alpha/innovation/" if member is None else f"/t/alpha/innovation/people/{member.pk}/"


def counted_points(ts, member, year=None):
    with tenant_scope(ts.tenant):
        rows = Credit.objects.filter(member=member, contribution__status=Contribution.Status.VERIFIED)
        if year:
            rows = rows.filter(contribution__occurred_on__year=year)
        return sum((c.points for c in rows), D(0))


def test_my_archive_shows_points_rank_types_years_contributions_and_incentives(client, world, login):
    ts = world
    ts.tenant.ranking_enabled = True  # the tenant's choice; off by default
    ts.tenant.save(update_fields=["ranking_enabled"])
    login(ts.employee)
    response = client.get(archive_url())
    assert response.status_code == 200
    context = response.context
    assert context["is_self"] and context["member"] == ts.employee
    assert context["total"] == counted_points(ts, ts.employee) > 0
    assert context["final"] == 0  # the listing is still open
    assert context["rank"]["rank"] == 1 and context["rank"]["of"] == 1  # alone in the team
    assert {row["contribution__type__name"] for row in context["by_type"]} == {"OPL一点课", "QC小组活动", "合理化建议"}
    today = timezone.localdate().year
    assert [row["year"] for row in context["by_year"]] == sorted({YEAR, today}, reverse=True)  # the suggestion: today
    assert context["cards"].paginator.count == 3
    assert len(context["incentives"]) == 2
    body = response.content.decode()
    for text in (
        "降低磨煤机故障率QC小组",
        "点检标准化一点课",
        "皮带机加装清扫器",
        "绩效加分",
        'id="submit-suggestion"',
    ):
        assert text in body
    assert "data-listed" in body  # the QC activity is on the open listing


def test_year_filter(client, world, login):
    ts = world
    login(ts.employee)
    response = client.get(archive_url(), {"year": YEAR})
    assert response.context["year"] == YEAR
    assert response.context["total"] == counted_points(ts, ts.employee, YEAR)
    assert all(c.contribution.occurred_on.year == YEAR for c in response.context["cards"])
    empty = client.get(archive_url(), {"year": 2000})  # not a year with contributions: the default (all years)
    assert empty.status_code == 200 and empty.context["year"] is None


@pytest.mark.parametrize(
    "viewer,target,expected",
    [
        ("employee", "employee", 200),
        ("employee", "manager", 404),
        ("employee", "lean_office", 404),
        ("reviewer", "employee", 404),
        ("manager", "employee", 200),  # the employee's team is below the manager's unit
        ("manager", "lean_office", 404),
        ("other_manager", "employee", 404),
        ("lean_office", "employee", 200),
        ("lean_office", "other_employee", 200),
    ],
)
def test_who_opens_whose_archive(client, world, login, viewer, target, expected):
    pick = lambda name: getattr(world, name) if hasattr(world, name) else world.extra[name]  # noqa: E731
    login(pick(viewer))
    response = client.get(archive_url(pick(target)))
    assert response.status_code == expected
    if expected == 200:
        assert response.context["member"] == pick(target)


def test_another_persons_archive_has_no_buttons_to_record(client, world, login):
    login(world.manager)
    body = client.get(archive_url(world.employee)).content.decode()
    assert 'id="submit-suggestion"' not in body and world.employee.user.display_name in body


@pytest.mark.parametrize(
    "role,expected", [("lean_office", 200), ("manager", 302), ("reviewer", 403), ("employee", 403)]
)
def test_units_page(client, world, login, role, expected):
    login(getattr(world, role))
    response = client.get("/t/alpha/innovation/units/", {"year": YEAR})
    assert response.status_code == expected
    if role == "manager":
        assert response["Location"] == f"/t/alpha/innovation/units/{world.unit.pk}/?year={YEAR}"


def test_tenant_view_rows_and_totals(client, world, login):
    login(world.lean_office)
    response = client.get("/t/alpha/innovation/units/", {"year": YEAR})
    rows = {row["unit"].pk: row for row in response.context["rows"]}
    first = rows[world.unit.pk]
    assert first["people"] == 2 and first["participants"] == 2 and first["participation"] == 1
    assert first["count"] == 2  # the OPL and the QC activity; the suggestion was adopted this year
    assert rows[world.extra["other_unit"].pk]["participants"] == 0
    assert rows[world.hq.pk]["people"] == 2  # HQ's own people: the lean office and the reviewer
    assert {row["type__name"] for row in response.context["by_type"]} == {"OPL一点课", "QC小组活动"}
    assert response.context["adoption"]["total"]["submitted"] == 0
    this_year = client.get("/t/alpha/innovation/units/").context
    assert this_year["year"] == timezone.localdate().year and this_year["adoption"]["total"]["adopted"] == 1
    body = response.content.decode()
    assert f"/t/alpha/innovation/units/{world.unit.pk}/" in body


@pytest.mark.parametrize(
    "role,unit,expected",
    [
        ("lean_office", "unit", 200),
        ("lean_office", "hq", 200),
        ("manager", "unit", 200),
        ("manager", "team", 200),
        ("manager", "hq", 403),
        ("other_manager", "unit", 403),
        ("employee", "team", 403),
        ("reviewer", "unit", 403),
    ],
)
def test_who_opens_a_unit_page(client, world, login, role, unit, expected):
    login(getattr(world, role) if hasattr(world, role) else world.extra[role])
    assert client.get(f"/t/alpha/innovation/units/{getattr(world, unit).pk}/").status_code == expected


def test_unit_page_totals_participation_top_and_adoption(client, world, login):
    login(world.manager)
    response = client.get(f"/t/alpha/innovation/units/{world.unit.pk}/", {"year": YEAR})
    context = response.context
    assert context["people"] == 2 and context["participants"] == 2 and context["participation"] == 1
    assert [row["member_id"] for row in context["top"]][0] in (world.manager.pk, world.employee.pk)
    assert context["adoption"]["total"]["submitted"] == 0
    this_year = client.get(f"/t/alpha/innovation/units/{world.unit.pk}/").context
    assert this_year["adoption"]["total"]["rate"] == 1 and this_year["adoption"]["by_quarter"][0]["adopted"] == 1
    body = response.content.decode()
    assert f"/t/alpha/innovation/people/{world.employee.pk}/" in body
    # A year without contributions is not offered: the page falls back to this year.
    other = client.get(f"/t/alpha/innovation/units/{world.unit.pk}/", {"year": 2024}).context
    assert other["year"] == timezone.localdate().year and other["participants"] == 1  # the suggestion's proposer


def test_year_filter_is_htmx_friendly(client, world, login):
    login(world.lean_office)
    body = client.get("/t/alpha/innovation/units/").content.decode()
    assert 'hx-select="#archive-body"' in body and 'id="archive-body"' in body


# --- bounded queries


def bulk_contributions(ts, count, *, member, unit, year=YEAR):
    """`count` contributions (two in three verified) each crediting `member`, inserted in bulk with an existing
    rule version."""
    version = RuleVersion.objects.order_by("number").first()
    kind = ContributionType.objects.get(code="opl")
    rows = Contribution.objects.bulk_create(
        [
            Contribution(
                tenant=ts.tenant,
                type=kind,
                unit=unit,
                title=f"批量一点课{i}",
                occurred_on=date(year, 1 + i % 12, 1 + i % 28),
                status=Contribution.Status.VERIFIED if i % 3 else Contribution.Status.SUBMITTED,
                points=D("8.00"),
                rule_version=version,
                scoring={},
            )
            for i in range(count)
        ],
        batch_size=2000,
    )
    Credit.objects.bulk_create(
        [Credit(tenant=ts.tenant, contribution=c, member=member, share=D(100), points=D("8.00")) for c in rows],
        batch_size=2000,
    )


def _count(client, url, params=None):
    client.get(url, params or {})  # warm up (sessions, caches)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, params or {}).status_code == 200
    return len(queries)


def test_archive_and_unit_pages_queries_do_not_grow_with_contributions(client, world, login):
    ts = world
    pages = [
        (ts.employee, archive_url(), {}),
        (ts.employee, archive_url(), {"year": YEAR}),
        (ts.manager, archive_url(ts.employee), {"year": YEAR, "page": 2}),
        (ts.manager, f"/t/alpha/innovation/units/{ts.unit.pk}/", {"year": YEAR}),
        (ts.lean_office, f"/t/alpha/innovation/units/{ts.unit.pk}/", {}),
        (ts.lean_office, "/t/alpha/innovation/units/", {"year": YEAR}),
    ]

    def counts():
        out = []
        for member, url, params in pages:
            login(member)
            out.append(_count(client, url, params))
        return out

    with tenant_scope(ts.tenant):
        bulk_contributions(ts, 10 - Contribution.objects.count(), member=ts.employee, unit=ts.team)
        assert Contribution.objects.count() == 10
    small = counts()
    with tenant_scope(ts.tenant):
        bulk_contributions(ts, 9_990, member=ts.employee, unit=ts.team)
        assert Contribution.objects.count() == 10_000
        analyze()
    large = counts()
    assert small == large, (small, large)
    login(ts.employee)
    response = client.get(archive_url())
    assert response.context["cards"].paginator.count == 10_000
    assert len(response.context["cards"].object_list) == 20
