"""Contributions: recording, verification, rejection, explicit re-scoring, and the points a closed lean project
gives its team (exactly once)."""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from lean.errors import ApplicationError, Forbidden
from lean.models import Membership, Unit
from lean.permissions import can, require
from lean.tenancy import current_tenant

from .. import points
from ..models import Contribution, ContributionType, Credit, Rescore
from .scoring import rule_version_for, score, types_for_unit

HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Levels:
    positioning: str = "general"
    breadth: str = "team"
    complexity: str = "low"
    award: str = "none"


def _sample(kind: ContributionType, levels: Levels) -> points.Sample:
    return points.Sample(kind.code, levels.positioning, levels.breadth, levels.complexity, levels.award)


def _check_team(team: list[tuple[Membership, Decimal]]) -> list[tuple[Membership, Decimal]]:
    """Distinct active people whose shares (each above 0, two decimals) add up to exactly 100."""
    errors, seen, clean = [], set(), []
    for index, (member, share) in enumerate(team):
        try:
            share = Decimal(str(share))
        except InvalidOperation:
            errors.append(_("Line %(n)d: the share is not a number.") % {"n": index + 1})
            continue
        if member is None or not member.active:
            errors.append(_("Line %(n)d: choose an active person.") % {"n": index + 1})
        elif member.pk in seen:
            errors.append(_("Line %(n)d: %(name)s is named twice.") % {"n": index + 1, "name": member})
        if share <= 0 or share > HUNDRED or share.as_tuple().exponent < -2:
            errors.append(_("Line %(n)d: a share is above 0 and at most 100, with two decimals.") % {"n": index + 1})
        if member is not None:
            seen.add(member.pk)
        clean.append((member, share))
    if not team:
        errors.append(_("Name at least one person."))
    elif not errors and sum(s for _m, s in clean) != HUNDRED:
        errors.append(_("The shares add up to %(sum)s%%, not 100%%.") % {"sum": sum(s for _m, s in clean)})
    if errors:
        raise ApplicationError(errors[0], code="invalid_team", field_errors={"team": errors})
    return clean


def _apply_score(contribution: Contribution, levels: Levels) -> None:
    kind = contribution.type
    total, breakdown, version, tuning = score(
        kind=kind, unit=contribution.unit, day=contribution.occurred_on, sample=_sample(kind, levels)
    )
    contribution.positioning, contribution.breadth = levels.positioning, levels.breadth
    contribution.complexity, contribution.award = levels.complexity, levels.award
    contribution.points, contribution.scoring, contribution.rule_version, contribution.tuning = (
        total,
        breakdown,
        version,
        tuning,
    )


def _credits(contribution: Contribution, team) -> list[Credit]:
    shares = [share for _member, share in team]
    return [
        Credit(tenant=contribution.tenant, contribution=contribution, member=member, share=share, points=part)
        for (member, share), part in zip(team, points.split(contribution.points, shares), strict=True)
    ]


def _resplit(contribution: Contribution, actor_user=None) -> None:
    credits = list(contribution.credits.order_by("id"))
    parts = points.split(contribution.points, [c.share for c in credits])
    for credit, part in zip(credits, parts, strict=True):
        credit.points = part
    bulk_update_with_history(credits, Credit, ["points"], default_user=actor_user)


@transaction.atomic
def contribution_record(
    *,
    actor: Membership,
    kind: ContributionType,
    title: str,
    occurred_on,
    levels: Levels,
    team: list[tuple[Membership, Decimal]] | None = None,
    unit: Unit | None = None,
    description: str = "",
) -> Contribution:
    """Record a contribution. An employee records their own one-page improvements and OPLs; a manager records
    QC circle activities for a team with shares. Someone who may verify it (the unit's manager, the lean
    office) records it verified; otherwise it waits for them."""
    require(actor, "innovation.participate", message=_("Your role only reads: it changes nothing."))
    unit = unit or actor.unit
    if kind.recorded_by == ContributionType.RecordedBy.SYSTEM:
        raise ApplicationError(
            _("%(type)s is recorded automatically.") % {"type": kind.name}, code="recorded_automatically"
        )
    may_verify = can(actor, "innovation.contribution.verify", unit)
    if kind.recorded_by == ContributionType.RecordedBy.MANAGER and not may_verify:
        raise Forbidden(_("%(type)s is recorded by the unit's manager or the lean office.") % {"type": kind.name})
    if not may_verify and unit.pk != actor.unit_id:
        raise Forbidden(_("You record contributions for your own unit."))
    if not types_for_unit(unit).filter(pk=kind.pk).exists():
        raise ApplicationError(_("This type is not used in this unit."), code="invalid_type", field_errors={"type": []})
    if not title.strip():
        raise ApplicationError(_("Give it a title."), code="invalid", field_errors={"title": [_("Required.")]})
    if occurred_on > timezone.localdate():
        raise ApplicationError(_("The date is in the future."), code="invalid", field_errors={"occurred_on": []})
    team = _check_team(team or [(actor, HUNDRED)])
    if not may_verify and actor.pk not in {m.pk for m, _s in team}:
        raise Forbidden(_("Record your own contributions; name yourself in the team."))
    contribution = Contribution(
        tenant=current_tenant(),
        type=kind,
        unit=unit,
        title=title.strip(),
        description=description.strip(),
        occurred_on=occurred_on,
        recorded_by=actor,
    )
    _apply_score(contribution, levels)
    if may_verify:
        contribution.status = Contribution.Status.VERIFIED
        contribution.verified_by, contribution.verified_at = actor, timezone.now()
    contribution._history_user = actor.user
    contribution.save()
    bulk_create_with_history(_credits(contribution, team), Credit, default_user=actor.user)
    return contribution


def _locked(contribution: Contribution) -> Contribution:
    return Contribution.objects.select_for_update().select_related("type", "unit").get(pk=contribution.pk)


@transaction.atomic
def contribution_verify(*, actor: Membership, contribution: Contribution, levels: Levels | None = None) -> Contribution:
    """The unit's manager or the lean office confirms a contribution, adjusting its levels if needed (the
    points follow, with the rules of its date)."""
    contribution = _locked(contribution)
    require(
        actor,
        "innovation.contribution.verify",
        contribution.unit,
        message=_("Only the unit's manager or the lean office verifies."),
    )
    if contribution.status != Contribution.Status.SUBMITTED:
        raise ApplicationError(_("This contribution is already decided."), code="wrong_state")
    if levels is not None:
        _apply_score(contribution, levels)
    contribution.status = Contribution.Status.VERIFIED
    contribution.verified_by, contribution.verified_at = actor, timezone.now()
    contribution._history_user = actor.user
    contribution.save()
    if levels is not None:
        _resplit(contribution, actor.user)
    return contribution


@transaction.atomic
def contribution_reject(*, actor: Membership, contribution: Contribution, reason: str) -> Contribution:
    contribution = _locked(contribution)
    require(
        actor,
        "innovation.contribution.verify",
        contribution.unit,
        message=_("Only the unit's manager or the lean office verifies."),
    )
    if contribution.status != Contribution.Status.SUBMITTED:
        raise ApplicationError(_("This contribution is already decided."), code="wrong_state")
    if not reason.strip():
        raise ApplicationError(_("Give a reason."), code="reason_required", field_errors={"reason": []})
    contribution.status, contribution.rejection_reason = Contribution.Status.REJECTED, reason.strip()
    contribution.verified_by, contribution.verified_at = actor, timezone.now()
    contribution._history_user = actor.user
    contribution.save()
    return contribution


def _snapshot(contribution: Contribution) -> dict:
    return {
        "points": str(contribution.points),
        "scoring": contribution.scoring,
        "credits": {str(c.member_id): str(c.points) for c in contribution.credits.order_by("id")},
    }


@transaction.atomic
def contribution_rescore(*, actor: Membership, contribution: Contribution, reason: str) -> Rescore:
    """Score a contribution again under the rules and tuning in force now for its date. Only ever on purpose:
    the lean office gives a reason, and the before and after are kept. Final points never change."""
    contribution = _locked(contribution)
    require(actor, "innovation.rules.manage", message=_("Only the lean office re-scores."))
    if contribution.final:
        raise ApplicationError(_("These points are final: a finalized listing locked them."), code="final")
    if not reason.strip():
        raise ApplicationError(_("Give a reason."), code="reason_required", field_errors={"reason": []})
    before, before_points, before_version = _snapshot(contribution), contribution.points, contribution.rule_version
    levels = Levels(contribution.positioning, contribution.breadth, contribution.complexity, contribution.award)
    facts = None
    if contribution.project_id:  # a closed project is placed again by the benefit bands of the rules now in force
        rules = rule_version_for(contribution.occurred_on).rules
        levels, facts = _project_levels(contribution.project, rules)
    _apply_score(contribution, levels)
    if facts is not None:
        contribution.scoring["project"] = facts
    contribution._history_user = actor.user
    contribution._change_reason = reason.strip()[:100]
    contribution.save()
    _resplit(contribution, actor.user)
    return Rescore.objects.create(
        tenant=contribution.tenant,
        contribution=contribution,
        before_points=before_points,
        after_points=contribution.points,
        before_version=before_version,
        after_version=contribution.rule_version,
        before=before,
        after=_snapshot(contribution),
        reason=reason.strip(),
        actor=actor,
    )


def _project_levels(project, rules: dict) -> tuple[Levels, dict]:
    """How a closed project scores, and the facts that placed it (kept in the contribution's scoring):
    - positioning: the higher of the tier's (an HQ-tier project is "key") and the band of the benefit finance
      signed off (the rule version's `benefit_bands`);
    - breadth: a project of several units reaches across units;
    - complexity: as the closing review's panel judged it ("medium" for a project closed before it was judged);
    - award: an excellent case counts as a company award."""
    from projects.models import BenefitSignoff, Review

    units = {project.unit_id, *project.participants.values_list("id", flat=True)}
    signoff = BenefitSignoff.objects.filter(project=project, status=BenefitSignoff.Status.SIGNED).first()
    amount = signoff.amount if signoff else None
    band = points.benefit_positioning(rules, amount)
    closing = (
        Review.objects.filter(project=project, kind=Review.Kind.CLOSING)
        .exclude(result__in=["", Review.Result.FAIL])
        .order_by("-round")
        .first()
    )
    complexity = (closing.complexity if closing else "") or "medium"
    levels = Levels(
        positioning=points.higher_positioning("key" if project.tier == "hq" else "general", band),
        breadth="cross_unit" if len(units) > 1 else "unit",
        complexity=complexity,
        award="company" if project.excellent else "none",
    )
    facts = {
        "signed_off_benefit": str(amount) if amount is not None else None,
        "benefit_band": band,
        "judged_complexity": closing.complexity if closing else "",
    }
    return levels, facts


def contribution_from_project(*, project) -> Contribution | None:
    """The contribution a closed project gives its team, created once: closing twice, a retried signal or two
    workers at once all end with the one row (the project row is locked, and a unique constraint stands
    behind the lock)."""
    from projects.models import Project, State

    kind = ContributionType.objects.filter(code="project").first()
    if kind is None:
        from .scoring import innovation_setup

        innovation_setup()
        kind = ContributionType.objects.get(code="project")
    try:
        with transaction.atomic():
            project = Project.objects.select_for_update().get(pk=project.pk)
            if project.state not in (State.CLOSED, State.FILED):
                return None
            existing = Contribution.objects.filter(project=project).first()
            if existing is not None:
                return existing
            team = [(t.member, t.share) for t in project.team.select_related("member").order_by("id")]
            if not team:
                return None
            day = timezone.localdate(project.state_changed_at or timezone.now())  # the tenant's day, not UTC's
            contribution = Contribution(
                tenant=project.tenant,
                type=kind,
                unit=project.unit,
                title=f"{project.code} {project.title}"[:200],
                occurred_on=day,
                project=project,
                status=Contribution.Status.VERIFIED,
                verified_at=timezone.now(),
            )
            levels, facts = _project_levels(project, rule_version_for(day).rules)
            _apply_score(contribution, levels)
            contribution.scoring["project"] = facts
            contribution.save()
            bulk_create_with_history(_credits(contribution, team), Credit)
            return contribution
    except IntegrityError:
        return Contribution.objects.get(project=project)
