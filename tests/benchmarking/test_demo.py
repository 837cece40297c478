"""The demo benchmarking: seeded after the demo target trees, it gives the board its indicators, five outside
peers with two years of figures, proposals in every state, practices and benchmark shortfalls; a second run
changes nothing (both checked on the demo as seeded for every app, by tests/test_demo.py)."""

from collections import Counter

from benchmarking import demo as benchmarking_demo
from benchmarking.demo import huaxin
from benchmarking.demo.build import peer_figures
from benchmarking.models import BenchmarkIndicator, Peer, PeerValue, Practice, Proposal
from config.demo import seed
from lean.models import Role, Tenant
from lean.tenancy import tenant_scope
from targets.demo.build import month_range
from targets.models import Indicator, Shortfall

SPANS = {
    "month": month_range("2025-01", "2026-10"),
    "quarter": [f"{year}-Q{q}" for year in (2025, 2026) for q in (1, 2, 3, 4)][:7],
    "year": ["2025"],
}


def snapshot(slug):
    with tenant_scope(Tenant.objects.get(slug=slug)):
        return {
            model.__name__: model.objects.count() for model in (BenchmarkIndicator, Peer, PeerValue, Proposal, Practice)
        } | {
            "peer value history": PeerValue.history.count(),
            "benchmark shortfalls": sorted(
                Shortfall.objects.filter(source=Shortfall.Source.BENCHMARK).values_list("pk", "resolved", "actual")
            ),
        }


def check_seed(messages, client):
    """The benchmarking part of the demo, seeded once for every app by tests/test_demo.py."""
    assert [app for app, _step in seed.APP_STEPS].index("benchmarking") > [app for app, _step in seed.APP_STEPS].index(
        "targets"
    )
    assert "demo benchmarking huaxin: created" in messages and "demo benchmarking lvyuan: created" in messages
    huaxin_tenant = Tenant.objects.get(slug="huaxin")

    with tenant_scope(huaxin_tenant):
        benchmarks = list(BenchmarkIndicator.objects.select_related("indicator__node__tree"))
        assert len(benchmarks) == 12
        assert {b.indicator.node.tree.year for b in benchmarks} == {2026}
        frequencies = Counter(b.frequency for b in benchmarks)
        assert frequencies["quarter"] > frequencies["month"] + frequencies["year"] and frequencies["month"] > 0
        assert frequencies["year"] > 0
        origins = Counter(b.origin for b in benchmarks)
        assert origins["shortfall"] >= 6 and origins["lean_office"] > 0 and origins["proposal"] == 2

        # Five outside peers, enterprises and industry figures; every peer that reports an indicator has a
        # figure for every period of the span, with its source, date and confidence, entered by the lean office.
        assert Peer.objects.count() == 5
        assert set(Peer.objects.values_list("kind", flat=True)) == set(Peer.Kind.values)
        values = PeerValue.objects.select_related("entered_by")
        assert {v.entered_by.employee_number for v in values} == {"H0001"}
        assert all(v.source and v.source_date and v.confidence for v in values)
        periods_of = {}
        for value in values:
            periods_of.setdefault((value.benchmark_id, value.peer_id), set()).add(str(value.period))
        for benchmark in benchmarks:
            reporting = [peer for b, peer in periods_of if b == benchmark.pk]
            assert len(reporting) >= 4, benchmark.code
            for peer in reporting:
                assert sorted(periods_of[(benchmark.pk, peer)]) == SPANS[benchmark.frequency], benchmark.code
        assert {peer for _b, peer in periods_of} == set(Peer.objects.values_list("pk", flat=True))

        # Proposals from unit managers of their own units, in the three states; the accepted ones are benchmarked.
        proposals = list(Proposal.objects.select_related("proposed_by__unit", "unit", "benchmark"))
        assert Counter(p.status for p in proposals) == {"accepted": 2, "declined": 1, "pending": 1}
        for proposal in proposals:
            assert proposal.proposed_by.unit == proposal.unit and Role.UNIT_MANAGER in proposal.proposed_by.roles
            assert bool(proposal.decision_reason) == (proposal.status != "pending")
            assert (proposal.benchmark is not None) == (proposal.status == "accepted")
        assert {p.benchmark.origin for p in proposals if p.benchmark} == {"proposal"}

        practices = list(Practice.objects.select_related("recorded_by", "unit"))
        assert len(practices) == 6
        for practice in practices:
            assert practice.recorded_by.unit == practice.unit and practice.source and practice.met_on
            assert (practice.peer_id is None) != (practice.peer_unit_id is None)
        assert any(p.peer_unit_id for p in practices)

        # Peers are mostly better: a few units land in the worst quartile, GEN2 the most often.
        shortfalls = Shortfall.objects.filter(source=Shortfall.Source.BENCHMARK, resolved=False)
        assert shortfalls.exists()
        per_unit = Counter(shortfalls.values_list("unit__code", flat=True))
        assert per_unit.most_common(1)[0][0] == "GEN2"
        per_comparison = Counter(shortfalls.values_list("indicator__node__code", "period_start"))
        assert max(per_comparison.values()) <= 3
        assert len({code for code, _start in per_comparison}) >= 6
        assert set(
            Indicator.objects.filter(pk__in=shortfalls.values("indicator")).values_list("node__tree__year", flat=True)
        ) == {2025, 2026}

    # lvyuan: three benchmarks and two peers for 2026, no proposals.
    with tenant_scope(Tenant.objects.get(slug="lvyuan")):
        assert BenchmarkIndicator.objects.count() == 3 and Peer.objects.count() == 2
        assert not Proposal.objects.exists()
        assert {v.period.year for v in PeerValue.objects.all()} == {2026}
        assert all(b.peer_values.count() > 0 for b in BenchmarkIndicator.objects.all())


def test_without_a_target_tree_there_is_nothing_to_benchmark(db):
    tenant = seed.seed_lvyuan()
    assert benchmarking_demo.seed(tenant) is False


def test_peer_figures_are_the_same_on_every_run():
    assert peer_figures(huaxin.PLAN) == peer_figures(huaxin.PLAN)
