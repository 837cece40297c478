"""Writes of projects: keyword-only, one transaction each, audited. The lifecycle goes through
project_transition only (see projects/workflow.py)."""

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from simple_history.utils import bulk_create_with_history

from lean.access import ancestor_paths, is_within, subtree_q
from lean.errors import ApplicationError, Forbidden
from lean.models import Membership, Role, Unit
from lean.notify import notify
from lean.tenancy import current_tenant
from targets.models import Indicator, Shortfall

from . import similarity, workflow
from .models import (
    Attachment,
    Complexity,
    Criterion,
    ProgressNote,
    Project,
    ProjectIndicator,
    ProjectShortfall,
    ProjectUnit,
    Review,
    ReviewAssignment,
    Score,
    State,
    TeamMember,
    Tier,
    Transition,
)
from .signals import project_closed

# ---------------------------------------------------------------- proposals and their parts


def _tokens(project: Project) -> list[str]:
    return similarity.tokens(project.title, project.problem)


def _next_code(year: int) -> str:
    # The (tenant, code) unique constraint is the final guard if two filings race for the same number.
    last = Project.objects.filter(year=year).aggregate(last=Max("code"))["last"]
    number = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"P{year}-{number:03d}"


def _check_direction(direction, year: int) -> None:
    """Projects are filed against a direction of their own year's guide."""
    if direction is None:
        return
    if direction.guide.year != year:
        raise ApplicationError(
            _("Choose a direction of the %(year)s guide.") % {"year": year},
            code="direction",
            field_errors={"direction": []},
        )


def _require_applicant(actor: Membership, project: Project) -> None:
    if not workflow.is_applicant(actor, project) and Role.LEAN_OFFICE not in actor.roles:
        raise Forbidden


def _require_may_file_for(actor: Membership, unit: Unit) -> None:
    """A member files for their own unit, one below it or above it; the lean office for any (fileable_units)."""
    in_unit = is_within(unit, actor.unit) or is_within(actor.unit, unit)
    if not in_unit and Role.LEAN_OFFICE not in actor.roles:
        raise Forbidden


@transaction.atomic
def project_create(
    *,
    actor: Membership,
    title: str,
    unit: Unit,
    problem: str,
    tier: str = Tier.UNIT,
    year: int | None = None,
    direction=None,
    **fields,
) -> Project:
    """A new draft, filed by a member of the unit (or a manager above it, or the lean office); the filer leads
    the team with 100% until the team is set."""
    _require_may_file_for(actor, unit)
    year = year or (direction.guide.year if direction else timezone.localdate().year)
    _check_direction(direction, year)
    project = Project(
        tenant=current_tenant(),
        title=title.strip(),
        unit=unit,
        problem=problem.strip(),
        tier=tier,
        year=year,
        direction=direction,
        created_by=actor,
        code=_next_code(year),
        **fields,
    )
    project.tokens = _tokens(project)
    project.save()
    ProjectUnit.objects.create(tenant=project.tenant, project=project, unit=unit)
    TeamMember.objects.create(tenant=project.tenant, project=project, member=actor, role="leader", share=100)
    return project


PROPOSAL_FIELDS = {"title", "unit", "tier", "direction", "problem", "management_base", "capability", "expected_effect"}
WORK_FIELDS = {
    "planned_start",
    "planned_end",
    "pdca_plan",
    "pdca_do",
    "pdca_check",
    "pdca_act",
    "estimated_benefit",
    "estimated_hours",
    "estimated_quality",
    "case_summary",
}
# What the closing review verifies: written by the team once the midterm is passed, before the closing review.
CLOSING_FIELDS = {"verified_benefit", "verified_hours", "verified_quality"}


@transaction.atomic
def project_update(*, actor: Membership, project: Project, **fields) -> Project:
    """The proposal (title, problem, unit, tier, direction, assessment) changes only while it is a draft or
    returned; the work (dates, PDCA, estimates) until the project is closed."""
    _require_applicant(actor, project)
    project = Project.objects.select_for_update().get(pk=project.pk)
    unknown = set(fields) - PROPOSAL_FIELDS - WORK_FIELDS - CLOSING_FIELDS
    if unknown:
        raise ApplicationError(_("These fields cannot be changed: %(f)s") % {"f": ", ".join(sorted(unknown))})
    if set(fields) & PROPOSAL_FIELDS and project.state not in workflow.EDITABLE:
        raise ApplicationError(
            _("The proposal can only be changed while it is a draft or returned (it is %(state)s).")
            % {"state": project.get_state_display()},
            code="locked",
        )
    correcting = workflow.in_correction(project) and set(fields) <= WORK_FIELDS  # a returned filing (备案)
    if project.state not in workflow.ACTIVE and not correcting:
        raise ApplicationError(_("A %(state)s project cannot be changed.") % {"state": project.get_state_display()})
    closing_open = project.state == State.CLOSING or (project.state == State.IN_PROGRESS and project.midterm_passed)
    if set(fields) & CLOSING_FIELDS and not closing_open:
        raise ApplicationError(
            _("Verified benefits are entered after the midterm review, until the project is closed."), code="locked"
        )
    benefits_changed = any(
        getattr(project, f) != (fields[f].strip() if isinstance(fields[f], str) else fields[f])
        for f in CLOSING_FIELDS & set(fields)
    )
    old_unit_id = project.unit_id
    if fields.get("direction") is not None:
        _check_direction(fields["direction"], project.year)
    if "unit" in fields and fields["unit"].pk != old_unit_id:
        _require_may_file_for(actor, fields["unit"])
    for name, value in fields.items():
        setattr(project, name, value.strip() if isinstance(value, str) else value)
    if project.planned_start and project.planned_end and project.planned_end < project.planned_start:
        raise ApplicationError(
            _("The planned end is before the planned start."), code="dates", field_errors={"planned_end": []}
        )
    project.tokens = _tokens(project)
    project._history_user = actor.user
    project.save()
    if benefits_changed:  # finance vouched for the old figures, not for these
        from .finance import benefit_signoff_void

        benefit_signoff_void(actor=actor, project=project)
    if project.unit_id != old_unit_id:  # the applicant unit is a participant; the old one no longer is
        ProjectUnit.objects.filter(project=project, unit_id=old_unit_id).delete()
        ProjectUnit.objects.get_or_create(project=project, unit=project.unit, defaults={"tenant": project.tenant})
    return project


@dataclass
class TeamRow:
    member: Membership
    role: str
    share: Decimal


def team_errors(rows: list[TeamRow]) -> list[str]:
    errors = []
    leaders = [r for r in rows if r.role == TeamMember.Role.LEADER]
    if len(leaders) != 1:
        errors.append(_("A team has exactly one leader."))
    if len({r.member.pk for r in rows}) != len(rows):
        errors.append(_("Someone is in the team twice."))
    if any(r.share <= 0 for r in rows):
        errors.append(_("Every share must be more than 0%."))
    total = sum((r.share for r in rows), Decimal(0))
    if total != 100:
        errors.append(_("The shares add up to %(total)s%%, not 100%%.") % {"total": total.normalize()})
    if any(not r.member.active for r in rows):
        errors.append(_("Inactive people cannot join a team."))
    return errors


@transaction.atomic
def team_set(*, actor: Membership, project: Project, rows: list[TeamRow]) -> list[TeamMember]:
    _require_applicant(actor, project)
    if project.state not in workflow.ACTIVE:
        raise ApplicationError(_("The team of a finished project is fixed."), code="locked")
    errors = team_errors(rows)
    if errors:
        raise ApplicationError(" ".join(errors), code="team", field_errors={"team": errors})
    for member in TeamMember.objects.filter(project=project):
        member.delete()  # one by one: the history keeps who was in the team
    team = [
        TeamMember(tenant=project.tenant, project=project, member=r.member, role=r.role, share=r.share) for r in rows
    ]
    bulk_create_with_history(team, TeamMember, default_user=actor.user)
    return team


@dataclass
class IndicatorRow:
    indicator: Indicator
    baseline: Decimal
    goal: Decimal
    achieved: Decimal | None = None


@transaction.atomic
def indicators_set(*, actor: Membership, project: Project, rows: list[IndicatorRow]) -> None:
    """The indicators the project attacks, with baseline and goal (and, at closing, what was achieved)."""
    _require_applicant(actor, project)
    if project.state not in workflow.ACTIVE:
        raise ApplicationError(_("The indicators of a finished project are fixed."), code="locked")
    if len({r.indicator.pk for r in rows}) != len(rows):
        raise ApplicationError(_("An indicator is listed twice."), field_errors={"indicators": []})
    for row in rows:
        if row.goal == row.baseline:
            raise ApplicationError(
                _("The goal of %(code)s equals its baseline.") % {"code": row.indicator.node.code},
                field_errors={"indicators": []},
            )
        if row.indicator.node.tree.year != project.year:
            raise ApplicationError(
                _("%(code)s is an indicator of the %(year)s target tree, not of the project's year.")
                % {"code": row.indicator.node.code, "year": row.indicator.node.tree.year},
                field_errors={"indicators": []},
            )
    for link in ProjectIndicator.objects.filter(project=project):
        link.delete()
    bulk_create_with_history(
        [
            ProjectIndicator(
                tenant=project.tenant,
                project=project,
                indicator=r.indicator,
                baseline=r.baseline,
                goal=r.goal,
                achieved=r.achieved,
            )
            for r in rows
        ],
        ProjectIndicator,
        default_user=actor.user,
    )


@transaction.atomic
def shortfalls_set(*, actor: Membership, project: Project, shortfalls) -> None:
    """The shortfalls the project attacks: once it is approved, it covers their indicators and units over its
    span (projects/selectors/coverage.py)."""
    _require_applicant(actor, project)
    wanted = {s.pk for s in shortfalls}
    have = set(ProjectShortfall.objects.filter(project=project).values_list("shortfall_id", flat=True))
    # A new link must be a shortfall of the project's unit or below it (the filing page offers no other); links
    # already there (from a merge, or before the unit changed) may stay.
    added = Shortfall.objects.filter(pk__in=wanted - have)
    if added.exclude(subtree_q(project.unit)).exists():
        raise Forbidden
    for link in ProjectShortfall.objects.filter(project=project).exclude(shortfall_id__in=wanted):
        link.delete()
    have &= wanted
    bulk_create_with_history(
        [ProjectShortfall(tenant=project.tenant, project=project, shortfall_id=pk) for pk in wanted - have],
        ProjectShortfall,
        default_user=actor.user,
    )


def _visible_to_team_or_office(actor: Membership, project: Project) -> bool:
    on_team = TeamMember.objects.filter(project=project, member=actor).exists()
    return on_team or workflow.is_applicant(actor, project) or workflow.is_approver(actor, project)


@transaction.atomic
def note_add(*, actor: Membership, project: Project, text: str) -> ProgressNote:
    if not _visible_to_team_or_office(actor, project) and Role.LEAN_OFFICE not in actor.roles:
        raise Forbidden
    if not text.strip():
        raise ApplicationError(_("Write something first."), field_errors={"text": []})
    return ProgressNote.objects.create(tenant=project.tenant, project=project, author=actor, text=text.strip())


MAX_ATTACHMENT = 10 * 1024 * 1024
# extension → the first bytes a real file of that type starts with (Office files are zip archives).
SIGNATURES = {
    "pdf": [b"%PDF"],
    "docx": [b"PK\x03\x04"],
    "xlsx": [b"PK\x03\x04"],
    "pptx": [b"PK\x03\x04"],
    "png": [b"\x89PNG"],
    "jpg": [b"\xff\xd8\xff"],
    "jpeg": [b"\xff\xd8\xff"],
    "txt": [],
    "csv": [],
}


@transaction.atomic
def attachment_add(*, actor: Membership, project: Project, upload) -> Attachment:
    """Attach a file: at most 10 MB, of a known office, PDF, image or text type, checked by its content too."""
    if not _visible_to_team_or_office(actor, project) and Role.LEAN_OFFICE not in actor.roles:
        raise Forbidden
    return attachment_save(actor=actor, project=project, upload=upload, name=attachment_check(upload))


def attachment_check(upload) -> str:
    """The checks every file stored with a project passes (type by name and content, size); its name to keep."""
    name = upload.name.rsplit("/", 1)[-1][:200]
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in SIGNATURES:
        raise ApplicationError(
            _("Only PDF, Word, Excel, PowerPoint, PNG, JPEG, text and CSV files can be attached."),
            code="file_type",
            field_errors={"file": []},
        )
    if upload.size > MAX_ATTACHMENT:
        raise ApplicationError(
            _("The file is larger than %(size)s MB.") % {"size": MAX_ATTACHMENT // (1024 * 1024)},
            code="file_size",
            field_errors={"file": []},
        )
    if upload.size == 0:
        raise ApplicationError(_("The file is empty."), code="file_empty", field_errors={"file": []})
    head = upload.read(8)
    upload.seek(0)
    signatures = SIGNATURES[extension]
    if signatures and not any(head.startswith(s) for s in signatures):
        raise ApplicationError(
            _("The file's content does not match its .%(ext)s name.") % {"ext": extension},
            code="file_type",
            field_errors={"file": []},
        )
    if not signatures and b"\x00" in upload.read(4096):
        raise ApplicationError(_("This is not a text file."), code="file_type", field_errors={"file": []})
    upload.seek(0)
    return name


def attachment_save(*, actor: Membership, project: Project, upload, name: str) -> Attachment:
    """Store a file that passed attachment_check (the caller checks who may)."""
    attachment = Attachment(
        tenant=project.tenant,
        project=project,
        name=name,
        size=upload.size,
        content_type=getattr(upload, "content_type", "") or "application/octet-stream",
        uploaded_by=actor,
    )
    attachment.file.save(name, upload, save=False)
    attachment.save()
    return attachment


# ---------------------------------------------------------------- the lifecycle


def _project_url(project: Project) -> str:
    return reverse("projects-detail", kwargs={"tenant_slug": project.tenant.slug, "project_id": project.pk})


def _concerned(project: Project, action: str = "") -> list[Membership]:
    """The team, the unit's managers, and the lean office for HQ-tier projects, a filing (备案) it receives and a
    unit-tier proposal that went up to it."""
    people = [t.member for t in project.team.select_related("member__user")] + [project.created_by]
    managers = Membership.objects.filter(
        roles__contains=[Role.UNIT_MANAGER], active=True, unit__path__in=ancestor_paths(project.unit)
    ).select_related("user")
    people += list(managers)
    if project.tier == Tier.HQ or action == "file" or (action == "submit" and workflow.escalated(project)):
        people += list(
            Membership.objects.filter(roles__contains=[Role.LEAN_OFFICE], active=True).select_related("user")
        )
    return people


@transaction.atomic
def project_transition(
    *, actor: Membership, project: Project, action: str, reason: str = "", into: Project | None = None, review=None
) -> Project:
    """Take a lifecycle action. The row is locked first and the state checked again, so of two people acting at
    the same moment only the first succeeds; the second gets a clear refusal."""
    step = workflow.ACTIONS.get(action)
    if step is None:
        raise ApplicationError(_("Unknown action %(action)s.") % {"action": action}, code="unknown_action")
    if action == "merge" and into is not None:  # both rows, in one order: two opposite merges at once deadlock
        list(Project.objects.select_for_update().filter(pk__in=[project.pk, into.pk]).order_by("pk").values_list("pk"))
    # of=self: the project's row only, not also its unit's and the tenant's (every transition would queue on it).
    project = Project.objects.select_for_update(of=("self",)).select_related("unit", "tenant").get(pk=project.pk)
    if project.state not in step.sources or project.tier not in step.tiers:
        raise ApplicationError(
            _("“%(action)s” is not possible while the project is %(state)s.")
            % {"action": step.label, "state": project.get_state_display()},
            code="wrong_state",
        )
    if not workflow.allowed(actor, project, step, review=review):
        if action == "request_closing" and not project.midterm_passed:
            raise ApplicationError(_("The midterm review has to be passed first."), code="midterm_first")
        if step.who == "filing_office" and project.filing_acknowledged_at is not None:
            raise ApplicationError(_("This filing was already acknowledged."), code="already_acknowledged")
        raise Forbidden(workflow.refusal(actor, project, step))
    if step.needs_reason and not reason.strip():
        raise ApplicationError(_("Give a reason."), code="reason_required", field_errors={"reason": []})
    if action == "submit":
        _check_complete(project)
    if action == "merge":
        _merge(project, into)
    if action == "request_closing":
        _check_closing_ready(project)
    if action == "close":
        from .finance import check_signed_off

        check_signed_off(project)
    previous = project.state
    if step.target != previous:
        project.state, project.state_changed_at = step.target, timezone.now()
    if action == "midterm_pass":
        project.midterm_passed = True
    if action == "file":
        project.filing_return_reason = ""
    if action == "acknowledge_filing":
        project.filing_acknowledged_at, project.filing_acknowledged_by = timezone.now(), actor
    if action == "return_filing":
        project.filing_return_reason = reason.strip()
    project._history_user = actor.user
    project.save()
    Transition.objects.create(
        tenant=project.tenant,
        project=project,
        action=action,
        from_state=previous,
        to_state=project.state,
        actor=actor,
        reason=reason.strip(),
    )
    if action in ("request_midterm", "request_closing"):
        _open_review(project, Review.Kind.MIDTERM if action == "request_midterm" else Review.Kind.CLOSING)
    if action == "close":
        transaction.on_commit(lambda: project_closed.send(sender=Project, project=project))
    notify(
        recipients=_concerned(project, action),
        title=_("%(code)s %(title)s: %(action)s")
        % {"code": project.code, "title": project.title, "action": step.label},
        body=reason.strip(),
        url=_project_url(project),
        exclude=actor,
    )
    return project


def _check_complete(project: Project) -> None:
    missing = []
    if not project.problem:
        missing.append(_("the problem statement"))
    if not project.indicator_links.exists():
        missing.append(_("at least one indicator with baseline and goal"))
    if not (project.management_base and project.capability and project.expected_effect):
        missing.append(_("the unit's assessment (management base, capability, expected effect)"))
    if not (project.planned_start and project.planned_end):
        missing.append(_("the planned dates"))
    if missing:
        raise ApplicationError(
            _("Before submitting, add %(missing)s.") % {"missing": "; ".join(str(m) for m in missing)},
            code="incomplete",
        )


def _check_closing_ready(project: Project) -> None:
    if project.verified_benefit is None:
        raise ApplicationError(_("Enter the verified benefits before the closing review."), code="closing_data")
    if project.indicator_links.filter(achieved=None).exists():
        raise ApplicationError(_("Enter the achieved value of every indicator first."), code="closing_data")


def _merge(project: Project, into: Project | None) -> None:
    """整合研究: the proposal joins `into`; its units become participants and its shortfalls are attacked there."""
    if into is None or into.pk == project.pk:
        raise ApplicationError(_("Choose the project to merge into."), code="merge_target", field_errors={"into": []})
    into = Project.objects.select_for_update().get(pk=into.pk)
    if into.state not in (State.SUBMITTED, State.APPROVED, State.IN_PROGRESS) or into.year != project.year:
        raise ApplicationError(
            _("Proposals merge into a submitted, approved or running project of the same year."), code="merge_target"
        )
    project.merged_into = into
    have = set(ProjectUnit.objects.filter(project=into).values_list("unit_id", flat=True))
    units = set(ProjectUnit.objects.filter(project=project).values_list("unit_id", flat=True)) | {project.unit_id}
    bulk_create_with_history(
        [ProjectUnit(tenant=into.tenant, project=into, unit_id=pk) for pk in units - have], ProjectUnit
    )
    taken = set(ProjectShortfall.objects.filter(project=into).values_list("shortfall_id", flat=True))
    mine = set(ProjectShortfall.objects.filter(project=project).values_list("shortfall_id", flat=True))
    bulk_create_with_history(
        [ProjectShortfall(tenant=into.tenant, project=into, shortfall_id=pk) for pk in mine - taken], ProjectShortfall
    )


def _open_review(project: Project, kind: str) -> Review:
    rounds = Review.objects.filter(project=project, kind=kind).count()
    return Review.objects.create(tenant=project.tenant, project=project, kind=kind, round=rounds + 1)


# ---------------------------------------------------------------- reviews

PASS_SCORE = Decimal(80)
CONDITIONAL_SCORE = Decimal(60)


def suggested_result(score: Decimal | None) -> str:
    """What the scores say: pass from 80, pass with conditions from 60, fail below."""
    if score is None:
        return ""
    if score >= PASS_SCORE:
        return Review.Result.PASS
    if score >= CONDITIONAL_SCORE:
        return Review.Result.CONDITIONAL
    return Review.Result.FAIL


def weighted(scores: dict, weights: dict) -> Decimal:
    """One reviewer's score: Σ weight × score / Σ weight over the criteria, to two decimals."""
    total_weight = sum(weights[c] for c in scores)
    value = sum(weights[c] * s for c, s in scores.items()) / total_weight
    return value.quantize(Decimal("0.01"))


def review_score(review: Review) -> Decimal | None:
    """The panel's score: the mean of the submitted reviewers' weighted scores (bounded queries)."""
    weights = {c.pk: c.weight for c in Criterion.objects.all()}
    per_reviewer: dict[int, dict] = {}
    for score in Score.objects.filter(assignment__review=review, assignment__submitted_at__isnull=False):
        per_reviewer.setdefault(score.assignment_id, {})[score.criterion_id] = score.value
    if not per_reviewer:
        return None
    totals = [weighted(scores, weights) for scores in per_reviewer.values()]
    return (sum(totals) / len(totals)).quantize(Decimal("0.01"))


def _open(review: Review) -> Review:
    review = Review.objects.select_for_update().select_related("project__unit").get(pk=review.pk)
    if review.result:
        raise ApplicationError(_("This review is already decided."), code="decided")
    return review


@transaction.atomic
def review_setup(
    *, actor: Membership, review: Review, reviewers: list[Membership], chair: Membership, scheduled_for=None
) -> Review:
    """The lean office (HQ tier) or the unit's manager (unit tier) names the panel and its chair."""
    review = _open(review)
    if not workflow.is_organiser(actor, review.project):
        raise Forbidden
    if not reviewers:
        raise ApplicationError(_("A panel needs at least one reviewer."), field_errors={"reviewers": []})
    if chair.pk not in {r.pk for r in reviewers}:
        raise ApplicationError(_("The chair must be on the panel."), field_errors={"chair": []})
    # Separation of duties: nobody judges a project they filed or work on, nor one of their own unit (or below).
    barred = [r for r in reviewers if not workflow.may_review(r, review.project)]
    if barred:
        raise ApplicationError(
            _("%(names)s filed this project, are on its team or belong to its unit, and cannot review it.")
            % {"names": "、".join(str(r) for r in barred)},
            code="own_project",
            field_errors={"reviewers": []},
        )
    if any(Role.REVIEWER not in r.roles for r in reviewers):
        raise ApplicationError(_("Only reviewers can sit on a panel."), field_errors={"reviewers": []})
    keep = {r.pk for r in reviewers}
    for assignment in ReviewAssignment.objects.filter(review=review).exclude(reviewer_id__in=keep):
        if assignment.submitted_at:
            raise ApplicationError(
                _("%(name)s has already scored; they stay on the panel.") % {"name": assignment.reviewer},
                field_errors={"reviewers": []},
            )
        assignment.delete()
    have = set(ReviewAssignment.objects.filter(review=review).values_list("reviewer_id", flat=True))
    bulk_create_with_history(
        [ReviewAssignment(tenant=review.tenant, review=review, reviewer_id=pk) for pk in keep - have],
        ReviewAssignment,
        default_user=actor.user,
    )
    review.chair, review.scheduled_for = chair, scheduled_for
    review._history_user = actor.user
    review.save()
    notify(
        recipients=[r for r in reviewers if r.pk not in have],
        title=_("Review to score: %(code)s %(title)s") % {"code": review.project.code, "title": review.project.title},
        url=reverse("projects-review", kwargs={"tenant_slug": review.tenant.slug, "review_id": review.pk}),
        exclude=actor,
    )
    return review


@transaction.atomic
def review_submit_scores(*, actor: Membership, review: Review, scores: dict, comment: str = "") -> ReviewAssignment:
    """A panel member scores every active criterion from 0 to 100; they may correct until the decision."""
    review = _open(review)
    assignment = ReviewAssignment.objects.filter(review=review, reviewer=actor).first()
    if assignment is None:
        raise Forbidden
    if not workflow.may_review(actor, review.project):  # joined the team, or moved into the unit, since the setup
        raise Forbidden(_("You filed this project or are on its team, so you cannot score it."))
    criteria = {c.pk: c for c in Criterion.objects.filter(active=True)}
    errors = {}
    for pk, criterion in criteria.items():
        value = scores.get(pk)
        if value is None:
            errors[criterion.code] = [_("Score %(name)s.") % {"name": criterion.name}]
        elif not Decimal(0) <= value <= Decimal(100):
            errors[criterion.code] = [_("A score is between 0 and 100.")]
    if errors:
        raise ApplicationError(_("Every criterion needs a score from 0 to 100."), code="scores", field_errors=errors)
    Score.objects.filter(assignment=assignment).delete()
    bulk_create_with_history(
        [Score(tenant=review.tenant, assignment=assignment, criterion_id=pk, value=scores[pk]) for pk in criteria],
        Score,
        default_user=actor.user,
    )
    assignment.comment, assignment.submitted_at = comment.strip(), timezone.now()
    assignment._history_user = actor.user
    assignment.save()
    review.score = review_score(review)
    review.suggested = suggested_result(review.score)
    review.save(update_fields=["score", "suggested"])
    return assignment


@transaction.atomic
def review_decide(
    *,
    actor: Membership,
    review: Review,
    result: str,
    conditions: str = "",
    excellent: bool = False,
    complexity: str = "",
) -> Review:
    """The chair decides from the scores. Deciding otherwise than the scores suggest, or with conditions, needs a
    written reason. The decision moves the project: a failed midterm or closing returns it to work."""
    review = _open(review)
    if review.chair_id != actor.pk:
        raise Forbidden
    if workflow.is_own(actor, review.project):
        raise Forbidden(workflow.OWN_PROJECT["chair"])
    if result not in Review.Result.values:
        raise ApplicationError(_("Choose pass, pass with conditions or fail."), field_errors={"result": []})
    if not ReviewAssignment.objects.filter(review=review, submitted_at__isnull=False).exists():
        raise ApplicationError(_("No reviewer has scored yet."), code="no_scores")
    pending = ReviewAssignment.objects.filter(review=review, submitted_at=None).count()
    if pending:
        raise ApplicationError(
            _("%(count)s reviewer(s) have not scored yet.") % {"count": pending}, code="scores_pending"
        )
    review.score = review_score(review)
    review.suggested = suggested_result(review.score)
    needs_reason = result != review.suggested or result == Review.Result.CONDITIONAL
    if needs_reason and not conditions.strip():
        raise ApplicationError(
            _("Write the conditions, or why the decision differs from the scores."),
            code="reason_required",
            field_errors={"conditions": []},
        )
    if excellent and (review.kind != Review.Kind.CLOSING or result == Review.Result.FAIL):
        raise ApplicationError(_("Only a passed closing review marks an excellent case."), code="excellent")
    closes = review.kind == Review.Kind.CLOSING and result != Review.Result.FAIL
    if closes:
        from .finance import check_signed_off

        check_signed_off(review.project)
        if complexity not in Complexity.values:
            raise ApplicationError(
                _("Judge the project's complexity: it sets the team's points."),
                code="complexity_required",
                field_errors={"complexity": []},
            )
    review.complexity = complexity if closes else ""
    review.result, review.conditions, review.excellent = result, conditions.strip(), excellent
    review.decided_by, review.decided_at = actor, timezone.now()
    review._history_user = actor.user
    review.save()
    passed = result != Review.Result.FAIL
    if review.kind == Review.Kind.MIDTERM:
        action = "midterm_pass" if passed else "midterm_fail"
    else:
        action = "close" if passed else "closing_fail"
        if passed:
            Project.objects.filter(pk=review.project_id).update(excellent=excellent)
    project_transition(actor=actor, project=review.project, action=action, reason=conditions, review=review)
    return review


@transaction.atomic
def criteria_defaults() -> list[Criterion]:
    """The three criteria of the seed document, for a tenant that has none yet."""
    if Criterion.objects.exists():
        return list(Criterion.objects.all())
    tenant = current_tenant()
    with translation.override(tenant.default_language):  # the tenant's content, in the tenant's language
        return _default_criteria(tenant)


def _default_criteria(tenant) -> list[Criterion]:
    rows = [
        ("coverage", _("Coverage"), _("How widely the result applies (覆盖面)"), 30),
        ("innovation", pgettext("review criterion", "Innovation"), _("How new the approach is (创新度)"), 30),
        ("contribution", _("Contribution"), _("What it adds to the indicators and benefits (贡献度)"), 40),
    ]
    return bulk_create_with_history(
        [
            Criterion(tenant=tenant, code=code, name=str(name), description=str(text), weight=w, position=i)
            for i, (code, name, text, w) in enumerate(rows)
        ],
        Criterion,
    )


@transaction.atomic
def criterion_save(
    *, actor: Membership, criterion: Criterion | None = None, code: str, name: str, weight, description="", active=True
) -> Criterion:
    if Role.LEAN_OFFICE not in actor.roles:
        raise Forbidden
    weight = Decimal(str(weight))
    if weight <= 0:
        raise ApplicationError(_("A weight must be greater than zero."), field_errors={"weight": []})
    clash = Criterion.objects.filter(code=code)
    if criterion is not None:
        clash = clash.exclude(pk=criterion.pk)
    if clash.exists():
        raise ApplicationError(_("Code %(code)s is already used.") % {"code": code}, field_errors={"code": []})
    criterion = criterion or Criterion(tenant=current_tenant(), position=Criterion.objects.count())
    criterion.code, criterion.name, criterion.weight = code, name, weight
    criterion.description, criterion.active = description, active
    criterion.save()
    return criterion


def shortfall_projects(shortfall: Shortfall):
    return Project.objects.filter(shortfall_links__shortfall=shortfall)
