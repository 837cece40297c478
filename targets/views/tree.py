"""The target tree page: an expandable tree with achievement colours, a year/period/unit picker, and the lean
office's editing of nodes."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lean import periods
from lean.errors import ApplicationError
from lean.forms import flash_error
from lean.permissions import require

from .. import rollup, selectors, services
from ..forms import IndicatorForm, NodeForm, TreeFilterForm, TreeForm
from ..models import Indicator, TargetTree


def tree_url(tenant_slug: str, year: int) -> str:
    return f"{reverse('targets-tree', kwargs={'tenant_slug': tenant_slug})}?year={year}"


def picked(request, tree: TargetTree | None = None):
    """(tree, period, unit, form) from the picker's query string; a bad value falls back to the default."""
    years = list(TargetTree.objects.order_by("-year").values_list("year", flat=True))
    form = TreeFilterForm(request.GET or None, years=years)
    data = form.cleaned_data if form.is_valid() else {}
    if tree is None:
        tree = selectors.tree_for(year=data.get("year"))
    period = data.get("period")
    if tree is not None and (period is None or period.year != tree.year):
        period = selectors.default_period(tree)
    return tree, period, data.get("unit"), form


def tree_periods(tree) -> list:
    if tree is None:
        return []
    year = periods.parse(str(tree.year), periods.YEAR)
    return year.split(periods.MONTH) + year.split(periods.QUARTER) + [year]


def _scores(tree, period, unit):
    return rollup.tree_scores(tree=tree, period=period, unit=unit) if tree else {}


def tree_view(request, tenant_slug):
    require(request, "targets.view")
    tree, period, unit, form = picked(request)
    nodes = list(selectors.tree_nodes(tree=tree, depth=1)) if tree else []
    scores = _scores(tree, period, unit)
    branches = [node for node in nodes if node.parent_id is None]
    context = {
        "tree": tree,
        "period": period,
        "unit": unit,
        "form": form,
        "branches": branches,
        "children": {b.pk: [n for n in nodes if n.parent_id == b.pk] for b in branches},
        "scores": scores,
        "overall": rollup.overall(scores, branches),
        "missed": sum(scores[b.pk].missed for b in branches if b.pk in scores),
        "query": request.GET.urlencode(),
        "tree_periods": tree_periods(tree),
    }
    template = "targets/tree.html#tree-body" if request.htmx else "targets/tree.html"
    response = render(request, template, context)
    response.headers["Vary"] = "HX-Request"
    return response


def node_children_view(request, tenant_slug, target_node_id):
    """The rows under one node, loaded when it is opened (htmx)."""
    require(request, "targets.view")
    node = selectors.node_get(target_node_id=target_node_id)
    tree, period, unit, _form = picked(request, tree=node.tree)
    return render(
        request,
        "targets/_nodes.html",
        {
            "nodes": selectors.tree_nodes(tree=tree, parent=node),
            "scores": _scores(tree, period, unit),
            "query": request.GET.urlencode(),
            "period": period,
        },
    )


def tree_new_view(request, tenant_slug):
    require(request, "targets.manage")
    form = TreeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            if form.cleaned_data["copy_from"]:
                tree = services.tree_copy(
                    source=form.cleaned_data["copy_from"], year=form.cleaned_data["year"], actor=request.membership
                )
            else:
                tree = services.tree_create(year=form.cleaned_data["year"])
        except ApplicationError as error:
            form.add_error("year", error.message)
        else:
            messages.success(request, _("The %(year)s target tree was created.") % {"year": tree.year})
            return redirect(tree_url(tenant_slug, tree.year))
    status = 400 if request.method == "POST" else 200
    return render(request, "targets/tree_new.html", {"form": form}, status=status)


def _node_initial(node):
    return {
        "code": node.code,
        "name": node.name,
        "owner_unit": node.owner_unit,
        "weight": node.weight,
        "description": node.description,
    }


def node_add_view(request, tenant_slug, target_node_id):
    """Add a goal or an indicator under a node (?kind=indicator)."""
    require(request, "targets.manage")
    parent = selectors.node_get(target_node_id=target_node_id)
    if Indicator.objects.filter(node=parent).exists():
        raise Http404
    kind = request.GET.get("kind") or request.POST.get("kind") or "goal"
    form_class = IndicatorForm if kind == "indicator" else NodeForm
    initial = {"owner_unit": parent.owner_unit, "weight": 1, "frequency": "month", "aggregation": "average"}
    form = form_class(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if kind == "indicator":
                indicator = services.indicator_create(parent=parent, **form.cleaned_data)
                messages.success(request, _("Indicator %(code)s was added.") % {"code": indicator.code})
                return redirect("targets-indicator", tenant_slug=tenant_slug, indicator_id=indicator.pk)
            node = services.node_create(parent=parent, **form.cleaned_data)
        except ApplicationError as error:
            form.add_error("code" if error.code == "duplicate" else None, error.message)
        else:
            messages.success(request, _("Node %(code)s was added.") % {"code": node.code})
            return redirect(tree_url(tenant_slug, parent.tree.year))
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "targets/node_form.html",
        {"form": form, "parent": parent, "kind": kind, "ancestors": selectors.node_ancestors(node=parent)},
        status=status,
    )


def node_edit_view(request, tenant_slug, target_node_id):
    require(request, "targets.manage")
    node = selectors.node_get(target_node_id=target_node_id)
    indicator = Indicator.objects.filter(node=node).first()
    if indicator is not None:
        return redirect("targets-indicator-edit", tenant_slug=tenant_slug, indicator_id=indicator.pk)
    form = NodeForm(request.POST or None, initial=_node_initial(node))
    if request.method == "POST" and form.is_valid():
        try:
            services.node_update(node=node, **form.cleaned_data)
        except ApplicationError as error:
            form.add_error("code" if error.code == "duplicate" else None, error.message)
        else:
            messages.success(request, _("The node was saved."))
            return redirect(tree_url(tenant_slug, node.tree.year))
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "targets/node_form.html",
        {"form": form, "node": node, "kind": "goal", "ancestors": selectors.node_ancestors(node=node)[:-1]},
        status=status,
    )


@require_POST
def node_delete_view(request, tenant_slug, target_node_id):
    require(request, "targets.manage")
    node = selectors.node_get(target_node_id=target_node_id)
    try:
        services.node_delete(node=node)
    except ApplicationError as error:
        flash_error(request, error)
    else:
        messages.success(request, _("Node %(code)s was removed.") % {"code": node.code})
    return redirect(tree_url(tenant_slug, node.tree.year))
