"""The yearly improvement guide (《精益改善指引》): guides by year, a guide with its directions, their sources
and the projects filed against them; the lean office drafts, edits and publishes (read-only afterwards), and
drafts a direction from a shortfall in one action."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lean.errors import ApplicationError
from lean.forms import apply_error, flash_error
from lean.permissions import can, require
from targets.models import Shortfall

from .. import guides
from ..forms_reviews import DirectionForm, GuideCreateForm, GuideEditForm
from ..selectors import library


def guide_list_view(request, tenant_slug):
    require(request, "projects.view")
    may_manage = can(request.membership, "projects.guide.manage")
    form = GuideCreateForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        require(request, "projects.guide.manage")
        if form.is_valid():
            try:
                guide = guides.guide_create(actor=request.membership, **form.cleaned_data)
            except ApplicationError as error:
                apply_error(form, error, summary=True)
            else:
                messages.success(request, _("The guide was created as a draft. Add its directions, then publish it."))
                return redirect("projects-guide", tenant_slug=tenant_slug, guide_id=guide.pk)
    context = {"guides": library.guide_list(request.membership), "form": form, "may_manage": may_manage}
    return render(request, "projects/guide_list.html", context, status=400 if request.method == "POST" else 200)


def _guide(request, guide_id):
    guide = library.guide_get(viewer=request.membership, guide_id=guide_id)
    if guide is None:
        raise Http404
    return guide


def guide_detail_view(request, tenant_slug, guide_id):
    require(request, "projects.view")
    guide = _guide(request, guide_id)
    may_edit = can(request.membership, "projects.guide.manage") and not guide.is_published
    form = GuideEditForm(
        request.POST if request.method == "POST" and request.POST.get("form") == "edit" else None,
        initial={"title": guide.title, "introduction": guide.introduction},
    )
    if request.method == "POST":
        require(request, "projects.guide.manage")
        action = request.POST.get("form")
        try:
            if action == "publish":
                guides.guide_publish(actor=request.membership, guide=guide)
                messages.success(request, _("The guide is published: it is now read-only."))
                return redirect("projects-guide", tenant_slug=tenant_slug, guide_id=guide.pk)
            if action == "delete":
                direction = get_object_or_404(guide.directions, pk=request.POST.get("direction") or 0)
                guides.direction_delete(actor=request.membership, direction=direction)
                messages.success(request, _("The direction was removed."))
                return redirect("projects-guide", tenant_slug=tenant_slug, guide_id=guide.pk)
            if action == "edit" and form.is_valid():
                guides.guide_update(actor=request.membership, guide=guide, **form.cleaned_data)
                messages.success(request, _("The guide was saved."))
                return redirect("projects-guide", tenant_slug=tenant_slug, guide_id=guide.pk)
        except ApplicationError as error:
            if action == "edit":
                apply_error(form, error, summary=True)
            else:
                flash_error(request, error)
    context = {
        "guide": guide,
        "directions": library.guide_directions(viewer=request.membership, guide=guide),
        "form": form if may_edit else None,
        "may_edit": may_edit,
    }
    return render(request, "projects/guide_detail.html", context, status=400 if request.method == "POST" else 200)


def _direction_page(request, guide, direction=None):
    require(request, "projects.guide.manage")
    if guide.is_published:
        messages.error(request, _("A published guide cannot be changed."))
        return redirect("projects-guide", tenant_slug=request.tenant.slug, guide_id=guide.pk)
    priorities, indicators = library.direction_source_choices(guide.year)
    initial = {"code": library.next_direction_code(guide)}
    if direction is not None:
        current = list(direction.sources.order_by("path"))
        known = {n.pk for n in [*priorities, *indicators]}
        indicators += [n for n in current if n.pk not in known]  # keep a source whose shortfall was resolved
        initial = {
            "code": direction.code,
            "title": direction.title,
            "description": direction.description,
            "requirements": direction.requirements,
            "sources": [n.pk for n in current],
        }
    form = DirectionForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        priorities=priorities,
        indicators=indicators,
    )
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "sources"}
        try:
            guides.direction_save(
                actor=request.membership, guide=guide, direction=direction, sources=form.source_nodes(), **data
            )
        except ApplicationError as error:
            apply_error(form, error, summary=True)
        else:
            messages.success(request, _("The direction was saved."))
            return redirect("projects-guide", tenant_slug=request.tenant.slug, guide_id=guide.pk)
    context = {"guide": guide, "direction": direction, "form": form}
    status = 400 if request.method == "POST" else 200
    return render(request, "projects/guide_direction_form.html", context, status=status)


def direction_new_view(request, tenant_slug, guide_id):
    require(request, "projects.guide.manage")
    return _direction_page(request, _guide(request, guide_id))


def direction_edit_view(request, tenant_slug, direction_id):
    require(request, "projects.guide.manage")
    direction = library.direction_get(direction_id=direction_id)
    if direction is None:
        raise Http404
    return _direction_page(request, direction.guide, direction)


@require_POST
def direction_from_shortfall_view(request, tenant_slug, shortfall_id):
    """One action from a shortfall's page: a draft direction in the guide of the shortfall's year (the guide is
    created when the year has none), then its form to finish it."""
    require(request, "projects.guide.manage")
    shortfall = get_object_or_404(Shortfall.objects.select_related("indicator__node__tree", "unit"), pk=shortfall_id)
    guide = library.shortfall_guide(shortfall)
    try:
        if guide is None:
            guide = guides.guide_create(actor=request.membership, year=shortfall.indicator.node.tree.year)
        direction = guides.direction_from_shortfall(actor=request.membership, guide=guide, shortfall=shortfall)
    except ApplicationError as error:
        flash_error(request, error)
        return redirect("targets-shortfall", tenant_slug=tenant_slug, shortfall_id=shortfall.pk)
    messages.success(
        request,
        _("Direction %(code)s was drafted in %(guide)s from this shortfall; finish it here.")
        % {"code": direction.code, "guide": guide.title},
    )
    return redirect("projects-direction-edit", tenant_slug=tenant_slug, direction_id=direction.pk)
