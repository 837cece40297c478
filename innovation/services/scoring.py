"""Types, rule versions and unit tunings (积分制 and 丰富和微调), and scoring a contribution with them."""

import re
from datetime import date

from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from lean.access import ancestor_ids
from lean.errors import ApplicationError, Forbidden
from lean.models import Membership, Unit
from lean.permissions import can, require
from lean.tenancy import current_tenant

from .. import points
from ..models import ContributionType, RuleVersion, UnitTuning

# The five types every tenant starts with (code, name in Chinese as the tenant sees it, who records it).
BUILTIN_TYPES = [
    ("project", "精益项目", ContributionType.RecordedBy.SYSTEM),
    ("qc", "QC小组活动", ContributionType.RecordedBy.MANAGER),
    ("one_page", "一页纸改善", ContributionType.RecordedBy.SELF),
    ("suggestion", "合理化建议", ContributionType.RecordedBy.SYSTEM),
    ("opl", "OPL一点课", ContributionType.RecordedBy.SELF),
]
FIRST_DAY = date(2000, 1, 1)


def innovation_setup() -> None:
    """Give the current tenant the built-in types and a first rule version, once."""
    tenant = current_tenant()
    if RuleVersion.objects.filter(tenant=tenant).exists():
        return
    for position, (code, name, recorded_by) in enumerate(BUILTIN_TYPES):
        ContributionType.objects.get_or_create(
            tenant=tenant,
            code=code,
            defaults={"name": name, "recorded_by": recorded_by, "builtin": True, "position": position},
        )
    RuleVersion.objects.create(
        tenant=tenant, number=1, effective_from=FIRST_DAY, rules=points.DEFAULT_RULES, note=_("Initial rules")
    )


def _hq_type_codes() -> list[str]:
    return list(ContributionType.objects.filter(unit__isnull=True).values_list("code", flat=True))


def rule_version_for(day: date) -> RuleVersion:
    """The version in force on `day`: the latest effective on or before it."""
    version = RuleVersion.objects.filter(effective_from__lte=day).order_by("-effective_from", "-number").first()
    if version is None:
        innovation_setup()
        version = RuleVersion.objects.filter(effective_from__lte=day).order_by("-effective_from", "-number").first()
    return version


def _tunings_in_force(unit: Unit, day: date) -> list[UnitTuning]:
    """Per unit on the way from the top down to `unit`, its tuning in force on `day`, nearest last (one
    query)."""
    above = ancestor_ids(unit)
    latest: dict[int, UnitTuning] = {}
    for tuning in UnitTuning.objects.filter(unit_id__in=above, effective_from__lte=day).select_related("unit"):
        held = latest.get(tuning.unit_id)
        if held is None or (tuning.effective_from, tuning.id) > (held.effective_from, held.id):
            latest[tuning.unit_id] = tuning
    return sorted(latest.values(), key=lambda t: len(t.unit.path))


def tuning_for(unit: Unit, day: date) -> UnitTuning | None:
    """The nearest tuning in force for `unit` on `day`: its own, else its nearest ancestor's."""
    tunings = _tunings_in_force(unit, day)
    return tunings[-1] if tunings else None


def tuning_values(unit: Unit, day: date) -> tuple[dict, dict, UnitTuning | None]:
    """The tuned factors and own-type bases that apply to `unit` on `day`: each unit's tuning from the top down,
    a nearer unit's value replacing a farther one's (so a sub-unit's own tuning keeps its parent's types)."""
    factors: dict = {}
    bases: dict = {}
    tunings = _tunings_in_force(unit, day)
    for tuning in tunings:
        for factor, levels in tuning.factors.items():
            factors.setdefault(factor, {}).update(levels)
        bases.update(tuning.type_base)
    return factors, bases, (tunings[-1] if tunings else None)


def _check_rules(rules: dict) -> dict:
    try:
        return points.validate_rules(rules, _hq_type_codes())
    except points.RulesError as error:
        raise ApplicationError(
            _("The rules are not valid: %(count)d problem(s).") % {"count": len(error.errors)},
            code="invalid_rules",
            field_errors={k: [v] for k, v in error.errors.items()},
        ) from error


@transaction.atomic
def rule_version_create(*, actor: Membership, rules: dict, effective_from: date, note: str = "") -> RuleVersion:
    """A new version of HQ's rules. Earlier versions stay as they are; contributions already scored keep
    theirs until someone re-scores them on purpose."""
    require(actor, "innovation.rules.manage", message=_("Only the lean office sets the points rules."))
    innovation_setup()
    clean = _check_rules(rules)
    number = (RuleVersion.objects.aggregate(n=Max("number"))["n"] or 0) + 1
    version = RuleVersion(
        tenant=current_tenant(),
        number=number,
        effective_from=effective_from,
        rules=clean,
        note=note.strip(),
        created_by=actor,
    )
    version._history_user = actor.user
    version.save()
    return version


def rules_preview(*, rules: dict, sample: points.Sample):
    """Points a sample contribution would get under rules being edited (nothing is stored)."""
    clean = _check_rules(rules)
    try:
        return points.compute(clean, sample)
    except points.RulesError as error:
        raise ApplicationError(error.errors["type"], code="invalid_rules") from error


def _own_type_codes(unit: Unit) -> list[str]:
    return list(ContributionType.objects.filter(unit=unit).values_list("code", flat=True))


def _check_tuning(unit: Unit, day: date, factors: dict, type_base: dict):
    version = rule_version_for(day)
    try:
        return points.validate_tuning(version.rules, factors, type_base, _own_type_codes(unit))
    except points.RulesError as error:
        raise ApplicationError(
            _("The tuning is outside what HQ allows: %(count)d problem(s).") % {"count": len(error.errors)},
            code="outside_bounds",
            field_errors={k: [v] for k, v in error.errors.items()},
        ) from error


@transaction.atomic
def tuning_create(
    *, actor: Membership, unit: Unit, factors: dict, type_base: dict, effective_from: date, note: str = ""
) -> UnitTuning:
    """A unit's tuning from `effective_from`, checked against the HQ bounds in force then."""
    require(
        actor,
        "innovation.tuning.manage",
        unit,
        message=_("Only the unit's manager or the lean office tunes its rules."),
    )
    clean_factors, clean_base = _check_tuning(unit, effective_from, factors, type_base)
    tuning = UnitTuning(
        tenant=current_tenant(),
        unit=unit,
        effective_from=effective_from,
        factors=clean_factors,
        type_base=clean_base,
        note=note.strip(),
        created_by=actor,
    )
    tuning._history_user = actor.user
    tuning.save()
    return tuning


def _new_code(name: str) -> str:
    base = re.sub(r"[^a-z0-9_]+", "-", name.lower()).strip("-")[:20] or "type"
    taken = set(ContributionType.objects.filter(code__startswith=base).values_list("code", flat=True))
    code, n = base, 1
    while code in taken:
        n += 1
        code = f"{base}-{n}"
    return code


@transaction.atomic
def type_create(
    *,
    actor: Membership,
    name: str,
    base,
    recorded_by: str = ContributionType.RecordedBy.SELF,
    description: str = "",
    unit: Unit | None = None,
    code: str = "",
) -> ContributionType:
    """A type added by HQ (unit=None: a new rule version gives it its base, from today) or by a unit (its own
    tuning gives the base, inside HQ's bounds for unit types)."""
    innovation_setup()
    if not name.strip():
        raise ApplicationError(_("Give the type a name."), code="invalid", field_errors={"name": [_("Required.")]})
    if recorded_by not in (ContributionType.RecordedBy.SELF, ContributionType.RecordedBy.MANAGER):
        raise ApplicationError(_("Choose who records it."), code="invalid", field_errors={"recorded_by": []})
    perm_ok = can(actor, "innovation.rules.manage") if unit is None else can(actor, "innovation.tuning.manage", unit)
    if not perm_ok:
        raise Forbidden(_("You may not add types here."))
    code = code.strip() or _new_code(name)
    if ContributionType.objects.filter(code=code).exists():
        raise ApplicationError(_("A type with this code exists."), code="duplicate", field_errors={"code": []})
    position = (ContributionType.objects.aggregate(p=Max("position"))["p"] or 0) + 1
    kind = ContributionType(
        tenant=current_tenant(),
        code=code,
        name=name.strip(),
        description=description.strip(),
        recorded_by=recorded_by,
        unit=unit,
        position=position,
    )
    kind._history_user = actor.user
    kind.save()
    today = timezone.localdate()
    if unit is None:
        current = rule_version_for(today)
        rules = {**current.rules, "base": {**current.rules["base"], code: str(base)}}
        rule_version_create(
            actor=actor, rules=rules, effective_from=today, note=_("Type added: %(name)s") % {"name": kind.name}
        )
    else:
        current = tuning_for(unit, today)
        own = current if current is not None and current.unit_id == unit.pk else None
        tuning_create(
            actor=actor,
            unit=unit,
            factors=own.factors if own else {},
            type_base={**(own.type_base if own else {}), code: str(base)},
            effective_from=today,
            note=_("Type added: %(name)s") % {"name": kind.name},
        )
    return kind


def types_for_unit(unit: Unit):
    """The active types a contribution of `unit` may have: HQ's and those of the unit or its ancestors."""
    return ContributionType.objects.filter(active=True).filter(Q(unit__isnull=True) | Q(unit_id__in=ancestor_ids(unit)))


def score(*, kind: ContributionType, unit: Unit, day: date, sample: points.Sample):
    """Score a contribution of `unit` on `day` with the rules and the unit's tuning in force then. Returns
    (points, breakdown, version, tuning)."""
    version = rule_version_for(day)
    factors, bases, tuning = tuning_values(unit, day)
    try:
        total, breakdown = points.compute(version.rules, sample, factors, bases)
    except points.RulesError as error:
        raise ApplicationError(
            _("The rules in force on %(day)s give no points for %(type)s.") % {"day": day, "type": kind.name},
            code="no_rule",
        ) from error
    breakdown.update(version=version.number, tuning=tuning.pk if tuning else None)
    return total, breakdown, version, tuning
