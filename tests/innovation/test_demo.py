"""The innovation demo: the real seed, run once, gives huaxin a year of contributions of every type under two
rule versions, a final and an open listing, a rich archive for the "employee" login and incentives; lvyuan a
handful; a second run changes nothing."""

from datetime import date
from decimal import Decimal

from django.db.models import Count, F, Q, Sum
from django.utils import timezone

from innovation import demo
from innovation.models import (
    Contribution,
    ContributionType,
    Credit,
    Incentive,
    Listing,
    Objection,
    Rescore,
    RuleVersion,
    Studio,
    Suggestion,
    UnitTuning,
)
from innovation.selectors import Period, member_archive, tenant_archive
from innovation.services.scoring import BUILTIN_TYPES, rule_version_for
from lean.models import Membership, Tenant
from lean.tenancy import tenant_scope

MODELS = (ContributionType, RuleVersion, UnitTuning, Contribution, Credit, Suggestion, Listing, Objection)
MODELS += (Studio, Incentive, Rescore)


def snapshot(slug):
    with tenant_scope(Tenant.objects.get(slug=slug)):
        return {model.__name__: model.objects.count() for model in MODELS} | {
            "points": Contribution.objects.aggregate(total=Sum("points"))["total"],
            "states": sorted(Contribution.objects.values_list("title", "status", "final", "listing__title")),
        }


def check_credits_add_up():
    """Every contribution's credits add up exactly to its points, and the shares to 100."""
    sums = Contribution.objects.annotate(credited=Sum("credits__points"), shares=Sum("credits__share"))
    assert not sums.exclude(credited=F("points")).exists()
    assert not sums.exclude(shares=Decimal(100)).exists()


def check_seed(messages, client):
    """The innovation part of the demo, seeded once for every app by tests/test_demo.py."""
    assert "demo innovation huaxin: created" in messages and "demo innovation lvyuan: created" in messages

    with tenant_scope(Tenant.objects.get(slug="huaxin")):
        rows = Contribution.objects.select_related("type", "rule_version", "unit")
        assert rows.count() >= 120
        used = set(rows.values_list("type__code", flat=True))
        assert {code for code, _name, _by in BUILTIN_TYPES} <= used
        # A unit's own type and a type HQ added during the year are used too.
        assert {"hazard_photo", "benchmark_team"} <= used
        assert ContributionType.objects.get(code="hazard_photo").unit.code == "MAINT"
        assert ContributionType.objects.get(code="benchmark_team").unit is None
        assert min(rows.values_list("occurred_on", flat=True)) >= date(2025, 11, 1)
        assert max(rows.values_list("occurred_on", flat=True)) <= date(2026, 10, 31)

        # Two rule versions (and the one HQ's new type brought): 2025 keeps v1, 2026 is scored under the
        # 2026 rules, OPL base 8 then 10.
        v2 = RuleVersion.objects.get(number=2)
        assert v2.effective_from == date(2026, 1, 1) and v2.rules["base"]["opl"] == "10"
        assert set(rows.filter(occurred_on__year=2025).values_list("rule_version__number", flat=True)) == {1}
        assert 1 not in set(rows.filter(occurred_on__year=2026).values_list("rule_version__number", flat=True))
        assert rows.filter(rule_version=v2).exists()
        for row in rows.filter(type__code="opl").exclude(status=Contribution.Status.REJECTED):
            assert row.scoring["base"] == ("8" if row.occurred_on.year == 2025 else "10")
            assert row.rule_version_id == rule_version_for(row.occurred_on).pk
        # The projects closed in September were re-scored on purpose, with the before and after kept.
        projects = rows.filter(type__code="project")
        assert projects.count() >= 5
        assert all(p.rule_version_id == rule_version_for(p.occurred_on).pk for p in projects)
        assert Rescore.objects.filter(after_points__gt=F("before_points")).exists()
        # Unit tunings: GEN1 pays more for hard problems, MAINT's own type has its base.
        gen1 = UnitTuning.objects.get(unit__code="GEN1")
        assert gen1.factors == {"complexity": {"high": "1.6"}}
        hard = rows.filter(unit__path__startswith=gen1.unit.path, complexity="high", occurred_on__year=2026)
        assert hard.exists() and all(row.scoring["factors"]["complexity"]["value"] == "1.6" for row in hard)
        assert rows.filter(type__code="hazard_photo").first().scoring["base"] == "4"

        # Most verified, some waiting, a few rejected with a reason.
        statuses = dict(rows.values_list("status").annotate(n=Count("id")))
        assert statuses["verified"] > 5 * statuses["submitted"] and statuses["submitted"] >= 3
        assert 2 <= statuses["rejected"] <= 10
        assert not rows.filter(status="rejected", rejection_reason="").exists()
        check_credits_add_up()
        qc_teams = Credit.objects.filter(contribution__type__code="qc").values("contribution").annotate(n=Count("id"))
        assert qc_teams and all(3 <= team["n"] <= 6 for team in qc_teams)

        # Suggestions in every state; not adopted ones say why; adoption rates differ by unit.
        suggestions = Suggestion.objects.select_related("unit__parent")
        assert 35 <= suggestions.count() <= 45
        assert set(suggestions.values_list("state", flat=True)) == set(Suggestion.State.values)
        assert not suggestions.filter(state="not_adopted", decision_reason="").exists()
        adopted = Q(state__in=["adopted", "implemented"])
        rates = [
            row["adopted"] / row["decided"]
            for row in suggestions.exclude(state__in=["submitted", "evaluated"])
            .values("unit__parent")
            .annotate(decided=Count("id"), adopted=Count("id", filter=adopted))
        ]
        assert max(rates) - min(rates) >= 0.4
        assert rows.filter(type__code="suggestion").count() == suggestions.filter(adopted).count()

        # One final listing (one objection dismissed, one upheld) and one open now with two open objections.
        final = Listing.objects.get(state=Listing.State.FINAL)
        assert (final.period_start, final.period_end) == (date(2025, 11, 1), date(2026, 3, 31))
        assert final.opened_at.date() == date(2026, 4, 3) and final.finalized_at > final.closes_at
        assert not final.contributions.filter(final=False).exists() and final.contributions.count() >= 30
        assert sorted(final.objections.values_list("state", flat=True)) == ["dismissed", "upheld"]
        upheld = final.objections.get(state="upheld").contribution
        assert upheld.listing is not None and upheld.listing != final and not upheld.final
        current = Listing.objects.get(state=Listing.State.OPEN)
        assert (current.period_start, current.period_end) == (date(2026, 4, 1), date(2026, 9, 30))
        assert current.opened_at < timezone.now() < current.closes_at
        assert current.objections.filter(state=Objection.State.OPEN).count() == 2
        assert not Contribution.objects.filter(final=True).exclude(listing=final).exists()

        # 刘思远's archive: many contributions of several types, some final, some listed now, an incentive.
        liu = Membership.objects.get(employee_number="H0111")
        archive = member_archive(member=liu)
        credits = list(archive["credits"])
        assert len(credits) >= 8 and len({c.contribution.type.code for c in credits}) >= 5
        assert any(c.contribution.final for c in credits)
        assert any(c.contribution.listing_id == current.pk for c in credits)
        assert any(c.contribution.status == "submitted" for c in credits)
        assert archive["final"] > 0 and archive["total"] > archive["final"] and archive["incentives"]
        assert Studio.objects.filter(leader=liu, name="刘思远创新工作室").exists()

        # Incentives of every kind, each with a reason.
        incentives = Incentive.objects.all()
        assert 10 <= incentives.count() <= 15
        assert set(incentives.values_list("kind", flat=True)) == set(Incentive.Kind.values)
        assert not incentives.filter(reason="").exists() and Studio.objects.count() == 2
        assert not incentives.filter(kind="bonus", bonus_points=None).exists()

        # Participation differs by unit, roughly 40% to 90%.
        shares = [row["participation"] for row in tenant_archive(period=Period.year(2026))["rows"]]
        assert all(Decimal("0.3") <= share <= Decimal("0.95") for share in shares)
        assert max(shares) - min(shares) >= Decimal("0.4")

    with tenant_scope(Tenant.objects.get(slug="lvyuan")):
        assert 5 <= Contribution.objects.count() <= 12
        assert Contribution.objects.filter(type__code="project").exists()
        check_credits_add_up()
        listing = Listing.objects.get()
        assert listing.state == Listing.State.OPEN and listing.closes_at > timezone.now()
        assert listing.contributions.exists()


def test_a_tenant_without_a_demo_plan_is_left_alone(tenant_a):
    assert demo.seed(tenant_a.tenant) is False
    with tenant_scope(tenant_a.tenant):
        assert not Contribution.objects.exists()
