"""Reviews (中期答辩, 结题评审): the queue of what waits for me, a review's page with the organiser's panel form,
a panel member's scoring form and the chair's decision; and the rubric's criteria for the lean office."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from lean.errors import ApplicationError, Forbidden
from lean.forms import apply_error
from lean.permissions import require

from .. import services
from ..forms_reviews import CriterionForm, DecisionForm, PanelForm, ScoreForm
from ..models import Criterion
from ..selectors import reviews


def review_queue_view(request, tenant_slug):
    require(request, "projects.reviews")
    return render(request, "projects/review_queue.html", {"queue": reviews.review_queue(request.membership)})


def review_view(request, tenant_slug, review_id):
    member = request.membership
    review, roles = reviews.review_get(viewer=member, review_id=review_id)
    if review is None:
        raise Http404
    open_ = not review.result
    criteria = list(reviews.active_criteria())
    panel_form = score_form = decision_form = None
    sheet = reviews.review_sheet(review)
    mine = next((row for row in sheet if row.assignment.reviewer_id == member.pk), None)
    posted = request.POST.get("form") if request.method == "POST" else None
    if posted and not open_:
        messages.error(request, _("This review is already decided."))
        return redirect("projects-review", tenant_slug=tenant_slug, review_id=review.pk)

    if roles.organiser and open_:
        panel_form = PanelForm(
            request.POST if posted == "panel" else None,
            candidates=reviews.panel_candidates(review),
            initial={
                "reviewers": [row.assignment.reviewer_id for row in sheet],
                "chair": review.chair_id,
                "scheduled_for": review.scheduled_for,
            },
        )
    if roles.on_panel and open_:
        score_form = ScoreForm(
            request.POST if posted == "scores" else None,
            criteria=criteria,
            initial={
                **({ScoreForm.field_name(c): mine.scores.get(c.pk) for c in criteria} if mine else {}),
                "comment": mine.assignment.comment if mine else "",
            },
        )
    if roles.chair and open_:
        decision_form = DecisionForm(
            request.POST if posted == "decide" else None, review=review, initial={"result": review.suggested}
        )

    forms = {"panel": panel_form, "scores": score_form, "decide": decision_form}
    if posted:
        form = forms.get(posted)
        if form is None:
            raise Forbidden
        if form.is_valid():
            try:
                done = _save(posted, member, review, form)
            except ApplicationError as error:
                aliases = {c.code: ScoreForm.field_name(c) for c in criteria}
                apply_error(form, error, aliases=aliases, summary=True)
            else:
                messages.success(request, done)
                return redirect("projects-review", tenant_slug=tenant_slug, review_id=review.pk)

    context = {
        "review": review,
        "roles": roles,
        "project": reviews.review_project(review),
        "criteria": criteria,
        "sheet": sheet,
        "mine": mine,
        "panel_form": panel_form,
        "score_form": score_form,
        "decision_form": decision_form,
        "show_sheet": roles.chair or roles.organiser,
        "pending": sum(1 for row in sheet if row.assignment.submitted_at is None),
        "suggested_label": dict(review.Result.choices).get(review.suggested, ""),
    }
    return render(request, "projects/review_detail.html", context, status=400 if posted else 200)


def _save(posted, member, review, form) -> str:
    """Call the service of the posted form; the message to show when it succeeded."""
    data = form.cleaned_data
    if posted == "panel":
        services.review_setup(
            actor=member,
            review=review,
            reviewers=list(data["reviewers"]),
            chair=data["chair"],
            scheduled_for=data.get("scheduled_for"),
        )
        return _("The panel was saved; its reviewers were notified.")
    if posted == "scores":
        services.review_submit_scores(actor=member, review=review, scores=form.scores(), comment=data["comment"])
        return _("Your scores were saved. You can correct them until the decision.")
    services.review_decide(
        actor=member,
        review=review,
        result=data["result"],
        conditions=data["conditions"],
        excellent=data.get("excellent", False),
        complexity=data.get("complexity", ""),
    )
    return _("The decision was recorded and the project moved on.")


def criteria_view(request, tenant_slug):
    """The rubric: the lean office adds criteria and changes their weights and whether they count."""
    require(request, "projects.criteria.manage")
    editing = None
    edit_id = request.POST.get("criterion") or request.GET.get("edit")
    if edit_id:
        editing = get_object_or_404(Criterion, pk=edit_id) if str(edit_id).isdigit() else None
        if editing is None:
            raise Http404
    if request.method == "POST" and request.POST.get("defaults"):
        services.criteria_defaults()
        messages.success(request, _("The three standard criteria were added."))
        return redirect("projects-criteria", tenant_slug=tenant_slug)
    initial = {}
    if editing is not None:
        initial = {f: getattr(editing, f) for f in ("code", "name", "description", "weight", "active")}
    form = CriterionForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.criterion_save(actor=request.membership, criterion=editing, **form.cleaned_data)
        except ApplicationError as error:
            apply_error(form, error, summary=True)
        else:
            messages.success(request, _("The criterion was saved."))
            return redirect("projects-criteria", tenant_slug=tenant_slug)
    criteria = reviews.criteria_with_shares()
    context = {
        "criteria": criteria,
        "form": form,
        "editing": editing,
        "total": sum(c.weight for c in criteria if c.active),
    }
    return render(request, "projects/criteria_list.html", context, status=400 if request.method == "POST" else 200)
