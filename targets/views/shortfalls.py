"""The shortfall list (短板) with its filters, and a shortfall's page: analysis, improvement actions, the projects
covering it and the lean office's switch that puts its indicator and unit into the annual performance assessment
of its year."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lean.errors import ApplicationError
from lean.forms import flash_error
from lean.paging import paginate
from lean.permissions import can, require

from .. import selectors, services
from ..forms import ShortfallFilterForm, ShortfallForm
from ..models import Shortfall, TargetTree


def shortfall_list_view(request, tenant_slug):
    require(request, "targets.view")
    years = list(TargetTree.objects.order_by("-year").values_list("year", flat=True))
    form = ShortfallFilterForm(request.GET or None, years=years)
    data = form.cleaned_data if form.is_valid() else {}
    tree = selectors.tree_for(year=data.get("year"))
    assessed = {"yes": True, "no": False}.get(data.get("assessed") or "")
    shortfalls = selectors.shortfall_list(
        tree=tree,
        unit=data.get("unit"),
        branch=data.get("branch") or "",
        period=data.get("period"),
        assessed=assessed,
        uncovered=bool(data.get("uncovered")),
        include_resolved=bool(data.get("resolved")),
        source=data.get("source") or "",
    )
    page, query = paginate(request, shortfalls, 50)
    context = {"form": form, "page": page, "tree": tree, "query": query}
    template = "targets/shortfall_list.html#shortfall-table" if request.htmx else "targets/shortfall_list.html"
    response = render(request, template, context)
    response.headers["Vary"] = "HX-Request"
    return response


def shortfall_detail_view(request, tenant_slug, shortfall_id):
    require(request, "targets.view")
    shortfall = selectors.shortfall_get(shortfall_id=shortfall_id)
    may_analyse = can(request.membership, "shortfalls.analyse", shortfall)
    form = ShortfallForm(
        request.POST if request.method == "POST" else None,
        initial={"analysis": shortfall.analysis, "actions": shortfall.actions},
    )
    if request.method == "POST":
        require(request, "shortfalls.analyse", shortfall)
        if form.is_valid():
            services.shortfall_update(actor=request.membership, shortfall=shortfall, **form.cleaned_data)
            messages.success(request, _("The analysis was saved."))
            return redirect("targets-shortfall", tenant_slug=tenant_slug, shortfall_id=shortfall.pk)
    status = 400 if request.method == "POST" else 200
    history = _changes(list(shortfall.history.select_related("history_user").order_by("-history_date")[:20]))
    return render(
        request,
        "targets/shortfall_detail.html",
        {
            "shortfall": shortfall,
            "form": form,
            "may_analyse": may_analyse,
            "history": history,
            "attacking": selectors.shortfall_attackers(viewer=request.membership, shortfall=shortfall),
            "proposals": selectors.shortfall_proposals(viewer=request.membership, shortfall=shortfall),
            "assessment": selectors.assessment_for(shortfall=shortfall),
            "year": shortfall.period_start.year,
        },
        status=status,
    )


WATCHED = ["actual", "target", "resolved", "analysis", "actions"]


def _changes(records):
    """Each history record with the labels of the fields it changed (compared in memory, no query)."""
    labels = {name: Shortfall._meta.get_field(name).verbose_name for name in WATCHED}
    for record, previous in zip(records, records[1:] + [None], strict=True):
        if previous is None:
            record.changed = []
        else:
            delta = record.diff_against(previous, included_fields=WATCHED)
            record.changed = [labels[change.field] for change in delta.changes]
    return records


@require_POST
def shortfall_assess_view(request, tenant_slug, shortfall_id):
    shortfall = selectors.shortfall_get(shortfall_id=shortfall_id)
    require(request, "shortfalls.assess", shortfall)
    assessed = request.POST.get("assessed") == "1"
    note = request.POST.get("note") if "note" in request.POST else None
    names = {
        "indicator": shortfall.indicator.node.name,
        "unit": shortfall.unit.name,
        "year": shortfall.period_start.year,
    }
    try:
        services.assessment_set(actor=request.membership, shortfall=shortfall, assessed=assessed, note=note)
    except ApplicationError as error:
        flash_error(request, error)
    else:
        if assessed:
            messages.success(
                request, _("%(indicator)s of %(unit)s is in the performance assessment of %(year)s.") % names
            )
        else:
            messages.success(
                request, _("%(indicator)s of %(unit)s was taken out of the performance assessment of %(year)s.") % names
            )
    return redirect("targets-shortfall", tenant_slug=tenant_slug, shortfall_id=shortfall.pk)
