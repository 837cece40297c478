"""Rationalization suggestions (合理化建议): the list (with the adoption rate for managers and the lean office),
submitting one from a phone, and its page with the flow and the actions of those who decide."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from lean.errors import ApplicationError
from lean.forms import apply_error
from lean.paging import paginate
from lean.permissions import can, require

from .. import selectors
from ..forms_people import (
    AdoptForm,
    EvaluateForm,
    ImplementForm,
    NotAdoptForm,
    SuggestionFilterForm,
    SuggestionForm,
)
from ..models import Contribution, Suggestion
from ..services.suggestions import suggestion_decide, suggestion_evaluate, suggestion_implement, suggestion_submit

State = Suggestion.State
PER_PAGE = 30
ACTION_FORMS = {"evaluate": EvaluateForm, "adopt": AdoptForm, "not_adopt": NotAdoptForm, "implement": ImplementForm}


def detail_url(request, suggestion) -> str:
    return reverse("innovation-suggestion", kwargs={"tenant_slug": request.tenant.slug, "suggestion_id": suggestion.pk})


def suggestion_list_view(request, tenant_slug):
    require(request, "innovation.view")
    member = request.membership
    form = SuggestionFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    rows = selectors.suggestions_for(
        viewer=member, state=data.get("state") or "", year=data.get("year"), unit=data.get("unit")
    )
    page, query = paginate(request, rows, PER_PAGE)
    adoption, year = None, timezone.localdate().year
    if can(member, "innovation.units"):
        unit = None if can(member, "innovation.tenant.view") else member.unit
        rates = selectors.adoption_rates(period=selectors.Period.year(year), unit=unit)
        adoption = selectors.adoption_summary(rates)
    context = {"form": form, "page": page, "query": query, "adoption": adoption, "year": year}
    template = "innovation/suggestions.html#suggestion-list" if request.htmx else "innovation/suggestions.html"
    response = render(request, template, context)
    response.headers["Vary"] = "HX-Request"
    return response


def suggestion_new_view(request, tenant_slug):
    require(request, "innovation.participate")
    form = SuggestionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if form.is_valid():
            try:
                suggestion = suggestion_submit(actor=request.membership, **form.cleaned_data)
            except ApplicationError as error:
                apply_error(form, error)
            else:
                messages.success(request, _("Thank you: your suggestion was sent to your unit's manager."))
                return redirect(detail_url(request, suggestion))
        return render(request, "innovation/suggestion_new.html", {"form": form}, status=400)
    return render(request, "innovation/suggestion_new.html", {"form": form})


STEP_LABELS = {
    "submitted": gettext_lazy("Submitted"),
    "evaluated": gettext_lazy("Evaluated"),
    "decided": gettext_lazy("Decision"),
    "implemented": gettext_lazy("Implemented"),
}


def _flow(suggestion) -> list[dict]:
    """The steps of the suggestion's flow, done or still to come."""
    s = suggestion
    refused = s.state == State.NOT_ADOPTED
    steps = [
        {"key": "submitted", "done": True, "at": s.submitted_at, "who": s.proposer, "text": ""},
        {
            "key": "evaluated",
            "done": s.evaluated_at is not None,
            "at": s.evaluated_at,
            "who": s.evaluated_by,
            "text": s.evaluation,
        },
        {
            "key": "decided",
            "done": s.decided_at is not None,
            "at": s.decided_at,
            "who": s.decided_by,
            "text": s.decision_reason,
            "outcome": s.get_state_display() if s.decided_at else "",
            "refused": refused,
        },
    ]
    if not refused:
        steps.append(
            {
                "key": "implemented",
                "done": s.implemented_at is not None,
                "at": s.implemented_at,
                "who": None,
                "text": s.implementation_note,
            }
        )
    for step in steps:
        step["label"] = STEP_LABELS[step["key"]]
    return steps


def _actions(member, suggestion) -> list[str]:
    if not can(member, "innovation.suggestion.evaluate", suggestion):
        return []
    return {
        State.SUBMITTED: ["evaluate"],
        State.EVALUATED: ["adopt", "not_adopt", "evaluate"],
        State.ADOPTED: ["implement"],
    }.get(suggestion.state, [])


def _render_detail(request, suggestion, *, failed=None, action="", error="", status=200):
    forms = {name: form_class() for name, form_class in ACTION_FORMS.items()}
    forms["evaluate"] = EvaluateForm(initial={"evaluation": suggestion.evaluation})
    if failed is not None:
        forms[action] = failed
    context = {
        "suggestion": suggestion,
        "flow": _flow(suggestion),
        "actions": _actions(request.membership, suggestion),
        "forms": forms,
        "failed": failed,
        "errors": [error] if error else (list(failed.non_field_errors()) if failed is not None else []),
        "action": action,
        "contribution": Contribution.objects.filter(suggestion=suggestion).first(),
        "is_proposer": suggestion.proposer_id == request.membership.pk,
    }
    return render(request, "innovation/suggestion_detail.html", context, status=status)


def suggestion_detail_view(request, tenant_slug, suggestion_id):
    require(request, "innovation.view")
    suggestion = selectors.suggestion_get(viewer=request.membership, suggestion_id=suggestion_id)
    return _render_detail(request, suggestion)


DONE = {
    "evaluate": gettext_lazy("The evaluation was saved."),
    "adopt": gettext_lazy("Adopted: the proposer's contribution is recorded."),
    "not_adopt": gettext_lazy("Not adopted: the proposer is told why."),
    "implement": gettext_lazy("Marked as implemented."),
}


@require_POST
def suggestion_act_view(request, tenant_slug, suggestion_id):
    """evaluate / adopt (with levels) / not_adopt (with a reason) / implement (with a note)."""
    require(request, "innovation.view")
    member = request.membership
    suggestion = selectors.suggestion_get(viewer=member, suggestion_id=suggestion_id)
    require(request, "innovation.suggestion.evaluate", suggestion)
    action = request.POST.get("action", "")
    if action not in ACTION_FORMS:
        return _render_detail(request, suggestion, error=_("Choose an action."), status=400)
    form = ACTION_FORMS[action](request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            if action == "evaluate":
                suggestion_evaluate(actor=member, suggestion=suggestion, evaluation=data["evaluation"])
            elif action == "adopt":
                suggestion_decide(actor=member, suggestion=suggestion, adopt=True, levels=form.levels())
            elif action == "not_adopt":
                suggestion_decide(actor=member, suggestion=suggestion, adopt=False, reason=data["reason"])
            else:
                suggestion_implement(actor=member, suggestion=suggestion, note=data["note"])
        except ApplicationError as error:
            apply_error(form, error)
        else:
            messages.success(request, DONE[action])
            return redirect(detail_url(request, suggestion))
    return _render_detail(request, suggestion, failed=form, action=action, status=400)
