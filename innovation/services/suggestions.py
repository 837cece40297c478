"""Rationalization suggestions (合理化建议): submitted → evaluated → adopted / not adopted → implemented."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from lean.errors import ApplicationError
from lean.models import Membership
from lean.notify import notify
from lean.permissions import require
from lean.selectors import unit_managers
from lean.tenancy import current_tenant

from ..models import Contribution, ContributionType, Credit, Suggestion
from .contributions import HUNDRED, Levels, _apply_score, _credits
from .scoring import innovation_setup

State = Suggestion.State


def _required(**fields) -> None:
    missing = {name: [_("Required.")] for name, value in fields.items() if not (value or "").strip()}
    if missing:
        raise ApplicationError(_("Fill in the required fields."), code="invalid", field_errors=missing)


@transaction.atomic
def suggestion_submit(
    *, actor: Membership, title: str, problem: str, proposal: str, expected_benefit: str = ""
) -> Suggestion:
    """An employee submits a suggestion for their unit; the unit's managers are told."""
    require(actor, "innovation.participate", message=_("Your role only reads: it changes nothing."))
    _required(title=title, problem=problem, proposal=proposal)
    suggestion = Suggestion(
        tenant=current_tenant(),
        proposer=actor,
        unit=actor.unit,
        title=title.strip(),
        problem=problem.strip(),
        proposal=proposal.strip(),
        expected_benefit=expected_benefit.strip(),
    )
    suggestion._history_user = actor.user
    suggestion.save()
    notify(
        recipients=unit_managers(actor.unit),
        title=_("New suggestion: %(title)s") % {"title": suggestion.title},
        url=suggestion_url(suggestion),
        exclude=actor,
    )
    return suggestion


def suggestion_url(suggestion: Suggestion) -> str:
    from django.urls import reverse

    return reverse(
        "innovation-suggestion", kwargs={"tenant_slug": current_tenant().slug, "suggestion_id": suggestion.pk}
    )


def _locked(suggestion: Suggestion, actor: Membership) -> Suggestion:
    suggestion = Suggestion.objects.select_for_update().select_related("unit", "proposer").get(pk=suggestion.pk)
    require(
        actor,
        "innovation.suggestion.evaluate",
        suggestion,
        message=_("Only the unit's manager or the lean office decides on suggestions."),
    )
    return suggestion


def _save(suggestion: Suggestion, actor: Membership) -> Suggestion:
    suggestion._history_user = actor.user
    suggestion.save()
    notify(
        recipients=[suggestion.proposer],
        title=_("Your suggestion %(title)s: %(state)s")
        % {"title": suggestion.title, "state": suggestion.get_state_display()},
        body=suggestion.decision_reason or suggestion.evaluation,
        url=suggestion_url(suggestion),
        exclude=actor,
    )
    return suggestion


@transaction.atomic
def suggestion_evaluate(*, actor: Membership, suggestion: Suggestion, evaluation: str) -> Suggestion:
    suggestion = _locked(suggestion, actor)
    if suggestion.state not in (State.SUBMITTED, State.EVALUATED):
        raise ApplicationError(_("This suggestion is already decided."), code="wrong_state")
    _required(evaluation=evaluation)
    suggestion.state, suggestion.evaluation = State.EVALUATED, evaluation.strip()
    suggestion.evaluated_by, suggestion.evaluated_at = actor, timezone.now()
    return _save(suggestion, actor)


@transaction.atomic
def suggestion_decide(
    *, actor: Membership, suggestion: Suggestion, adopt: bool, reason: str = "", levels: Levels | None = None
) -> Suggestion:
    """Adopt (the proposer's contribution is recorded, verified, with the levels given) or not adopt (a reason
    is required). Only an evaluated suggestion is decided."""
    suggestion = _locked(suggestion, actor)
    if suggestion.state != State.EVALUATED:
        raise ApplicationError(_("Evaluate the suggestion first."), code="wrong_state")
    if not adopt and not reason.strip():
        raise ApplicationError(_("Give a reason."), code="reason_required", field_errors={"reason": []})
    now = timezone.now()
    suggestion.state = State.ADOPTED if adopt else State.NOT_ADOPTED
    suggestion.decision_reason, suggestion.decided_by, suggestion.decided_at = reason.strip(), actor, now
    if adopt:
        innovation_setup()
        contribution = Contribution(
            tenant=suggestion.tenant,
            type=ContributionType.objects.get(code="suggestion"),
            unit=suggestion.unit,
            title=suggestion.title,
            description=suggestion.proposal,
            occurred_on=timezone.localdate(),
            suggestion=suggestion,
            status=Contribution.Status.VERIFIED,
            recorded_by=actor,
            verified_by=actor,
            verified_at=now,
        )
        _apply_score(contribution, levels or Levels())
        contribution._history_user = actor.user
        contribution.save()
        bulk_create_with_history(
            _credits(contribution, [(suggestion.proposer, HUNDRED)]), Credit, default_user=actor.user
        )
    return _save(suggestion, actor)


@transaction.atomic
def suggestion_implement(*, actor: Membership, suggestion: Suggestion, note: str = "") -> Suggestion:
    suggestion = _locked(suggestion, actor)
    if suggestion.state != State.ADOPTED:
        raise ApplicationError(_("Only an adopted suggestion is implemented."), code="wrong_state")
    suggestion.state, suggestion.implemented_at = State.IMPLEMENTED, timezone.now()
    suggestion.implementation_note = note.strip()
    return _save(suggestion, actor)
