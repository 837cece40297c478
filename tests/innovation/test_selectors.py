"""The archive figures: a person's totals, final points and rank; a unit's participation rate and top
contributors; the tenant-wide view; the online query's visibility."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.http import Http404

from innovation import selectors
from innovation.selectors import Period
from innovation.services import contributions, listings
from lean.models import Role
from lean.tenancy import tenant_scope
from tests.factories import make_member
from tests.innovation.factories import make_opl, make_qc

pytestmark = pytest.mark.django_db
Y2025 = Period.year(2025)


@pytest.fixture
def world(tenant_a):
    a = tenant_a
    with tenant_scope(a.tenant):
        colleague = make_member(a.team, [Role.EMPLOYEE], name="同事")
        make_member(a.team, [Role.EMPLOYEE], name="未参与")
        opl = make_opl(a)  # 6.40, waiting
        qc = make_qc(a)  # 96.40 verified: manager 57.84, employee 38.56
        mine = make_opl(a, colleague, title="同事的OPL")
        contributions.contribution_verify(actor=a.manager, contribution=mine)  # 6.40
        make_opl(a, day=date(2024, 5, 1))
        listing = listings.listing_open(
            actor=a.lean_office, period_start=date(2025, 1, 1), period_end=date(2025, 12, 31)
        )
        a.extra.update(colleague=colleague, opl=opl, qc=qc, listing=listing)
    return a


def test_a_persons_archive_counts_verified_points_by_type_and_year(world):
    a = world
    a.tenant.ranking_enabled = True
    with tenant_scope(a.tenant):
        archive = selectors.member_archive(member=a.employee, period=Y2025)
        assert archive["total"] == D("38.56") and archive["final"] == D("0")
        assert [(r["contribution__type__name"], r["points"]) for r in archive["by_type"]] == [
            ("QC小组活动", D("38.56"))
        ]
        assert len(list(archive["credits"])) == 2  # the waiting OPL is shown, not counted
        assert archive["rank"] == {"rank": 1, "of": 3}  # employee, colleague (6.40), the idle one, in the team
        every_year = selectors.member_archive(member=a.employee)
        assert [r["year"] for r in every_year["by_year"]] == [2025]  # the 2024 OPL is still waiting


def test_final_points_are_those_of_finalized_listings(world):
    a = world
    with tenant_scope(a.tenant):
        listing = a.extra["listing"]
        listings.listing_finalize(actor=a.lean_office, listing=listing, now=listing.closes_at)
        assert selectors.member_archive(member=a.employee, period=Y2025)["final"] == D("38.56")


def test_a_units_participation_and_top_contributors(world):
    a = world
    a.tenant.ranking_enabled = True
    with tenant_scope(a.tenant):
        unit = selectors.unit_archive(unit=a.unit, period=Y2025)
        # people in the unit's subtree: manager, employee, colleague, idle → 3 of 4 took part
        assert (unit["people"], unit["participants"], unit["participation"]) == (4, 3, D("0.75"))
        assert [(r["member_id"], r["points"]) for r in unit["top"]] == [
            (a.manager.pk, D("57.84")),
            (a.employee.pk, D("38.56")),
            (a.extra["colleague"].pk, D("6.40")),
        ]
        assert unit["points"] == D("102.80")
    a.tenant.ranking_enabled = False
    with tenant_scope(a.tenant):
        unit = selectors.unit_archive(unit=a.unit, period=Y2025)
        assert unit["ranked"] is False  # the tenant's default: people listed by employee number, not by points
        numbers = [r["member__employee_number"] for r in unit["top"]]
        assert numbers == sorted(numbers) and len(numbers) == 3


def test_the_tenant_view_sums_each_top_unit_with_its_sub_units(world):
    a = world
    with tenant_scope(a.tenant):
        rows = {r["unit"].code: r for r in selectors.tenant_archive(period=Y2025)["rows"]}
        assert rows["U1"]["points"] == D("102.80") and rows["U1"]["count"] == 2
        assert rows["U1"]["participants"] == 3 and rows["HQ"]["participants"] == 0


def test_the_online_query_shows_each_person_what_they_may_see(world):
    a = world
    with tenant_scope(a.tenant):
        everything = selectors.contributions(viewer=a.lean_office)
        assert everything.count() == 4
        assert set(selectors.contributions(viewer=a.employee)) == {
            a.extra["opl"],
            a.extra["qc"],
            *everything.filter(occurred_on__year=2024),
        }
        assert selectors.contributions(viewer=a.manager, status="submitted").count() == 2
        assert selectors.contributions(viewer=a.lean_office, kind=a.extra["qc"].type).get() == a.extra["qc"]


def test_an_archive_is_the_persons_own_their_managers_or_the_lean_offices(world):
    a = world
    with tenant_scope(a.tenant):
        assert selectors.member_get_for_archive(viewer=a.employee, member_id=a.employee.pk) == a.employee
        assert selectors.member_get_for_archive(viewer=a.manager, member_id=a.employee.pk) == a.employee
        assert selectors.member_get_for_archive(viewer=a.lean_office, member_id=a.employee.pk) == a.employee
        with pytest.raises(Http404):
            selectors.member_get_for_archive(viewer=a.employee, member_id=a.extra["colleague"].pk)
        with pytest.raises(Http404):
            selectors.member_get_for_archive(viewer=a.manager, member_id=a.lean_office.pk)
