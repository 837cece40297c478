"""Writes of the target tree. Keyword-only, one transaction each; every change is kept in the audit history
(simple-history, including the bulk paths)."""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from lean import periods
from lean.access import subtree_q
from lean.errors import ApplicationError, BadRow, BatchRejected
from lean.models import Membership, Unit
from lean.permissions import can, require
from lean.tenancy import current_tenant

from .models import (
    Assessment,
    Branch,
    Direction,
    Indicator,
    IndicatorTarget,
    IndicatorUnit,
    Reading,
    Shortfall,
    TargetNode,
    TargetTree,
)
from .signals import readings_changed

# ---------------------------------------------------------------- trees and nodes


def _root_unit() -> Unit:
    unit = Unit.objects.filter(parent=None).order_by("path").first()
    if unit is None:
        raise ApplicationError(_("The organisation has no top unit yet."), code="no_unit")
    return unit


def _set_path(node: TargetNode) -> None:
    node.path = f"{node.parent.path if node.parent_id else '/'}{node.pk:010d}/"
    node.save(update_fields=["path"])


@transaction.atomic
def tree_create(*, year: int, name: str = "") -> TargetTree:
    """A new, empty tree for `year` with its four branches, owned by the top unit."""
    if TargetTree.objects.filter(year=year).exists():
        raise ApplicationError(
            _("There is already a target tree for %(year)s.") % {"year": year}, code="duplicate", field_errors={}
        )
    tenant = current_tenant()
    # Node names are the tenant's content: written once, in the tenant's language.
    with translation.override(tenant.default_language):
        return _tree_with_branches(tenant, year, name or _("%(year)s target tree") % {"year": year})


def _tree_with_branches(tenant, year: int, name: str) -> TargetTree:
    tree = TargetTree.objects.create(tenant=tenant, year=year, name=name)
    owner = _root_unit()
    codes = {Branch.CORE: "A", Branch.PRIORITY: "B", Branch.BUSINESS: "C", Branch.SUPPORT: "D"}
    for position, (branch, label) in enumerate(Branch.choices):
        node = TargetNode.objects.create(
            tenant=tree.tenant,
            tree=tree,
            branch=branch,
            code=codes[branch],
            name=str(label),
            owner_unit=owner,
            weight=Decimal(25),
            position=position,
            path="",
        )
        _set_path(node)
    return tree


def _clean_weight(weight) -> Decimal:
    try:
        weight = Decimal(str(weight))
    except (InvalidOperation, ValueError):
        weight = Decimal(0)
    if weight <= 0:
        raise ApplicationError(
            _("A weight must be greater than zero."), code="invalid_weight", field_errors={"weight": []}
        )
    return weight


def _check_code(tree: TargetTree, code: str, exclude=None) -> None:
    clash = TargetNode.objects.filter(tree=tree, code=code)
    if exclude is not None:
        clash = clash.exclude(pk=exclude.pk)
    if clash.exists():
        raise ApplicationError(
            _("Code %(code)s is already used in this tree.") % {"code": code},
            code="duplicate",
            field_errors={"code": []},
        )


@transaction.atomic
def node_create(
    *, parent: TargetNode, code: str, name: str, owner_unit: Unit, weight=1, description: str = ""
) -> TargetNode:
    """A goal node under `parent` (a branch or another goal). Indicators are leaves and take no children."""
    if Indicator.objects.filter(node=parent).exists():
        raise ApplicationError(_("An indicator cannot have nodes below it."), code="parent_is_indicator")
    _check_code(parent.tree, code)
    node = TargetNode.objects.create(
        tenant=parent.tenant,
        tree=parent.tree,
        parent=parent,
        branch=parent.branch,
        code=code,
        name=name,
        owner_unit=owner_unit,
        weight=_clean_weight(weight),
        description=description,
        position=parent.children.count(),
        path="",
    )
    _set_path(node)
    return node


@transaction.atomic
def node_update(*, node: TargetNode, code: str, name: str, owner_unit: Unit, weight, description: str = ""):
    _check_code(node.tree, code, exclude=node)
    node.code, node.name, node.owner_unit = code, name, owner_unit
    node.weight, node.description = _clean_weight(weight), description
    node.save()
    return node


@transaction.atomic
def node_delete(*, node: TargetNode) -> None:
    """Remove a node and what is below it, unless readings were entered there (they are evidence)."""
    if node.parent_id is None:
        raise ApplicationError(_("The four branches of the tree cannot be removed."), code="branch")
    if Reading.objects.filter(subtree_q(node, field="indicator__node")).exists():
        raise ApplicationError(_("Readings were entered below this node; it cannot be removed."), code="has_readings")
    node.delete()


@transaction.atomic
def indicator_create(
    *,
    parent: TargetNode,
    code: str,
    name: str,
    owner_unit: Unit,
    weight=1,
    measure_unit: str,
    direction: str = Direction.HIGHER,
    frequency: str = periods.MONTH,
    aggregation: str = "average",
    baseline=None,
    data_source: str = "",
    units: Iterable[Unit] = (),
    description: str = "",
) -> Indicator:
    node = node_create(
        parent=parent, code=code, name=name, owner_unit=owner_unit, weight=weight, description=description
    )
    indicator = Indicator.objects.create(
        tenant=node.tenant,
        node=node,
        measure_unit=measure_unit,
        direction=direction,
        frequency=frequency,
        aggregation=aggregation,
        baseline=baseline,
        data_source=data_source,
    )
    _set_units(indicator, units or [owner_unit])
    return indicator


def _set_units(indicator: Indicator, units) -> None:
    wanted = {unit.pk for unit in units}
    for link in IndicatorUnit.objects.filter(indicator=indicator).exclude(unit_id__in=wanted):
        link.delete()  # one by one, so the history records each removal
    have = set(IndicatorUnit.objects.filter(indicator=indicator).values_list("unit_id", flat=True))
    bulk_create_with_history(
        [IndicatorUnit(tenant_id=indicator.tenant_id, indicator=indicator, unit_id=pk) for pk in wanted - have],
        IndicatorUnit,
    )


@transaction.atomic
def indicator_update(*, indicator: Indicator, units: Iterable[Unit], **fields) -> Indicator:
    node_fields = {k: fields.pop(k) for k in ("code", "name", "owner_unit", "weight", "description") if k in fields}
    if node_fields:
        node = indicator.node
        node_update(
            node=node,
            code=node_fields.get("code", node.code),
            name=node_fields.get("name", node.name),
            owner_unit=node_fields.get("owner_unit", node.owner_unit),
            weight=node_fields.get("weight", node.weight),
            description=node_fields.get("description", node.description),
        )
    if "frequency" in fields and fields["frequency"] != indicator.frequency and indicator.readings.exists():
        raise ApplicationError(
            _("The frequency cannot change once readings exist."), code="frequency_locked", field_errors={}
        )
    for name, value in fields.items():
        setattr(indicator, name, value)
    indicator.save()
    _set_units(indicator, units)
    shortfall_refresh(indicator_ids=[indicator.pk])
    return indicator


@transaction.atomic
def tree_copy(*, source: TargetTree, year: int, actor: Membership | None = None) -> TargetTree:
    """Start `year`'s tree as a copy of `source`: same nodes, weights, owners, indicators and units, and last
    year's targets moved one year on as a starting point. Readings and shortfalls are not copied."""
    tenant = current_tenant()
    with translation.override(tenant.default_language):
        name = _("%(year)s target tree") % {"year": year}
    tree = TargetTree.objects.create(tenant=tenant, year=year, name=name, copied_from=source)
    old_nodes = list(TargetNode.objects.filter(tree=source).order_by("path"))
    new_by_old: dict[int, TargetNode] = {}
    # Parents come before children in path order, so one bulk insert per depth level gives every parent an id.
    for depth in sorted({node.depth for node in old_nodes}):
        level = [node for node in old_nodes if node.depth == depth]
        created = [
            TargetNode(
                tenant=tree.tenant,
                tree=tree,
                parent=new_by_old[node.parent_id] if node.parent_id else None,
                branch=node.branch,
                code=node.code,
                name=node.name,
                owner_unit_id=node.owner_unit_id,
                weight=node.weight,
                description=node.description,
                position=node.position,
                path="",
            )
            for node in level
        ]
        user = actor.user if actor else None
        bulk_create_with_history(created, TargetNode, default_user=user)
        for old, new in zip(level, created, strict=True):
            new.path = f"{new.parent.path if new.parent else '/'}{new.pk:010d}/"
            new_by_old[old.pk] = new
        bulk_update_with_history(created, TargetNode, ["path"], default_user=user)
    old_indicators = list(Indicator.objects.filter(node__tree=source))
    new_indicators = [
        Indicator(
            tenant=tree.tenant,
            node=new_by_old[old.node_id],
            measure_unit=old.measure_unit,
            direction=old.direction,
            frequency=old.frequency,
            aggregation=old.aggregation,
            baseline=old.baseline,
            data_source=old.data_source,
        )
        for old in old_indicators
    ]
    bulk_create_with_history(new_indicators, Indicator, default_user=actor.user if actor else None)
    by_old_indicator = {old.pk: new for old, new in zip(old_indicators, new_indicators, strict=True)}
    bulk_create_with_history(
        [
            IndicatorUnit(tenant=tree.tenant, indicator=by_old_indicator[link.indicator_id], unit_id=link.unit_id)
            for link in IndicatorUnit.objects.filter(indicator__node__tree=source)
        ],
        IndicatorUnit,
        default_user=actor.user if actor else None,
    )
    targets = []
    for target in IndicatorTarget.objects.filter(indicator__node__tree=source):
        moved = IndicatorTarget(
            tenant=tree.tenant,
            indicator=by_old_indicator[target.indicator_id],
            unit_id=target.unit_id,
            value=target.value,
        )
        moved.period = periods.Period(target.period_start.replace(year=year), target.period_kind)
        targets.append(moved)
    bulk_create_with_history(targets, IndicatorTarget, default_user=actor.user if actor else None)
    return tree


# ---------------------------------------------------------------- targets


def _check_period(indicator: Indicator, period: periods.Period) -> None:
    if period.kind != indicator.frequency:
        raise ApplicationError(
            _("%(indicator)s is measured per %(kind)s, not per %(given)s.")
            % {
                "indicator": indicator.code,
                "kind": indicator.get_frequency_display(),
                "given": dict(periods.KIND_CHOICES)[period.kind],
            },
            code="wrong_period",
            field_errors={"period": []},
        )
    year = indicator.node.tree.year
    if period.year != year:
        raise ApplicationError(
            _("%(period)s is outside the tree's year %(year)s.") % {"period": period, "year": year},
            code="wrong_year",
            field_errors={"period": []},
        )


@transaction.atomic
def target_set(*, indicator: Indicator, period: periods.Period, value, unit: Unit | None = None) -> IndicatorTarget:
    """Set (or change) the target of one period, for one unit or for all units (unit None)."""
    _check_period(indicator, period)
    target, _created = IndicatorTarget.objects.select_for_update().get_or_create(
        indicator=indicator,
        unit=unit,
        period_start=period.start,
        defaults={
            "tenant": indicator.tenant,
            "value": value,
            "period_kind": period.kind,
            "period_end": period.end,
        },
    )
    if target.value != value:
        target.value = value
        target.save()
    shortfall_refresh(indicator_ids=[indicator.pk], period=period)
    return target


@transaction.atomic
def target_set_year(*, indicator: Indicator, value, unit: Unit | None = None) -> list[IndicatorTarget]:
    """Split a yearly target into the indicator's periods: a total is shared out evenly (the rounding rest goes
    to the last period, so the parts add up exactly), a rate or level applies to every period as it is."""
    value = Decimal(str(value))
    year = periods.parse(str(indicator.node.tree.year), periods.YEAR)
    parts = year.split(indicator.frequency)
    if indicator.aggregation == "sum":
        share = (value / len(parts)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
        values = [share] * (len(parts) - 1) + [value - share * (len(parts) - 1)]
    else:
        values = [value] * len(parts)
    return [
        target_set(indicator=indicator, period=period, value=part, unit=unit)
        for period, part in zip(parts, values, strict=True)
    ]


# ---------------------------------------------------------------- readings


@dataclass
class ReadingInput:
    indicator: Indicator
    unit: Unit
    period: periods.Period
    value: Decimal
    note: str = ""


def reading_errors(*, actor: Membership, item: ReadingInput, applies: set[tuple[int, int]]) -> list[str]:
    """Why `item` cannot be stored (empty when it can). `applies` holds the (indicator id, unit id) pairs."""
    errors = []
    if not can(actor, "readings.enter", item.unit):
        errors.append(_("You may not enter readings for %(unit)s.") % {"unit": item.unit.name})
    if (item.indicator.pk, item.unit.pk) not in applies:
        errors.append(
            _("%(indicator)s does not apply to %(unit)s.") % {"indicator": item.indicator.code, "unit": item.unit.name}
        )
    try:
        _check_period(item.indicator, item.period)
    except ApplicationError as error:
        errors.append(str(error.message))
    return errors


def applies_pairs(indicator_ids) -> set[tuple[int, int]]:
    return set(IndicatorUnit.objects.filter(indicator_id__in=set(indicator_ids)).values_list("indicator_id", "unit_id"))


def readings_errors(*, actor: Membership, items: list[ReadingInput | None]) -> dict[str, list[str]]:
    """Every item's errors by index, without storing anything (one query). A None item (a row the caller
    could not read at all) is skipped, so the indexes stay the caller's."""
    applies = applies_pairs(item.indicator.pk for item in items if item is not None)
    errors = {}
    seen = {}
    for index, item in enumerate(items):
        if item is None:
            continue
        item_errors = reading_errors(actor=actor, item=item, applies=applies)
        key = (item.indicator.pk, item.unit.pk, item.period.start)
        if key in seen:
            item_errors.append(_("The same indicator, unit and period are given more than once."))
        seen.setdefault(key, index)
        if item_errors:
            errors[str(index)] = item_errors
    return errors


@transaction.atomic
def reading_save(
    *, actor: Membership, indicator: Indicator, unit: Unit, period: periods.Period, value, note: str = "", source="form"
) -> Reading:
    """Enter or correct one reading; the shortfall for it is found (or resolved) at once."""
    readings = readings_save(
        actor=actor,
        items=[ReadingInput(indicator=indicator, unit=unit, period=period, value=Decimal(str(value)), note=note)],
        source=source,
    )
    return readings[0]


@transaction.atomic
def readings_save(*, actor: Membership, items: list[ReadingInput], source: str = "form") -> list[Reading]:
    """Store many readings all-or-nothing: any bad item stores nothing and every error is listed by index.

    Existing readings of the same indicator, unit and period are corrected (history keeps the old value).
    A bounded number of queries whatever the number of items.
    """
    errors = readings_errors(actor=actor, items=items)
    if errors:
        raise BatchRejected([BadRow(index, messages) for index, messages in errors.items()])
    existing = {
        (r.indicator_id, r.unit_id, r.period_start): r
        for r in Reading.objects.select_for_update().filter(
            _keys_filter([(item.indicator.pk, item.unit.pk, item.period.start) for item in items])
        )
    }
    new, changed, result = [], [], []
    for item in items:
        reading = existing.get((item.indicator.pk, item.unit.pk, item.period.start))
        if reading is None:
            reading = Reading(
                tenant_id=item.indicator.tenant_id,
                indicator=item.indicator,
                unit=item.unit,
                entered_by=actor,
                source=source,
            )
            reading.period = item.period
            reading.value, reading.note = item.value, item.note
            new.append(reading)
        elif reading.value != item.value or reading.note != item.note:
            reading.value, reading.note, reading.source, reading.entered_by = item.value, item.note, source, actor
            changed.append(reading)
        result.append(reading)
    user = actor.user if actor else None
    if new:
        bulk_create_with_history(new, Reading, default_user=user)
    if changed:
        bulk_update_with_history(
            changed, Reading, ["value", "note", "source", "entered_by"], default_user=user, manager=Reading.objects
        )
    keys = [(item.indicator.pk, item.unit.pk, item.period.start) for item in items]
    shortfall_refresh(keys=keys)
    readings_changed.send(sender=Reading, keys=keys)
    return result


def _keys_filter(keys) -> Q:
    """(indicator, unit, period start) keys as one OR of ANDs, grouped by period start to keep it short."""
    by_start: dict = {}
    for indicator_id, unit_id, start in keys:
        by_start.setdefault(start, set()).add((indicator_id, unit_id))
    query = Q(pk__in=[])
    for start, pairs in by_start.items():
        indicator_ids = {i for i, _u in pairs}
        unit_ids = {u for _i, u in pairs}
        query |= Q(period_start=start, indicator_id__in=indicator_ids, unit_id__in=unit_ids)
    return query


# ---------------------------------------------------------------- shortfalls


def missed(direction: str, actual: Decimal, target: Decimal) -> bool:
    return actual < target if direction == Direction.HIGHER else actual > target


def achievement(direction: str, actual: Decimal, target: Decimal) -> Decimal | None:
    if target > 0 and (direction == Direction.HIGHER or actual > 0):
        ratio = actual / target if direction == Direction.HIGHER else target / actual
        return ratio.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
    return None


def shortfall_refresh(*, keys=None, indicator_ids=None, period: periods.Period | None = None) -> int:
    """Find the target shortfalls of the given readings (keys) or indicators, set-based: a bounded number of
    queries. A miss creates or reopens the shortfall; a met target resolves it (its analysis stays)."""
    readings = Reading.objects.select_related("indicator").order_by()
    if keys is not None:
        if not keys:
            return 0
        readings = readings.filter(_keys_filter(keys))
    else:
        readings = readings.filter(indicator_id__in=indicator_ids)
        if period is not None:
            readings = readings.filter(period_start__gte=period.start, period_end__lte=period.end)
    readings = list(readings)
    if not readings:
        return 0
    indicator_set = {r.indicator_id for r in readings}
    starts = {r.period_start for r in readings}
    targets = {
        (t.indicator_id, t.unit_id, t.period_start): t.value
        for t in IndicatorTarget.objects.filter(indicator_id__in=indicator_set, period_start__in=starts)
    }
    existing = {
        (s.indicator_id, s.unit_id, s.period_start): s
        for s in Shortfall.objects.filter(
            source=Shortfall.Source.TARGET, indicator_id__in=indicator_set, period_start__in=starts
        )
    }
    new, changed, retargeted = [], [], []
    for reading in readings:
        key = (reading.indicator_id, reading.unit_id, reading.period_start)
        target = targets.get(key, targets.get((reading.indicator_id, None, reading.period_start)))
        if reading.target != target:
            reading.target = target
            retargeted.append(reading)
        shortfall = existing.get(key)
        if target is not None and missed(reading.indicator.direction, reading.value, target):
            values = {
                "actual": reading.value,
                "target": target,
                "gap": abs(target - reading.value),
                "achievement": achievement(reading.indicator.direction, reading.value, target),
                "resolved": False,
            }
            if shortfall is None:
                shortfall = Shortfall(
                    tenant_id=reading.tenant_id, indicator_id=reading.indicator_id, unit_id=reading.unit_id, **values
                )
                shortfall.period = reading.period
                new.append(shortfall)
            elif any(getattr(shortfall, name) != value for name, value in values.items()):
                for name, value in values.items():
                    setattr(shortfall, name, value)
                changed.append(shortfall)
        elif shortfall is not None and not shortfall.resolved:
            shortfall.resolved = True
            changed.append(shortfall)
    if retargeted:
        Reading.objects.bulk_update(retargeted, ["target"], batch_size=1000)
    if new:
        bulk_create_with_history(new, Shortfall)
    if changed:
        bulk_update_with_history(
            changed, Shortfall, ["actual", "target", "gap", "achievement", "resolved"], manager=Shortfall.objects
        )
    return len(new) + len(changed)


@transaction.atomic
def shortfall_update(*, actor: Membership, shortfall: Shortfall, analysis: str, actions: str) -> Shortfall:
    """A unit manager (or the lean office) writes the analysis (分析) and improvement actions (改进措施)."""
    require(actor, "shortfalls.analyse", shortfall)
    shortfall.analysis, shortfall.actions, shortfall.analysed_by = analysis.strip(), actions.strip(), actor
    shortfall._history_user = actor.user  # also outside a request (API tasks, demo data)
    shortfall.save()
    return shortfall


ASSESSMENT_NOTE_MAX = 300


@transaction.atomic
def assessment_set(
    *, actor: Membership, shortfall: Shortfall, assessed: bool, note: str | None = None
) -> Assessment | None:
    """The lean office puts the shortfall's indicator and unit into (or takes them out of) the annual
    performance assessment of the shortfall's year (纳入年度绩效考核): every shortfall of that indicator (by code)
    and unit in that year follows; other years do not. `note`: None keeps the record's note. Returns the
    record, or None once taken out."""
    require(actor, "shortfalls.assess", shortfall)
    note = None if note is None else note.strip()
    if note and len(note) > ASSESSMENT_NOTE_MAX:
        raise ApplicationError(
            _("The note is too long (at most %(n)d characters).") % {"n": ASSESSMENT_NOTE_MAX},
            code="invalid",
            field_errors={"note": [_("At most %(n)d characters.") % {"n": ASSESSMENT_NOTE_MAX}]},
        )
    key = {"indicator_code": shortfall.indicator.node.code, "unit_id": shortfall.unit_id}
    year = shortfall.period_start.year
    # Locked, so two clicks at once make one record (or remove it once).
    record = Assessment.objects.select_for_update().filter(**key, year=year).first()
    if not assessed:
        if record is not None:
            record._history_user = actor.user
            record.delete()
        return None
    if record is None:
        record = Assessment(tenant=current_tenant(), **key, year=year, assessed_by=actor, assessed_at=timezone.now())
    elif note is None or record.note == note:
        return record
    record.note = note if note is not None else ""
    record._history_user = actor.user
    record.save()
    return record
