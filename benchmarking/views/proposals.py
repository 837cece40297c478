"""Proposals of units to benchmark their own indicators (自主提出), and the lean office's decisions."""

from django.contrib import messages
from django.db.models import Case, IntegerField, Value, When
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from lean.errors import ApplicationError, Forbidden
from lean.paging import paginate
from lean.permissions import can, require
from targets import selectors as target_selectors
from targets.models import Frequency

from .. import selectors, services
from ..forms import ProposalDecisionForm, ProposalForm
from ..models import Proposal


@require_safe
def proposal_list_view(request, tenant_slug):
    require(request, "benchmarking.view")
    member = request.membership
    status = request.GET.get("status", "")
    if status not in Proposal.Status.values:
        status = ""
    pending_first = Case(
        When(status=Proposal.Status.PENDING, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    proposals = selectors.proposal_list(viewer=member, status=status).order_by(pending_first, "-created_at")
    page, query = paginate(request, proposals, 30)
    context = {
        "page": page,
        "query": query,
        "status": status,
        "statuses": Proposal.Status.choices,
        "may_manage": can(member, "benchmarking.manage"),
        "may_propose": can(member, "benchmarking.propose"),
        "frequencies": Frequency.choices,
    }
    return render(request, "benchmarking/proposal_list.html", context)


def proposal_new_view(request, tenant_slug):
    require(request, "benchmarking.propose")
    unit = request.membership.unit
    tree = target_selectors.tree_for()
    form = ProposalForm(request.POST or None, indicators=selectors.proposable_indicators(unit=unit, tree=tree))
    if request.method == "POST" and form.is_valid():
        try:
            proposal = services.proposal_create(actor=request.membership, unit=unit, **form.cleaned_data)
        except ApplicationError as error:
            field = next((name for name in error.field_errors if name in form.fields), None)
            form.add_error(field, error.message)
        else:
            messages.success(request, _("Your proposal was sent to the lean office."))
            return redirect("benchmarking-proposal", tenant_slug=tenant_slug, proposal_id=proposal.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "benchmarking/proposal_new.html", {"form": form, "unit": unit, "tree": tree}, status=status)


def _decide(request, proposal, form) -> bool:
    """Accept or decline as the posted form says; the rule's error goes on the form."""
    data = form.cleaned_data
    try:
        if data["action"] == "accept":
            services.proposal_accept(
                actor=request.membership,
                proposal=proposal,
                frequency=data["frequency"] or Frequency.QUARTER,
                reason=data["reason"],
            )
            messages.success(request, _("The proposal was accepted: the indicator is now benchmarked."))
        else:
            services.proposal_decline(actor=request.membership, proposal=proposal, reason=data["reason"])
            messages.success(request, _("The proposal was declined."))
    except ApplicationError as error:
        form.add_error("reason" if "reason" in error.field_errors else None, error.message)
        return False
    return True


def proposal_detail_view(request, tenant_slug, proposal_id):
    proposal = selectors.proposal_get(proposal_id=proposal_id)
    member = request.membership
    may_manage = can(member, "benchmarking.manage")
    if not may_manage and not selectors.proposal_list(viewer=member).filter(pk=proposal.pk).exists():
        raise Forbidden
    action = request.POST.get("action") if request.method == "POST" else None
    forms = {
        name: ProposalDecisionForm(request.POST if action == name else None, initial={"action": name})
        for name in ("accept", "decline")
    }
    if request.method == "POST":
        require(request, "benchmarking.manage")
        form = forms.get(action)
        if form is not None and form.is_valid() and _decide(request, proposal, form):
            if request.POST.get("next") == "list":
                return redirect("benchmarking-proposals", tenant_slug=tenant_slug)
            return redirect("benchmarking-proposal", tenant_slug=tenant_slug, proposal_id=proposal.pk)
    context = {
        "proposal": proposal,
        "accept_form": forms["accept"],
        "decline_form": forms["decline"],
        "may_decide": may_manage and proposal.status == Proposal.Status.PENDING,
    }
    return render(
        request, "benchmarking/proposal_detail.html", context, status=400 if request.method == "POST" else 200
    )
