"""Benchmarking services: proposals (who may decide, reasons), outside values all-or-nothing, and benchmark
shortfalls joining the target tree's shortfall list."""

from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied

from benchmarking import services
from benchmarking.models import BenchmarkIndicator, PeerValue, Proposal
from lean import periods
from lean.errors import ApplicationError
from lean.services import unit_create
from lean.tenancy import tenant_scope
from targets import services as target_services
from targets.models import Shortfall
from tests.benchmarking.factories import make_benchmarking
from tests.targets.factories import make_targets, read

JAN = periods.parse("2025-01")


@pytest.fixture
def a(tenant_a):
    with tenant_scope(tenant_a.tenant):
        make_targets(tenant_a)
        make_benchmarking(tenant_a)
    return tenant_a


def test_only_the_lean_office_decides_and_a_decline_needs_a_reason(a):
    proposal = a.extra["proposal"]
    with tenant_scope(a.tenant):
        with pytest.raises(PermissionDenied):
            services.proposal_accept(actor=a.manager, proposal=proposal)
        with pytest.raises(ApplicationError):
            services.proposal_decline(actor=a.lean_office, proposal=proposal, reason=" ")
        services.proposal_decline(actor=a.lean_office, proposal=proposal, reason="先做内部对标")
        with pytest.raises(ApplicationError):  # decided already
            services.proposal_accept(actor=a.lean_office, proposal=proposal)
        proposal.refresh_from_db()
        assert proposal.status == Proposal.Status.DECLINED and proposal.decided_by == a.lean_office


def test_accepting_creates_the_benchmark_indicator(a):
    with tenant_scope(a.tenant):
        proposal = services.proposal_accept(
            actor=a.lean_office, proposal=a.extra["proposal"], frequency=periods.MONTH, reason="同意"
        )
        benchmark = BenchmarkIndicator.objects.get(code="A1.2")
        assert proposal.benchmark == benchmark and benchmark.origin == "proposal"
        assert benchmark.direction == "lower" and benchmark.frequency == "month"


def test_a_manager_proposes_only_their_units_indicators_and_an_employee_not_at_all(a):
    with tenant_scope(a.tenant):
        other = unit_create(name="二分公司", code="U2", parent=a.hq)
        foreign = target_services.indicator_create(
            parent=a.extra["goal"], code="A1.7", name="别家指标", owner_unit=other, measure_unit="%", units=[other]
        )
        with pytest.raises(ApplicationError):
            services.proposal_create(actor=a.manager, unit=a.unit, indicator=foreign, reason="x")
        with pytest.raises(PermissionDenied):
            services.proposal_create(actor=a.employee, unit=a.team, indicator=a.extra["cost"], reason="x")
        with pytest.raises(ApplicationError):  # already benchmarked
            services.proposal_create(actor=a.manager, unit=a.unit, indicator=a.extra["uptime"], reason="x")


def test_outside_values_are_all_or_nothing(a):
    x = a.extra
    items = [
        services.ValueInput(x["benchmark"], x["peer"], periods.parse("2025-02"), D(96), "年报"),
        services.ValueInput(x["benchmark"], x["peer"], periods.parse("2025-Q1"), D(96), "年报"),  # compared monthly
        services.ValueInput(x["benchmark"], x["peer"], periods.parse("2025-03"), D(96), " "),  # no source
    ]
    with tenant_scope(a.tenant):
        with pytest.raises(ApplicationError) as error:
            services.peer_values_save(actor=a.lean_office, items=items)
        assert set(error.value.field_errors) == {"1", "2"}
        assert PeerValue.objects.count() == 1
        with pytest.raises(PermissionDenied):
            services.peer_values_save(actor=a.manager, items=items[:1])


def test_worst_quartile_is_a_benchmark_shortfall_and_leaves_when_it_improves(a):
    x = a.extra
    with tenant_scope(a.tenant):
        peers = [services.peer_save(actor=a.lean_office, name=f"标杆{i}", kind="enterprise") for i in range(3)]
        services.peer_values_save(
            actor=a.lean_office,
            items=[
                services.ValueInput(x["benchmark"], p, JAN, D(v), "年报")
                for p, v in zip(peers, [99, 98, 96], strict=True)
            ],
        )
        # participants in January: the unit (90), peers 97 (factory), 99, 98, 96 → the unit is in the worst quartile
        found = Shortfall.objects.get(source=Shortfall.Source.BENCHMARK)
        assert (found.unit, found.period_start, found.actual, found.target) == (a.unit, JAN.start, 90, 97)
        assert found.gap == 7 and not found.resolved
        read(a.lean_office, x["uptime"], a.unit, "2025-01", 99.5)  # the correction moves it to the top
        found.refresh_from_db()
        assert found.resolved
