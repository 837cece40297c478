"""Outside peers (对标对象) and the entry of their values; the units, internal peers, need no entry."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from lean import periods
from lean.errors import ApplicationError
from lean.paging import paginate
from lean.permissions import can, require

from .. import selectors, services
from ..forms import PeerForm, ValueFormSet
from ..models import Confidence


def _save_peer(request, form, peer=None):
    """The saved peer, or None with the rule's error put on the form."""
    try:
        return services.peer_save(actor=request.membership, peer=peer, **form.cleaned_data)
    except ApplicationError as error:
        form.add_error("name" if "name" in error.field_errors else None, error.message)
        return None


def peer_list_view(request, tenant_slug):
    require(request, "benchmarking.view")
    may_manage = can(request.membership, "benchmarking.manage")
    form = PeerForm(request.POST or None)
    if request.method == "POST":
        require(request, "benchmarking.manage")
        if form.is_valid() and (peer := _save_peer(request, form)):
            messages.success(request, _("%(name)s was added.") % {"name": peer.name})
            return redirect("benchmarking-peer", tenant_slug=tenant_slug, peer_id=peer.pk)
    context = {"peers": selectors.peer_list(), "form": form, "may_manage": may_manage}
    return render(request, "benchmarking/peer_list.html", context, status=400 if request.method == "POST" else 200)


def peer_detail_view(request, tenant_slug, peer_id):
    peer = selectors.peer_get(peer_id=peer_id)
    require(request, "benchmarking.view")
    may_manage = can(request.membership, "benchmarking.manage")
    initial = {"name": peer.name, "kind": peer.kind, "description": peer.description, "active": peer.active}
    form = PeerForm(request.POST or None, initial=initial)
    if request.method == "POST":
        require(request, "benchmarking.manage")
        if form.is_valid() and _save_peer(request, form, peer):
            messages.success(request, _("The peer was saved."))
            return redirect("benchmarking-peer", tenant_slug=tenant_slug, peer_id=peer.pk)
    values, query = paginate(request, selectors.peer_value_list(peer=peer), 25)
    context = {"peer": peer, "form": form, "values": values, "query": query, "may_manage": may_manage}
    return render(request, "benchmarking/peer_detail.html", context, status=400 if request.method == "POST" else 200)


def _initial(request) -> dict:
    """Rows start with the indicator, peer and period given in the query string (from the comparison page)."""
    initial = {"confidence": Confidence.MEDIUM}
    for name in ("benchmark", "peer"):
        if (request.GET.get(name) or "").isdigit():
            initial[name] = int(request.GET[name])
    try:
        initial["period"] = str(periods.parse(request.GET.get("period")))
    except periods.PeriodError:
        pass
    return initial


def _store(request, formset) -> bool:
    """Every filled row, or nothing: errors go on their rows."""
    filled = [form for form in formset if form.has_changed()]
    if not formset.is_valid():
        return False
    if not filled:
        formset.non_form_errors().append(_("Enter at least one value."))
        return False
    items = [services.ValueInput(**form.cleaned_data) for form in filled]
    try:
        services.peer_values_save(actor=request.membership, items=items)
    except ApplicationError as error:
        formset.non_form_errors().append(error.message)
        for index, errors in error.field_errors.items():
            for message in errors:
                filled[int(index)].add_error(None, message)
        return False
    messages.success(request, _("%(count)s value(s) were stored.") % {"count": len(items)})
    return True


def value_new_view(request, tenant_slug):
    require(request, "benchmarking.manage")
    choices = {
        "benchmarks": selectors.benchmark_list().order_by("code"),
        "peers": selectors.peer_list().filter(active=True),
    }
    formset = ValueFormSet(request.POST or None, form_kwargs={**choices, "initial": _initial(request)}, prefix="values")
    if request.method == "POST" and _store(request, formset):
        return redirect(request.get_full_path())
    context = {"formset": formset, "any_benchmark": choices["benchmarks"].exists()}
    return render(request, "benchmarking/value_new.html", context, status=400 if request.method == "POST" else 200)
