"""Builds one tenant's demo benchmarking from a Plan, through the services, the way the people would have done
it: the lean office picks indicators (most from the target tree's shortfall list) and enters the outside peers'
figures one indicator's sheet at a time; unit managers propose their own indicators, the lean office decides,
and the managers record what they learned from better peers.

An outside peer's figures run in a straight line from its level in the first period of the span to its level in
the last (most peers improve a little) with some noise from a seeded `random.Random`, so every run gives the same
numbers. The levels are set against the units' demo readings (targets/demo): most peers are better, so the
units that keep missing their targets also land in the worst quartile and become benchmark shortfalls.
"""

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from benchmarking import services
from benchmarking.models import BenchmarkIndicator, Confidence, Peer, Proposal
from lean import periods
from lean.models import Membership, Unit
from targets.models import Indicator

SHORTFALL, PROPOSAL, LEAN_OFFICE = (
    BenchmarkIndicator.Origin.SHORTFALL,
    BenchmarkIndicator.Origin.PROPOSAL,
    BenchmarkIndicator.Origin.LEAN_OFFICE,
)
ENTERPRISE, INDUSTRY = Peer.Kind.ENTERPRISE, Peer.Kind.INDUSTRY
HIGH, MEDIUM, LOW = Confidence.HIGH, Confidence.MEDIUM, Confidence.LOW
MONTH, QUARTER, YEAR = periods.MONTH, periods.QUARTER, periods.YEAR
ACCEPTED, DECLINED, PENDING = Proposal.Status.ACCEPTED, Proposal.Status.DECLINED, Proposal.Status.PENDING
# How long after a period ends its figure is published: a monthly bulletin, a quarterly meeting, an annual report.
PUBLISHED_AFTER = {MONTH: 20, QUARTER: 35, YEAR: 117}


@dataclass(frozen=True)
class PeerSpec:
    """An outside peer, with where its figures usually come from (yearly ones from its annual report)."""

    key: str
    name: str
    kind: str
    description: str
    source: str
    confidence: str
    yearly_source: str = ""
    yearly_confidence: str = HIGH


@dataclass(frozen=True)
class BenchmarkSpec:
    """A benchmarked indicator of the tree; `levels`: peer key → (first period's level, last period's level).
    An indicator with origin PROPOSAL is added by accepting the unit's proposal of it."""

    code: str
    frequency: str
    origin: str
    levels: dict
    noise: float
    places: int


@dataclass(frozen=True)
class ProposalSpec:
    proposer: str  # employee number of the unit's manager
    unit: str
    code: str
    reason: str
    suggested_peers: str
    status: str
    decision_reason: str = ""


@dataclass(frozen=True)
class PracticeSpec:
    """What a better peer does; the peer is an outside one (`peer`, a key) or one of the units (`peer_unit`)."""

    recorder: str
    unit: str
    code: str
    title: str
    description: str
    source: str
    met_on: date
    peer: str = ""
    peer_unit: str = ""


@dataclass(frozen=True)
class Plan:
    lean_office: str  # employee number of the lean office member who chooses, enters and decides
    year: int  # the tree whose indicators are benchmarked
    first_month: str  # the outside figures cover the complete periods between these months
    last_month: str
    peers: list[PeerSpec]
    benchmarks: list[BenchmarkSpec]
    proposals: list[ProposalSpec]
    practices: list[PracticeSpec]
    seed: int


def span(plan: Plan, kind: str) -> list[periods.Period]:
    """The complete periods of `kind` from the first to the last month (a quarter needs all three months)."""
    end = periods.parse(plan.last_month).end
    period, found = periods.parse(plan.first_month).containing(kind), []
    while period.end <= end:
        found.append(period)
        period = period.next()
    return found


def published(period: periods.Period) -> date:
    return min(period.end + timedelta(days=PUBLISHED_AFTER[period.kind]), timezone.localdate())


def peer_figures(plan: Plan) -> dict[tuple[str, str, str], Decimal]:
    """(indicator code, peer key, period) → the peer's figure, the same on every run."""
    rng = random.Random(plan.seed)
    figures = {}
    for spec in plan.benchmarks:
        spec_span = span(plan, spec.frequency)
        for key, (first, last) in spec.levels.items():
            for index, period in enumerate(spec_span):
                share = index / (len(spec_span) - 1) if len(spec_span) > 1 else 0
                value = first + (last - first) * share + rng.gauss(0, spec.noise)
                figures[(spec.code, key, str(period))] = Decimal(str(round(value, spec.places)))
    return figures


def _value_inputs(plan, spec, benchmark, peers, figures) -> list[services.ValueInput]:
    items = []
    for key in spec.levels:
        peer_spec, peer = peers[key]
        yearly = spec.frequency == YEAR and peer_spec.yearly_source
        for period in span(plan, spec.frequency):
            value = figures[(spec.code, key, str(period))]
            if benchmark.measure_unit == "%":
                value = min(value, Decimal(100))
            items.append(
                services.ValueInput(
                    benchmark=benchmark,
                    peer=peer,
                    period=period,
                    value=value,
                    source=peer_spec.yearly_source if yearly else peer_spec.source,
                    source_date=published(period),
                    confidence=peer_spec.yearly_confidence if yearly else peer_spec.confidence,
                )
            )
    return items


def seed_plan(plan: Plan) -> None:
    """Run inside the tenant's scope, on a tenant with its target trees and no benchmark indicator yet."""
    people = {m.employee_number: m for m in Membership.objects.select_related("user", "unit")}
    units = {unit.code: unit for unit in Unit.objects.all()}
    indicators = {i.node.code: i for i in Indicator.objects.filter(node__tree__year=plan.year).select_related("node")}
    office = people[plan.lean_office]
    specs = {spec.code: spec for spec in plan.benchmarks}

    benchmarks = {
        spec.code: services.benchmark_add(
            actor=office, indicator=indicators[spec.code], frequency=spec.frequency, origin=spec.origin
        )
        for spec in plan.benchmarks
        if spec.origin != PROPOSAL
    }
    for item in plan.proposals:
        proposal = services.proposal_create(
            actor=people[item.proposer],
            unit=units[item.unit],
            indicator=indicators[item.code],
            reason=item.reason,
            suggested_peers=item.suggested_peers,
        )
        if item.status == ACCEPTED:
            proposal = services.proposal_accept(
                actor=office, proposal=proposal, frequency=specs[item.code].frequency, reason=item.decision_reason
            )
            benchmarks[item.code] = proposal.benchmark
        elif item.status == DECLINED:
            services.proposal_decline(actor=office, proposal=proposal, reason=item.decision_reason)

    peers = {
        spec.key: (spec, services.peer_save(actor=office, name=spec.name, kind=spec.kind, description=spec.description))
        for spec in plan.peers
    }
    figures = peer_figures(plan)
    for spec in plan.benchmarks:
        services.peer_values_save(actor=office, items=_value_inputs(plan, spec, benchmarks[spec.code], peers, figures))

    for item in plan.practices:
        services.practice_create(
            actor=people[item.recorder],
            benchmark=benchmarks[item.code],
            unit=units[item.unit],
            peer=peers[item.peer][1] if item.peer else None,
            peer_unit=units[item.peer_unit] if item.peer_unit else None,
            title=item.title,
            description=item.description,
            source=item.source,
            met_on=item.met_on,
        )
