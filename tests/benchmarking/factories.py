"""Benchmarking test data, built through the services."""

from decimal import Decimal

from benchmarking import services
from lean import periods


def make_benchmarking(ts):
    """On top of make_targets(ts): the uptime indicator benchmarked monthly with one outside peer and its
    value, a proposal of the cost indicator by the unit's manager, and a practice learned."""
    x = ts.extra
    benchmark = services.benchmark_add(actor=ts.lean_office, indicator=x["uptime"], frequency=periods.MONTH)
    peer = services.peer_save(actor=ts.lean_office, name="行业标杆电厂", kind="enterprise")
    services.peer_values_save(
        actor=ts.lean_office,
        items=[
            services.ValueInput(
                benchmark=benchmark, peer=peer, period=periods.parse("2025-01"), value=Decimal(97), source="行业年报"
            )
        ],
    )
    proposal = services.proposal_create(actor=ts.manager, unit=ts.unit, indicator=x["cost"], reason="成本偏高")
    practice = services.practice_create(
        actor=ts.manager, benchmark=benchmark, unit=ts.unit, peer=peer, title="点检定修", description="推行点检定修制"
    )
    x.update(benchmark=benchmark, peer=peer, proposal=proposal, practice=practice)
    return benchmark
