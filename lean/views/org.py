"""Pages of the tenancy core: home, the organisation tree, members."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from lean.errors import ApplicationError, Forbidden
from lean.forms import MemberFilterForm, MemberForm, UnitForm, apply_error

from ..accounts import member_access
from ..paging import paginate
from ..permissions import can, require
from ..selectors import (
    member_get,
    member_history,
    member_list,
    unit_ancestors,
    unit_get,
    unit_subtree,
    unit_tree,
    visible_members,
)
from ..services import member_update, unit_create


def unit_list_view(request, tenant_slug):
    require(request, "units.view")
    form = None
    if can(request.membership, "units.manage"):
        form = UnitForm(request.POST or None)
    elif request.method == "POST":
        raise Forbidden
    if request.method == "POST" and form.is_valid():
        try:
            unit = unit_create(**form.cleaned_data)
        except ApplicationError as error:
            form.add_error("code", error.message)
        else:
            messages.success(request, _("Unit %(name)s was added.") % {"name": unit.name})
            return redirect("unit-list", tenant_slug=tenant_slug)
    status = 400 if request.method == "POST" else 200
    return render(request, "lean/unit_list.html", {"units": unit_tree(), "form": form}, status=status)


def unit_detail_view(request, tenant_slug, unit_id):
    require(request, "units.view")
    unit = unit_get(unit_id=unit_id)
    subtree = list(unit_subtree(unit=unit))
    members = None
    if can(request.membership, "members.list"):
        members = visible_members(viewer=request.membership).filter(unit=unit).order_by("employee_number")
    return render(
        request,
        "lean/unit_detail.html",
        {"unit": unit, "subtree": subtree[1:], "members": members, "breadcrumbs": unit_ancestors(unit=unit)},
    )


def member_list_view(request, tenant_slug):
    require(request, "members.list")
    form = MemberFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    members = member_list(
        viewer=request.membership,
        unit_id=filters.get("unit").pk if filters.get("unit") else None,
        role=filters.get("role") or None,
        query=filters.get("q") or "",
    )
    page, query = paginate(request, members, 25)
    template = "lean/member_list.html#member-table" if request.htmx else "lean/member_list.html"
    response = render(request, template, {"form": form, "page": page, "query": query})
    response.headers["Vary"] = "HX-Request"
    return response


def member_detail_view(request, tenant_slug, membership_id):
    membership = member_get(viewer=request.membership, membership_id=membership_id)
    history = member_history(membership=membership) if can(request.membership, "history.view") else None
    # The sign-in panel (password set or not, activation link, forced reset) is the lean office's.
    access = member_access(membership=membership) if can(request.membership, "members.access", membership) else None
    return render(request, "lean/member_detail.html", {"membership": membership, "history": history, "access": access})


def member_edit_view(request, tenant_slug, membership_id):
    membership = member_get(viewer=request.membership, membership_id=membership_id)
    require(request, "members.edit", membership)
    initial = {
        "unit": membership.unit,
        "roles": membership.roles,
        "position": membership.position,
        "active": membership.active,
    }
    form = MemberForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            member_update(actor=request.membership, membership=membership, **form.cleaned_data)
        except ApplicationError as error:
            apply_error(form, error)
        else:
            messages.success(request, _("The member was saved."))
            return redirect("member-detail", tenant_slug=tenant_slug, membership_id=membership.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "lean/member_edit.html", {"membership": membership, "form": form}, status=status)
