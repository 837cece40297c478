"""`manage.py seed_scale` at a tiny scale: the counts its sizes imply, shortfalls exactly where readings miss, named
logins that sign in, the same data again from the same seed, and small tenants that see only their own rows."""

import hashlib

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import F, Q, Sum
from django.test import Client

from config.demo import scale
from innovation.models import Contribution, Credit, Listing, Suggestion
from lean.models import Membership, Tenant, Unit
from lean.tenancy import tenant_scope
from projects.models import Project, Review, Score, TeamMember, Transition
from targets.models import Indicator, IndicatorUnit, Reading, Shortfall, TargetTree
from tests.factories import analyze

FACTOR = 0.005
SIZES = scale.LARGE.scaled(FACTOR)


def seed(seed=7):
    call_command("seed_scale", "--seed", str(seed), "--scale", str(FACTOR), "--small-tenants", "2")
    analyze()


def snapshot(slug: str) -> dict:
    """What the tenant holds, without ids or the moment of the run: counts and a checksum of the values the seed
    draws."""
    tenant = Tenant.objects.get(slug=slug)
    with tenant_scope(tenant):
        rows = {
            "readings": Reading.objects.values_list("indicator__node__code", "unit__code", "period_start", "value"),
            "shortfalls": Shortfall.objects.values_list("indicator__node__code", "unit__code", "period_start", "gap"),
            "projects": Project.objects.values_list(
                "code", "state", "tier", "unit__code", "verified_benefit", "created_at", "merged_into__code"
            ),
            "transitions": Transition.objects.values_list("project__code", "action", "actor__employee_number"),
            "reviews": Review.objects.values_list("project__code", "kind", "round", "score", "result", "complexity"),
            "contributions": Contribution.objects.values_list("title", "unit__code", "occurred_on", "points", "status"),
            "credits": Credit.objects.values_list("contribution__title", "member__employee_number", "points"),
            "suggestions": Suggestion.objects.values_list("proposer__employee_number", "state", "submitted_at"),
            "memberships": Membership.objects.values_list("employee_number", "unit__code", "roles", "active"),
        }
        return {
            name: (len(values := sorted(map(repr, query))), hashlib.sha256("\n".join(values).encode()).hexdigest())
            for name, query in rows.items()
        }


def sign_in(slug: str, login: str) -> int:
    client = Client()
    response = client.post("/login/", {"tenant": slug, "login": login, "password": scale.PASSWORD})
    assert response.status_code == 302, response.content.decode()[:300]
    assert response["Location"] == f"/t/{slug}/"
    return client.get(f"/t/{slug}/").status_code


# Committed, as the command runs for real: as the tables' owner, with the foreign keys checked once at the end.
@pytest.mark.django_db(transaction=True)
def test_seed_scale_builds_what_its_sizes_say_and_again_the_same(capsys):
    seed()
    out = capsys.readouterr().out
    assert "large tenant scale:" in out and "2 small tenants" in out and "foreign keys" in out and "total" in out
    with connection.cursor() as cursor:  # the keys are back and checked, row-level security forced again
        cursor.execute(
            "SELECT count(*), count(*) FILTER (WHERE NOT convalidated) FROM pg_constraint WHERE contype = 'f'"
        )
        keys, unchecked = cursor.fetchone()
        assert keys > 300 and unchecked == 0
        cursor.execute("SELECT count(*) FROM pg_class WHERE relrowsecurity AND NOT relforcerowsecurity")
        assert cursor.fetchone() == (0,)

    large = Tenant.objects.get(slug="scale")
    assert large.name == "规模测试集团"
    years, indicators = len(SIZES.years), SIZES.indicators
    with tenant_scope(large):
        assert Unit.objects.count() == 1 + SIZES.units * (1 + SIZES.teams_per_unit)
        # The employees, the lean office, the finance verifier, a manager per unit and SC-EM.
        assert Membership.objects.count() == SIZES.employees + 2 + SIZES.units + 1
        assert TargetTree.objects.count() == years
        assert Indicator.objects.count() == years * indicators
        assert IndicatorUnit.objects.count() == years * indicators * SIZES.units_per_indicator
        assert Reading.objects.count() == years * indicators * SIZES.units_per_indicator * 12
        missed = Q(indicator__direction="higher", value__lt=F("target")) | Q(
            indicator__direction="lower", value__gt=F("target")
        )
        assert Shortfall.objects.count() == Reading.objects.filter(missed).count() > 0
        assert Project.objects.count() == SIZES.projects
        assert Review.objects.exists() and Score.objects.exists()
        for project in Project.objects.prefetch_related("transitions"):
            steps = list(project.transitions.all())
            assert project.state == (steps[-1].to_state if steps else "draft")
        assert Contribution.objects.count() == SIZES.contributions
        # A closed project has given its team its points, an adopted suggestion its proposer.
        closed = Project.objects.filter(state__in=["closed", "filed"])
        assert Contribution.objects.filter(project__isnull=False).count() == closed.count() > 0
        adopted = Suggestion.objects.filter(state__in=["adopted", "implemented"])
        assert Contribution.objects.filter(suggestion__isnull=False).count() == adopted.count() > 0
        assert not Contribution.objects.annotate(given=Sum("credits__points")).exclude(given=F("points")).exists()
        assert Suggestion.objects.count() == SIZES.suggestions
        assert Listing.objects.count() == 12 * years
        assert Listing.objects.filter(state=Listing.State.OPEN).count() == 1
        employee = Membership.objects.get(employee_number=scale.EMPLOYEE)
        assert employee.unit.code == "U07-01"
        assert Credit.objects.filter(member=employee).exists()
        assert TeamMember.objects.filter(member=employee).exists()
        assert Membership.objects.get(employee_number=scale.MANAGER).unit.code == "U07"

    for login in (scale.OFFICE, scale.MANAGER, scale.EMPLOYEE):
        assert sign_in("scale", login) == 200
    assert sign_in("scale-001", scale.OFFICE) == 200

    small = Tenant.objects.get(slug="scale-002")
    with tenant_scope(small):
        assert Unit.objects.count() == 1 + 2 * 3 and not Unit.objects.filter(code="U07").exists()
        assert Membership.objects.count() == 20 + 2 + 2
        assert Reading.objects.count() == 8 * 2 * 12
        assert Project.objects.count() == 4 and Contribution.objects.count() == 40
        with connection.cursor() as cursor:  # row-level security: only the small tenant's rows, whatever the query
            cursor.execute("SELECT count(*), count(*) FILTER (WHERE tenant_id <> %s) FROM targets_reading", [small.pk])
            assert cursor.fetchone() == (8 * 2 * 12, 0)

    before = {slug: snapshot(slug) for slug in ("scale", "scale-001")}
    assert before["scale"]["readings"][0] == years * indicators * SIZES.units_per_indicator * 12
    seed()
    assert Tenant.objects.filter(slug__startswith="scale").count() == 3
    assert {slug: snapshot(slug) for slug in ("scale", "scale-001")} == before


def test_sizes_scale_proportionally():
    assert scale.LARGE.indicators == 2000 and scale.LARGE.scaled(1) is scale.LARGE
    tenth = scale.LARGE.scaled(0.1)
    assert (tenth.employees, tenth.projects, tenth.contributions) == (3000, 500, 30000)
    assert tenth.indicators / 2000 == pytest.approx(0.1, rel=0.3)
