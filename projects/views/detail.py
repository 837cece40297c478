"""The project page: the proposal, its indicators, team, PDCA, benefits, shortfalls, timeline, notes and
attachments, with the lifecycle buttons the viewer may press; and the doors that change it (transition, note,
upload) and the attachment download."""

import mimetypes

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from lean.errors import ApplicationError, Forbidden
from lean.forms import flash_error
from lean.permissions import can, require

from .. import finance, selectors, services, workflow
from ..forms import AttachmentForm, NoteForm, TransitionForm, add_error
from ..models import BenefitSignoff, State


def _detail_url(request, project) -> str:
    return reverse("projects-detail", kwargs={"tenant_slug": request.tenant.slug, "project_id": project.pk})


def _render(request, project, *, note_form=None, upload_form=None, status=200):
    member = request.membership
    # The plain step forward first (submit, approve, start…), then the ones that need a reason or a choice.
    actions = sorted(workflow.available(member, project), key=lambda a: a.needs_reason or a.name == "merge")
    approver = workflow.is_approver(member, project)
    similar = []
    if project.state in (State.DRAFT, State.SUBMITTED, State.RETURNED):
        similar = selectors.similar_proposals(viewer=member, project=project)
    merge_targets = []
    if any(a.name == "merge" for a in actions):
        merge_targets = list(selectors.merge_targets(viewer=member, project=project))
    may_edit = selectors.may_edit(member, project)
    may_contribute = selectors.may_contribute(member, project)
    reviews = list(project.reviews.all())
    for review in reviews:
        review.may_open = workflow.is_organiser(member, project) or any(
            a.reviewer_id == member.pk for a in review.assignments.all()
        )
    context = {
        "project": project,
        "actions": actions,
        "is_approver": approver,
        "show_approval": approver and project.state == State.SUBMITTED,
        "similar": similar,
        "merge_targets": merge_targets,
        "may_edit": may_edit,
        "may_edit_proposal": may_edit and project.state in workflow.EDITABLE,
        "may_edit_work": may_edit and project.state in workflow.ACTIVE,
        "may_enter_closing": may_edit and project.state == State.IN_PROGRESS and project.midterm_passed,
        "may_contribute": may_contribute and (project.state in workflow.ACTIVE or workflow.in_correction(project)),
        "may_correct": may_edit and workflow.in_correction(project),
        "filing_package": project.state in (State.CLOSED, State.FILED),
        "note_form": note_form or NoteForm(),
        "upload_form": upload_form or AttachmentForm(),
        "timeline": selectors.timeline(project),
        "reviews": reviews,
        "team": list(project.team.all()),
        **_signoff_context(member, project),
        "steps": (
            selectors.filing_steps(project=project, current="submit", tenant_slug=request.tenant.slug)
            if project.state in workflow.EDITABLE
            else None
        ),
    }
    return render(request, "projects/detail.html", context, status=status)


def _signoff_context(member, project) -> dict:
    """财务核验 on the project page: the standing sign-off (or the last word of finance) and who may sign."""
    signoffs = finance.signoffs_of(project)
    return {
        "signoff": next((s for s in signoffs if s.status == BenefitSignoff.Status.SIGNED), None),
        "signoff_last": signoffs[0] if signoffs else None,
        "show_signoff": bool(signoffs) or project.state in finance.SIGNOFF_STATES,
        "may_sign_off": finance.may_sign_off(member, project),
    }


def project_detail_view(request, tenant_slug, project_id):
    require(request, "projects.view")
    project = selectors.project_detail(viewer=request.membership, project_id=project_id)
    return _render(request, project)


@require_POST
def project_transition_view(request, tenant_slug, project_id):
    """Take one lifecycle action. A refusal of the rules comes back as a message and nothing changes; someone
    whose role does not allow the action gets 403 with the reason."""
    require(request, "projects.view")
    project = selectors.project_get(viewer=request.membership, project_id=project_id)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose an action."))
        return redirect(_detail_url(request, project))
    data = form.cleaned_data
    step = workflow.ACTIONS.get(data["action"])
    into = None
    if data["into"]:
        into = selectors.visible_projects(request.membership).filter(pk=data["into"]).first()
        if into is None:
            raise Http404
    try:
        project = services.project_transition(
            actor=request.membership, project=project, action=data["action"], reason=data["reason"], into=into
        )
    except Forbidden as denied:
        return _refused(request, project, step, denied.reason)
    except ApplicationError as error:
        flash_error(request, error)
    else:
        messages.success(
            request,
            _("%(action)s: the project is now %(state)s.")
            % {"action": step.label, "state": project.get_state_display()},
        )
    if request.POST.get("back") == "filings" and can(request.membership, "projects.filings"):
        return redirect("projects-filings", tenant_slug=request.tenant.slug)
    return redirect(_detail_url(request, project))


WHO = {
    "applicant": gettext_lazy("the project's leader or a manager of its unit"),
    "approver": gettext_lazy(
        "the approver (the lean office for HQ-tier projects, the unit's manager for unit-tier ones)"
    ),
    "chair": gettext_lazy("the chair of the review, through the review's decision"),
    "filing_office": gettext_lazy("the lean office, once, for a filing not yet acknowledged"),
}


def _refused(request, project, step, reason=""):
    who = WHO.get(step.who, "") if step else ""
    if reason:  # separation of duties: the role would allow it, but not on one's own project
        message = reason
    elif step is not None:
        message = _("Only %(who)s may take the action “%(action)s”.") % {"who": who, "action": step.label}
    else:
        message = _("This action is not allowed.")
    return render(request, "projects/refused.html", {"project": project, "message": message}, status=403)


@require_POST
def project_note_view(request, tenant_slug, project_id):
    require(request, "projects.view")
    project = selectors.project_get(viewer=request.membership, project_id=project_id)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            services.note_add(actor=request.membership, project=project, text=form.cleaned_data["text"])
        except Forbidden:
            raise  # a refusal is the 403 page, not a form error
        except ApplicationError as error:
            add_error(form, "text", error.message)
        else:
            messages.success(request, _("The note was added."))
            return redirect(f"{_detail_url(request, project)}#notes")
    project = selectors.project_detail(viewer=request.membership, project_id=project.pk)
    return _render(request, project, note_form=form, status=400)


@require_POST
def attachment_upload_view(request, tenant_slug, project_id):
    require(request, "projects.view")
    project = selectors.project_get(viewer=request.membership, project_id=project_id)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            attachment = services.attachment_add(
                actor=request.membership, project=project, upload=form.cleaned_data["file"]
            )
        except Forbidden:
            raise  # a refusal is the 403 page, not a form error
        except ApplicationError as error:
            add_error(form, "file", error.message)
        else:
            messages.success(request, _("%(name)s was attached.") % {"name": attachment.name})
            return redirect(f"{_detail_url(request, project)}#attachments")
    project = selectors.project_detail(viewer=request.membership, project_id=project.pk)
    return _render(request, project, upload_form=form, status=400)


def attachment_download_view(request, tenant_slug, attachment_id):
    """The file, to those who may see its project only (404 to anyone else), under its original name."""
    require(request, "projects.view")
    attachment = selectors.attachment_get(viewer=request.membership, attachment_id=attachment_id)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError as error:
        raise Http404 from error
    # The type comes from the checked extension, never from what the uploading browser claimed.
    content_type = mimetypes.guess_type(attachment.name)[0] or "application/octet-stream"
    return FileResponse(handle, as_attachment=True, filename=attachment.name, content_type=content_type)
