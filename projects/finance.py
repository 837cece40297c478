"""财务核验: a finance verifier signs off a project's verified benefits, with the calculation basis and the
evidence, before the closing review may close it.

Who: a member with the finance role verifies the projects of their unit's subtree; a finance member of the
tenant's root (HQ) unit verifies every project. Nobody signs off a project whose team they are on.
When: from the closing review on (closing, and closed or filed projects that were closed before sign-offs existed).
A standing sign-off vouches for the figures it saw: a change of the verified benefits voids it (see
projects.services.project_update), and the chair's closing decision is refused while none stands.
"""

from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Case, Exists, IntegerField, OuterRef, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from lean.access import is_within, subtree_q
from lean.errors import ApplicationError, Forbidden
from lean.models import Membership, Role, Unit
from lean.notify import notify

from .models import Attachment, BenefitSignoff, Project, State, TeamMember

# From the closing review on: the states whose verified benefits finance signs off.
SIGNOFF_STATES = (State.CLOSING, State.CLOSED, State.FILED)


def finance_scope(member: Membership | None) -> str | None:
    """The unit-path prefix of the projects `member` verifies ("" for the whole tenant), or None for a member
    who is no finance verifier."""
    if member is None or not member.active or Role.FINANCE not in member.roles:
        return None
    unit = member.unit
    if unit.parent_id is None or unit.kind == Unit.Kind.HQ:
        return ""
    return unit.path


def in_scope(member: Membership | None, project: Project) -> bool:
    scope = finance_scope(member)
    return scope is not None and is_within(project.unit, scope)


def on_team(member: Membership, project: Project) -> bool:
    return TeamMember.objects.filter(project=project, member=member).exists()


def may_sign_off(member: Membership | None, project: Project) -> bool:
    """Is `member` the one to sign off (or return) this project's benefits now?"""
    return in_scope(member, project) and project.state in SIGNOFF_STATES and not on_team(member, project)


def signoff_current(project: Project) -> BenefitSignoff | None:
    return BenefitSignoff.objects.filter(project=project, status=BenefitSignoff.Status.SIGNED).first()


def signed_q(prefix: str = "") -> Exists:
    """An expression for querysets of projects (or of rows whose `prefix` leads to a project): a standing
    sign-off exists. One subquery, no join that could repeat rows."""
    return Exists(
        BenefitSignoff.objects.filter(project_id=OuterRef(f"{prefix}pk"), status=BenefitSignoff.Status.SIGNED)
    )


def check_signed_off(project: Project) -> None:
    """Refuse (with the reason) to close a project whose verified benefits finance has not signed off."""
    if not BenefitSignoff.objects.filter(project=project, status=BenefitSignoff.Status.SIGNED).exists():
        raise ApplicationError(
            _(
                "Finance has not signed off the verified benefits yet: the project can close once a finance "
                "verifier has checked them."
            ),
            code="benefits_not_signed_off",
        )


def _require(actor: Membership, project: Project) -> Project:
    project = Project.objects.select_for_update().select_related("unit", "tenant").get(pk=project.pk)
    if not in_scope(actor, project):
        raise Forbidden
    if on_team(actor, project):
        raise ApplicationError(
            _("You are on this project's team: another finance verifier signs off its benefits."), code="own_project"
        )
    if project.state not in SIGNOFF_STATES:
        raise ApplicationError(
            _("Benefits are signed off from the closing review on (the project is %(state)s).")
            % {"state": project.get_state_display()},
            code="wrong_state",
        )
    return project


def _amount(value) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _tell_team(project: Project, actor: Membership, title: str, body: str = "") -> None:
    from .services import _concerned, _project_url

    notify(recipients=_concerned(project), title=title, body=body, url=_project_url(project), exclude=actor)


@transaction.atomic
def benefit_signoff_sign(
    *,
    actor: Membership,
    project: Project,
    amount,
    basis: str,
    evidence_upload=None,
    evidence: Attachment | None = None,
) -> BenefitSignoff:
    """Sign off the project's verified benefit: the amount (typed again, it must be the project's figure), how it
    was calculated, and the evidence — a new file (checked like every attachment, then kept with the project) or
    one of the project's attachments. Everything is checked before anything is stored."""
    from .services import attachment_check, attachment_save

    project = _require(actor, project)
    errors = {}
    if project.verified_benefit is None:
        raise ApplicationError(_("The team has not entered the verified benefit yet."), code="no_benefit")
    if BenefitSignoff.objects.filter(project=project, status=BenefitSignoff.Status.SIGNED).exists():
        raise ApplicationError(_("The verified benefits are already signed off."), code="already_signed")
    number = _amount(amount)
    if number is None:
        errors["amount"] = [_("Enter the amount in CNY.")]
    elif number != project.verified_benefit:
        errors["amount"] = [
            _(
                "The amount differs from the project's verified benefit (%(benefit)s CNY). Sign off the figure "
                "the team entered, or return it for correction."
            )
            % {"benefit": project.verified_benefit}
        ]
    if not (basis or "").strip():
        errors["basis"] = [_("Write how the benefit was calculated.")]
    if (evidence_upload is None) == (evidence is None):
        errors["evidence"] = [_("Attach the evidence, or choose one of the project's attachments.")]
    elif evidence is not None and evidence.project_id != project.pk:
        errors["evidence"] = [_("Choose an attachment of this project.")]
    name = None
    if evidence_upload is not None and "evidence" not in errors:
        try:
            name = attachment_check(evidence_upload)
        except ApplicationError as error:
            errors["evidence"] = [error.message]
    if errors:
        text = " ".join(str(m) for field in errors.values() for m in field)
        raise ApplicationError(text, code="signoff", field_errors=errors)
    if evidence_upload is not None:
        evidence = attachment_save(actor=actor, project=project, upload=evidence_upload, name=name)
    signoff = BenefitSignoff(
        tenant=project.tenant,
        project=project,
        status=BenefitSignoff.Status.SIGNED,
        amount=project.verified_benefit,
        basis=basis.strip(),
        evidence=evidence,
        signed_by=actor,
        signed_at=timezone.now(),
    )
    signoff._history_user = actor.user
    signoff.save()
    _tell_team(
        project,
        actor,
        _("%(code)s %(title)s: verified benefits signed off by finance")
        % {"code": project.code, "title": project.title},
    )
    return signoff


@transaction.atomic
def benefit_signoff_return(*, actor: Membership, project: Project, reason: str) -> BenefitSignoff:
    """Send the verified benefits back to the team for correction, with the reason. A standing sign-off cannot be
    returned: the team's change of the figures voids it."""
    project = _require(actor, project)
    if not (reason or "").strip():
        raise ApplicationError(_("Give a reason."), code="reason_required", field_errors={"reason": ["required"]})
    if BenefitSignoff.objects.filter(project=project, status=BenefitSignoff.Status.SIGNED).exists():
        raise ApplicationError(_("The verified benefits are already signed off."), code="already_signed")
    signoff = BenefitSignoff(
        tenant=project.tenant,
        project=project,
        status=BenefitSignoff.Status.RETURNED,
        amount=project.verified_benefit,
        reason=reason.strip(),
        signed_by=actor,
        signed_at=timezone.now(),
    )
    signoff._history_user = actor.user
    signoff.save()
    _tell_team(
        project,
        actor,
        _("%(code)s %(title)s: finance returned the verified benefits for correction")
        % {"code": project.code, "title": project.title},
        reason.strip(),
    )
    return signoff


def benefit_signoff_void(*, actor: Membership, project: Project) -> int:
    """The verified benefits changed: a standing sign-off no longer vouches for them. Called inside the change's
    transaction; the history keeps who changed what."""
    voided = 0
    for signoff in BenefitSignoff.objects.filter(project=project, status=BenefitSignoff.Status.SIGNED):
        signoff.status, signoff.voided_at = BenefitSignoff.Status.VOID, timezone.now()
        signoff._history_user = actor.user
        signoff.save()
        voided += 1
    return voided


# ---------------------------------------------------------------- reads


def finance_queue(*, viewer: Membership, signed: bool = False):
    """The projects in the viewer's finance scope from the closing review on, waiting for a sign-off (or, with
    `signed`, signed off), each with `signed` and `on_team` flags and its latest returned sign-off's time. A
    fixed number of queries whatever their count."""
    scope = finance_scope(viewer)
    if scope is None:
        return Project.objects.none()
    returned = BenefitSignoff.objects.filter(project_id=OuterRef("pk"), status=BenefitSignoff.Status.RETURNED)
    projects = (
        Project.objects.filter(subtree_q(scope), state__in=SIGNOFF_STATES)
        .annotate(
            signed=signed_q(),
            returned=Exists(returned),
            on_team=Exists(TeamMember.objects.filter(project_id=OuterRef("pk"), member=viewer)),
        )
        .filter(signed=signed)
        .select_related("unit")
    )
    if signed:
        return projects.order_by("-state_changed_at", "-pk")
    # Closing reviews first (they wait for finance), then projects closed before sign-offs existed.
    waiting_first = Case(When(state=State.CLOSING, then=Value(0)), default=Value(1), output_field=IntegerField())
    return projects.order_by(waiting_first, "state_changed_at", "pk")


def signoffs_of(project: Project) -> list[BenefitSignoff]:
    """A project's sign-offs, newest first, with who and the evidence (one query)."""
    return list(project.benefit_signoffs.select_related("signed_by__user", "evidence"))
