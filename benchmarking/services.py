"""Writes of benchmarking: keyword-only, one transaction each, audited (simple-history)."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from lean import periods
from lean.access import subtree_q
from lean.errors import ApplicationError, BadRow, BatchRejected
from lean.models import Membership, Unit
from lean.permissions import require
from lean.tenancy import current_tenant
from targets.models import Indicator, Shortfall

from .comparison import comparisons
from .models import BenchmarkIndicator, Confidence, Peer, PeerValue, Practice, Proposal

HISTORY_PERIODS = 8  # how many comparison periods back a new benchmark indicator is evaluated


# ---------------------------------------------------------------- benchmark indicators


@transaction.atomic
def benchmark_add(
    *, actor: Membership, indicator: Indicator, frequency: str = periods.QUARTER, origin: str = "lean_office"
) -> BenchmarkIndicator:
    """Benchmark a target-tree indicator (by its code, so every year's readings count)."""
    require(actor, "benchmarking.manage")
    if BenchmarkIndicator.objects.filter(code=indicator.node.code).exists():
        raise ApplicationError(_("%(code)s is already benchmarked.") % {"code": indicator.node.code}, code="duplicate")
    benchmark = BenchmarkIndicator.objects.create(
        tenant=current_tenant(),
        code=indicator.node.code,
        name=indicator.node.name,
        measure_unit=indicator.measure_unit,
        direction=indicator.direction,
        aggregation=indicator.aggregation,
        frequency=frequency,
        indicator=indicator,
        origin=origin,
    )
    benchmark_shortfall_refresh(benchmarks=[benchmark])
    return benchmark


@transaction.atomic
def benchmark_update(*, actor: Membership, benchmark: BenchmarkIndicator, frequency: str, active: bool):
    require(actor, "benchmarking.manage")
    if frequency != benchmark.frequency and benchmark.peer_values.exists():
        raise ApplicationError(
            _("Outside values are entered per %(kind)s; remove them before changing the period.")
            % {"kind": benchmark.get_frequency_display()},
            code="frequency_locked",
        )
    benchmark.frequency, benchmark.active = frequency, active
    benchmark.save()
    if not active:
        Shortfall.objects.filter(
            source=Shortfall.Source.BENCHMARK, indicator__node__code=benchmark.code, resolved=False
        ).update(resolved=True)
    else:
        benchmark_shortfall_refresh(benchmarks=[benchmark])
    return benchmark


# ---------------------------------------------------------------- peers and their values


@transaction.atomic
def peer_save(
    *, actor: Membership, peer: Peer | None = None, name: str, kind: str, description: str = "", active: bool = True
) -> Peer:
    require(actor, "benchmarking.manage")
    clash = Peer.objects.filter(name=name)
    if peer is not None:
        clash = clash.exclude(pk=peer.pk)
    if clash.exists():
        raise ApplicationError(
            _("A peer named %(name)s already exists.") % {"name": name}, code="duplicate", field_errors={"name": []}
        )
    peer = peer or Peer(tenant=current_tenant())
    peer.name, peer.kind, peer.description, peer.active = name, kind, description, active
    peer.save()
    return peer


@dataclass
class ValueInput:
    benchmark: BenchmarkIndicator
    peer: Peer
    period: periods.Period
    value: Decimal
    source: str
    source_date: date | None = None
    confidence: str = Confidence.MEDIUM


def value_errors(item: ValueInput) -> list[str]:
    errors = []
    if item.period.kind != item.benchmark.frequency:
        errors.append(
            _("%(code)s is compared per %(kind)s, not per %(given)s.")
            % {
                "code": item.benchmark.code,
                "kind": item.benchmark.get_frequency_display(),
                "given": dict(periods.KIND_CHOICES)[item.period.kind],
            }
        )
    if not item.benchmark.active:
        errors.append(_("%(code)s is no longer benchmarked.") % {"code": item.benchmark.code})
    if not item.peer.active:
        errors.append(_("%(peer)s is no longer active.") % {"peer": item.peer.name})
    if not item.source.strip():
        errors.append(_("Say where the figure comes from."))
    if item.confidence not in Confidence.values:
        errors.append(_("Unknown confidence %(value)s.") % {"value": item.confidence})
    if item.source_date and item.source_date > timezone.localdate():
        errors.append(_("The date of the figure is in the future."))
    return errors


@transaction.atomic
def peer_values_save(*, actor: Membership, items: list[ValueInput]) -> list[PeerValue]:
    """Store outside peers' values all-or-nothing (errors by item index); a value already there is corrected."""
    require(actor, "benchmarking.manage")
    errors, seen = {}, set()
    for index, item in enumerate(items):
        item_errors = value_errors(item)
        key = (item.benchmark.pk, item.peer.pk, item.period.start)
        if key in seen:
            item_errors.append(_("The same peer, indicator and period are given more than once."))
        seen.add(key)
        if item_errors:
            errors[str(index)] = item_errors
    if errors:
        raise BatchRejected([BadRow(index, messages) for index, messages in errors.items()])
    existing = {
        (v.benchmark_id, v.peer_id, v.period_start): v
        for v in PeerValue.objects.select_for_update().filter(
            benchmark__in={i.benchmark.pk for i in items},
            peer__in={i.peer.pk for i in items},
            period_start__in={i.period.start for i in items},
        )
    }
    new, changed, result = [], [], []
    fields = ["value", "source", "source_date", "confidence", "entered_by"]
    for item in items:
        value = existing.get((item.benchmark.pk, item.peer.pk, item.period.start))
        if value is None:
            value = PeerValue(tenant_id=item.benchmark.tenant_id, benchmark=item.benchmark, peer=item.peer)
            value.period = item.period
            new.append(value)
        else:
            changed.append(value)
        value.value, value.source, value.source_date = item.value, item.source.strip(), item.source_date
        value.confidence, value.entered_by = item.confidence, actor
        result.append(value)
    if new:
        bulk_create_with_history(new, PeerValue, default_user=actor.user)
    if changed:
        bulk_update_with_history(changed, PeerValue, fields, default_user=actor.user, manager=PeerValue.objects)
    spans = {(item.benchmark.pk, item.period) for item in items}
    for benchmark_id in {b for b, _p in spans}:
        benchmark_periods = [p for b, p in spans if b == benchmark_id]
        benchmark = next(i.benchmark for i in items if i.benchmark.pk == benchmark_id)
        benchmark_shortfall_refresh(
            benchmarks=[benchmark],
            start=min(p.start for p in benchmark_periods),
            end=max(p.end for p in benchmark_periods),
        )
    return result


# ---------------------------------------------------------------- proposals (自主提出)


@transaction.atomic
def proposal_create(
    *, actor: Membership, unit: Unit, indicator: Indicator, reason: str, suggested_peers: str = ""
) -> Proposal:
    require(actor, "benchmarking.propose", unit)
    if not indicator.unit_links.filter(subtree_q(unit)).exists():
        raise ApplicationError(
            _("%(indicator)s is not an indicator of %(unit)s.") % {"indicator": indicator.node.code, "unit": unit.name},
            code="not_own_indicator",
            field_errors={"indicator": []},
        )
    if BenchmarkIndicator.objects.filter(code=indicator.node.code, active=True).exists():
        raise ApplicationError(
            _("%(code)s is already benchmarked.") % {"code": indicator.node.code},
            code="duplicate",
            field_errors={"indicator": []},
        )
    if Proposal.objects.filter(indicator__node__code=indicator.node.code, status=Proposal.Status.PENDING).exists():
        raise ApplicationError(
            _("%(code)s is already proposed and waiting for a decision.") % {"code": indicator.node.code},
            code="duplicate",
            field_errors={"indicator": []},
        )
    if not reason.strip():
        raise ApplicationError(_("Say why this indicator should be benchmarked."), field_errors={"reason": []})
    return Proposal.objects.create(
        tenant=current_tenant(),
        unit=unit,
        indicator=indicator,
        reason=reason.strip(),
        suggested_peers=suggested_peers.strip(),
        proposed_by=actor,
    )


def _pending(proposal: Proposal) -> Proposal:
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    if proposal.status != Proposal.Status.PENDING:
        raise ApplicationError(
            _("This proposal was already decided (%(status)s).") % {"status": proposal.get_status_display()},
            code="decided",
        )
    return proposal


@transaction.atomic
def proposal_accept(
    *, actor: Membership, proposal: Proposal, frequency: str = periods.QUARTER, reason: str = ""
) -> Proposal:
    require(actor, "benchmarking.manage")
    proposal = _pending(proposal)
    benchmark = BenchmarkIndicator.objects.filter(code=proposal.indicator.node.code).first()
    if benchmark is None:
        benchmark = benchmark_add(actor=actor, indicator=proposal.indicator, frequency=frequency, origin="proposal")
    elif not benchmark.active:
        benchmark_update(actor=actor, benchmark=benchmark, frequency=benchmark.frequency, active=True)
    proposal.status, proposal.benchmark = Proposal.Status.ACCEPTED, benchmark
    proposal.decided_by, proposal.decided_at, proposal.decision_reason = actor, timezone.now(), reason.strip()
    proposal._history_user = actor.user
    proposal.save()
    return proposal


@transaction.atomic
def proposal_decline(*, actor: Membership, proposal: Proposal, reason: str) -> Proposal:
    require(actor, "benchmarking.manage")
    if not reason.strip():
        raise ApplicationError(
            _("Give the unit a reason for declining."), code="reason_required", field_errors={"reason": []}
        )
    proposal = _pending(proposal)
    proposal.status = Proposal.Status.DECLINED
    proposal.decided_by, proposal.decided_at, proposal.decision_reason = actor, timezone.now(), reason.strip()
    proposal._history_user = actor.user
    proposal.save()
    return proposal


# ---------------------------------------------------------------- practices (管理对标)


@transaction.atomic
def practice_create(
    *,
    actor: Membership,
    benchmark: BenchmarkIndicator,
    unit: Unit,
    title: str,
    description: str,
    peer: Peer | None = None,
    peer_unit: Unit | None = None,
    source: str = "",
    met_on: date | None = None,
) -> Practice:
    require(actor, "benchmarking.practice", unit)
    if (peer is None) == (peer_unit is None):
        raise ApplicationError(
            _("Name the better peer: an outside peer or one of our units."), code="peer", field_errors={"peer": []}
        )
    if peer_unit is not None and peer_unit.pk == unit.pk:
        raise ApplicationError(_("A unit cannot learn from itself."), code="peer", field_errors={"peer_unit": []})
    return Practice.objects.create(
        tenant=current_tenant(),
        benchmark=benchmark,
        unit=unit,
        peer=peer,
        peer_unit=peer_unit,
        title=title.strip(),
        description=description.strip(),
        source=source.strip(),
        met_on=met_on,
        recorded_by=actor,
    )


# ---------------------------------------------------------------- benchmark shortfalls


def _default_span(benchmarks) -> tuple[date, date]:
    kinds = {b.frequency for b in benchmarks}
    longest = max(periods.MONTHS_IN[k] for k in kinds)
    last = periods.parse(timezone.localdate()).containing(periods.YEAR if longest == 12 else periods.QUARTER)
    if longest == 1:
        last = periods.parse(timezone.localdate())
    first = last.previous(HISTORY_PERIODS)
    return first.start, last.end


def benchmark_shortfall_refresh(*, benchmarks, start: date | None = None, end: date | None = None) -> int:
    """A unit in the worst quartile of a benchmark is a benchmark shortfall of the target-tree indicator with that
    code in that year's tree; one that left the worst quartile is resolved. Set-based: a bounded number of
    queries for any number of benchmarks, units and periods."""
    benchmarks = [b for b in benchmarks if b.active]
    if not benchmarks:
        return 0
    if start is None or end is None:
        start, end = _default_span(benchmarks)
    by_id = {b.pk: b for b in benchmarks}
    worst = {}
    for kind in {b.frequency for b in benchmarks}:
        group = [b for b in benchmarks if b.frequency == kind]
        for (benchmark_id, bucket), result in comparisons(benchmarks=group, start=start, end=end, kind=kind).items():
            period = periods.Period(bucket, kind)
            for (who, unit_id), position in result.positions.items():
                if who == "unit" and position.quartile == 4:
                    worst[(by_id[benchmark_id].code, unit_id, bucket)] = (period, position, result.median)
    codes = {b.code for b in benchmarks}
    indicators = {
        (code, year): pk
        for pk, code, year in Indicator.objects.filter(node__code__in=codes).values_list(
            "pk", "node__code", "node__tree__year"
        )
    }
    existing = {
        (s.indicator.node.code, s.unit_id, s.period_start): s
        for s in Shortfall.objects.filter(
            source=Shortfall.Source.BENCHMARK,
            indicator__node__code__in=codes,
            period_start__gte=start,
            period_end__lte=end,
        ).select_related("indicator__node")
    }
    new, changed = [], []
    for key, (period, position, median) in worst.items():
        code, unit_id, bucket = key
        indicator_id = indicators.get((code, period.year))
        if indicator_id is None:
            continue
        values = {
            "actual": position.value,
            "target": median,
            "gap": abs(position.gap_to_median),
            "achievement": None,
            "resolved": False,
        }
        shortfall = existing.get(key)
        if shortfall is None:
            shortfall = Shortfall(
                tenant=current_tenant(),
                indicator_id=indicator_id,
                unit_id=unit_id,
                source=Shortfall.Source.BENCHMARK,
                **values,
            )
            shortfall.period = period
            new.append(shortfall)
        elif any(getattr(shortfall, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(shortfall, name, value)
            changed.append(shortfall)
    for key, shortfall in existing.items():
        if key not in worst and not shortfall.resolved:
            shortfall.resolved = True
            changed.append(shortfall)
    if new:
        bulk_create_with_history(new, Shortfall)
    if changed:
        bulk_update_with_history(
            changed, Shortfall, ["actual", "target", "gap", "achievement", "resolved"], manager=Shortfall.objects
        )
    return len(new) + len(changed)


def on_readings_changed(sender, keys, **kwargs):
    """Readings changed: recompute the benchmark shortfalls of the benchmarks with those indicators' codes, over
    the comparison periods holding the changed readings."""
    if not keys:
        return
    indicator_ids = {indicator_id for indicator_id, _u, _s in keys}
    codes = set(Indicator.objects.filter(pk__in=indicator_ids).values_list("node__code", flat=True))
    benchmarks = list(BenchmarkIndicator.objects.filter(code__in=codes, active=True))
    if not benchmarks:
        return
    starts = [start for _i, _u, start in keys]
    first, last = (
        periods.parse(min(starts)).containing(periods.YEAR),
        periods.parse(max(starts)).containing(periods.YEAR),
    )
    benchmark_shortfall_refresh(benchmarks=benchmarks, start=first.start, end=last.end)
