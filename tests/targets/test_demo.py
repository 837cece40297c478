"""The demo target trees: the real seed, run once, gives the tree, readings and shortfalls a demo needs, and a
second run changes nothing."""

from datetime import date

from django.db.models import Count

from insights.models import SavedQuery, ShortfallReport
from lean.models import Membership, Tenant
from lean.tenancy import tenant_scope
from scheduling.models import JobRun
from targets import demo, selectors
from targets.demo import huaxin
from targets.demo.build import generate, month_range
from targets.models import Assessment, Branch, Indicator, IndicatorTarget, IndicatorUnit, Reading, Shortfall, TargetTree


def snapshot(slug):
    tenant = Tenant.objects.get(slug=slug)
    with tenant_scope(tenant):
        return {
            model.__name__: model.objects.count()
            for model in (TargetTree, Indicator, IndicatorUnit, IndicatorTarget, Reading, Shortfall)
        } | {
            "analysed": Shortfall.objects.exclude(analysis="").count(),
            "assessed": Assessment.objects.count(),
            "reading history": Reading.history.count(),
        }


def check_seed(messages, client):
    """The targets part of the demo, seeded once for every app by tests/test_demo.py."""
    assert "demo targets huaxin: created" in messages and "demo targets lvyuan: created" in messages

    with tenant_scope(Tenant.objects.get(slug="huaxin")):
        old, new = TargetTree.objects.get(year=2025), TargetTree.objects.get(year=2026)
        assert new.copied_from == old
        indicators = Indicator.objects.filter(node__tree=new)
        assert indicators.count() >= 40
        assert set(indicators.values_list("node__branch", flat=True)) == set(Branch.values)
        assert indicators.count() == Indicator.objects.filter(node__tree=old).count() + 1  # one new in 2026

        # Every (indicator, unit) pair has a reading for every month: 2025-01 … 2026-10.
        for tree, last in ((old, "2025-12"), (new, "2026-10")):
            pairs = IndicatorUnit.objects.filter(indicator__node__tree=tree).count()
            months = month_range(f"{tree.year}-01", last)
            readings = Reading.objects.filter(indicator__node__tree=tree)
            assert readings.count() == pairs * len(months)
            assert sorted({str(r.period) for r in readings.only("period_start", "period_kind")}) == months

        shortfalls = Shortfall.objects.filter(resolved=False, source=Shortfall.Source.TARGET)
        assert 0.10 <= shortfalls.count() / Reading.objects.count() <= 0.20
        # Concentrated: GEN2's coal consumption keeps missing.
        worst = shortfalls.values("unit__code", "indicator__node__code").annotate(n=Count("pk")).order_by("-n")
        assert ("GEN2", "A3.2") in [(w["unit__code"], w["indicator__node__code"]) for w in worst[:5]]
        analysed = shortfalls.exclude(analysis="").exclude(actions="")
        assert analysed.count() >= 12
        assert analysed.filter(unit__code="GEN2", indicator__node__code="A3.2", analysed_by__unit__code="GEN2").exists()
        # Eight indicator × unit pairs in the 2026 assessment: every 2026 shortfall of each pair shows assessed.
        assert Assessment.objects.filter(year=2026).count() == 8
        assessed = selectors.shortfall_list(tree=new).filter(assessed=True)
        assert assessed.filter(unit__code="GEN2", indicator__node__code="A3.2").count() >= 5
        assert not selectors.shortfall_list(tree=old).filter(assessed=True).exists()
        # Coverage is honest: some 2026 shortfalls are covered through a project's span without being linked,
        # and some stay uncovered.
        assert selectors.shortfall_list(tree=new).filter(covered=True, project_links__isnull=True).exists()
        assert selectors.shortfall_list(tree=new, uncovered=True).exists()

        # The jobs' demo step ran the shortfall report job: a summary and one report per unit with readings for
        # each of its periods, every run finished; October's "new" are those not in September's reports.
        runs = JobRun.objects.filter(job="shortfall_report")
        assert sorted(runs.values_list("period", flat=True)) == ["2026-09", "2026-10", "2026-Q3"]
        assert set(runs.values_list("status", flat=True)) == {"finished"}
        october = ShortfallReport.objects.filter(period_kind="month", period_start=date(2026, 10, 1))
        summary = october.get(unit=None)
        assert october.count() == summary.content["totals"]["units"] + 1 >= 7
        assert 0 < summary.new < summary.shortfalls == sum(r.shortfalls for r in october.exclude(unit=None))
        assert october.filter(unit__code="GEN2", shortfalls__gt=0).exists()

    # The queries' demo step saved the lean office's queries; each opens with rows.
    huaxin_tenant = Tenant.objects.get(slug="huaxin")
    with tenant_scope(huaxin_tenant):
        office = Membership.objects.get(employee_number="H0001")
        saved = list(SavedQuery.objects.order_by("pk"))
    assert len(saved) == 4
    client.force_login(office.user, backend="lean.auth.TenantLoginBackend")
    for query in saved:
        response = client.get(f"/t/huaxin/query/saved/{query.pk}/")
        assert response.status_code == 200 and response.context["result"].rows, query.name


def test_readings_are_the_same_on_every_run():
    assert generate(huaxin.PLAN) == generate(huaxin.PLAN)


def test_a_tenant_without_a_demo_plan_is_left_alone(tenant_a):
    assert demo.seed(tenant_a.tenant) is False
    with tenant_scope(tenant_a.tenant):
        assert not TargetTree.objects.exists()
