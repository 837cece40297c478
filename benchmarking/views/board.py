"""The benchmark board (对标看板): benchmark indicators × units, each cell the unit's quartile in one period."""

from django.shortcuts import render
from django.views.decorators.http import require_safe

from lean import periods
from lean.permissions import can, require

from .. import selectors
from .common import period_options, picked_period


@require_safe
def board_view(request, tenant_slug):
    require(request, "benchmarking.view")
    kind = request.GET.get("kind")
    if kind not in periods.MONTHS_IN:
        kind = periods.QUARTER
    period = picked_period(request.GET.get("period"), kind)
    units = selectors.board_units()
    rows = [
        (benchmark, comparison, list(zip(units, cells, strict=True)))
        for benchmark, comparison, cells in selectors.board(kind=kind, period=period, units=units)
    ]
    member = request.membership
    may_manage = can(member, "benchmarking.manage")
    context = {
        "kind": kind,
        "kinds": periods.KIND_CHOICES,
        "period": period,
        "previous": period.previous(),
        "next": period.next() if period.next() <= selectors.latest_period(kind) else None,
        "period_options": period_options(kind, period),
        "units": units,
        "rows": rows,
        "with_values": sum(1 for _b, comparison, _c in rows if comparison),
        "may_manage": may_manage,
        "may_propose": can(member, "benchmarking.propose"),
        "pending": selectors.proposal_pending_count() if may_manage else 0,
    }
    template = "benchmarking/board.html#board" if request.htmx else "benchmarking/board.html"
    response = render(request, template, context)
    response.headers["Vary"] = "HX-Request"
    if request.htmx:  # the address shows the period actually shown, after any fallback
        response.headers["HX-Push-Url"] = f"{request.path}?kind={kind}&period={period}"
    return response
