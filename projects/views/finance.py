"""财务核验 pages: the finance verifier's queue, and the sign-off page of one project (sign off or return)."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from lean.errors import ApplicationError, Forbidden
from lean.forms import apply_error
from lean.permissions import require

from .. import finance, selectors
from ..forms_finance import SignoffForm, SignoffReturnForm

FIELD_ALIASES = {"evidence": "evidence_file"}


def finance_queue_view(request, tenant_slug):
    """The projects of the verifier's scope whose verified benefits wait for a sign-off (or are signed off)."""
    require(request, "projects.finance")
    signed = request.GET.get("show") == "signed"
    projects = list(finance.finance_queue(viewer=request.membership, signed=signed))
    return render(request, "projects/finance_queue.html", {"projects": projects, "signed": signed})


def benefit_signoff_view(request, tenant_slug, project_id):
    """The sign-off page: the figures, the team's check (C), the attachments, the sign-offs so far; to a verifier
    who may, the forms to sign off or to return the figures for correction."""
    project = selectors.project_get(viewer=request.membership, project_id=project_id)
    if not finance.in_scope(request.membership, project) and not selectors.may_edit(request.membership, project):
        raise Forbidden
    may_sign = finance.may_sign_off(request.membership, project)
    current = finance.signoff_current(project)
    attachments = list(project.attachments.all())
    posted = request.POST.get("form") if request.method == "POST" else None
    if posted and not finance.in_scope(request.membership, project):
        raise Forbidden  # the service explains the rest (own team, state) on the form
    sign_form = SignoffForm(
        request.POST if posted == "sign" else None,
        request.FILES if posted == "sign" else None,
        attachments=attachments,
    )
    return_form = SignoffReturnForm(request.POST if posted == "return" else None)
    if posted in ("sign", "return"):
        form = sign_form if posted == "sign" else return_form
        if form.is_valid():
            data = form.cleaned_data
            try:
                if posted == "sign":
                    evidence = next((a for a in attachments if a.pk == data.get("evidence")), None)
                    finance.benefit_signoff_sign(
                        actor=request.membership,
                        project=project,
                        amount=data["amount"],
                        basis=data["basis"],
                        evidence_upload=data.get("evidence_file"),
                        evidence=evidence,
                    )
                    done = _("The verified benefits are signed off; the closing review may now close the project.")
                else:
                    finance.benefit_signoff_return(actor=request.membership, project=project, reason=data["reason"])
                    done = _("The verified benefits were returned to the team for correction.")
            except ApplicationError as error:
                apply_error(form, error, aliases=FIELD_ALIASES)
            else:
                messages.success(request, done)
                return redirect("projects-signoff", tenant_slug=tenant_slug, project_id=project.pk)
    elif posted:
        raise Forbidden
    context = {
        "project": project,
        "current": current,
        "signoffs": finance.signoffs_of(project),
        "attachments": attachments,
        "may_sign": may_sign and current is None,
        "on_team": finance.in_scope(request.membership, project) and finance.on_team(request.membership, project),
        "sign_form": sign_form,
        "return_form": return_form,
    }
    return render(request, "projects/finance_signoff.html", context, status=400 if posted else 200)
