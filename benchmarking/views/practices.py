"""Practices learned from better peers (数据对标→管理对标): recording one, and reading it."""

from urllib.parse import urlencode

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from lean.errors import ApplicationError
from lean.models import Unit
from lean.permissions import require
from targets import selectors as target_selectors

from .. import selectors, services
from ..forms import PracticeForm
from ..models import Peer


def _initial(request) -> dict:
    initial = {name: request.GET[name] for name in ("benchmark", "unit") if (request.GET.get(name) or "").isdigit()}
    if request.GET.get("peer"):
        initial["better_peer"] = request.GET["peer"]
    return initial


def practice_new_view(request, tenant_slug):
    require(request, "benchmarking.practice")
    member = request.membership
    peers = list(Peer.objects.filter(active=True).order_by("name"))
    peer_units = list(Unit.objects.filter(active=True).order_by("path"))
    form = PracticeForm(
        request.POST or None,
        initial=_initial(request),
        units=target_selectors.entry_units(member=member),  # the lean office: all; a manager: their subtree
        peers=peers,
        peer_units=peer_units,
    )
    if request.method == "POST" and form.is_valid():
        peer, peer_unit = form.better(peers, peer_units)
        data = {name: value for name, value in form.cleaned_data.items() if name != "better_peer"}
        try:
            practice = services.practice_create(actor=member, peer=peer, peer_unit=peer_unit, **data)
        except ApplicationError as error:
            form.add_error("better_peer" if error.code == "peer" else None, error.message)
        else:
            messages.success(request, _("The practice was recorded."))
            return redirect("benchmarking-practice", tenant_slug=tenant_slug, practice_id=practice.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "benchmarking/practice_new.html", {"form": form}, status=status)


@require_safe
def practice_detail_view(request, tenant_slug, practice_id):
    practice = selectors.practice_get(practice_id=practice_id)
    require(request, "benchmarking.view")
    return render(request, "benchmarking/practice_detail.html", {"practice": practice, "draft": _draft_query(practice)})


def _draft_query(practice) -> str:
    """The query string that opens a project draft seeded from the practice (数据对标→管理对标→课题)."""
    peer = practice.peer.name if practice.peer else (practice.peer_unit.name if practice.peer_unit else "")
    title = _("Learn from %(peer)s: %(practice)s") % {"peer": peer, "practice": practice.title}
    problem = _("%(unit)s lags behind on %(indicator)s. %(peer)s does this: %(description)s") % {
        "unit": practice.unit.name,
        "indicator": practice.benchmark.name,
        "peer": peer,
        "description": practice.description,
    }
    return urlencode({"title": title[:200], "problem": problem})
