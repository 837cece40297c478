"""Benchmark indicators: adding one (shortfall indicators first), its comparison page, and its settings."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from lean.errors import ApplicationError
from lean.forms import apply_error
from lean.models import Unit
from lean.permissions import can, require
from targets import selectors as target_selectors
from targets.models import Frequency

from .. import selectors, services
from ..forms import BenchmarkAddForm, BenchmarkEditForm
from .common import period_options, picked_period

SEARCH_LIMIT = 50


def benchmark_new_view(request, tenant_slug):
    require(request, "benchmarking.manage")
    form = BenchmarkAddForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            benchmark = services.benchmark_add(actor=request.membership, **form.cleaned_data)
        except ApplicationError as error:
            apply_error(form, error)
        else:
            messages.success(request, _("%(name)s is now benchmarked.") % {"name": benchmark.name})
            return redirect("benchmarking-indicator", tenant_slug=tenant_slug, benchmark_indicator_id=benchmark.pk)
    query = request.GET.get("q", "").strip()[:100]
    tree = target_selectors.tree_for()
    found = list(target_selectors.indicator_list(tree=tree, query=query)[: SEARCH_LIMIT + 1]) if tree else []
    context = {
        "form": form,
        "candidates": list(selectors.shortfall_candidates()),
        "tree": tree,
        "query": query,
        "found": found[:SEARCH_LIMIT],
        "more": len(found) > SEARCH_LIMIT,
        "benchmarked": set(selectors.benchmark_list(active_only=False).values_list("code", flat=True)),
        "frequencies": Frequency.choices,
    }
    template = "benchmarking/benchmark_new.html#search-results" if request.htmx else "benchmarking/benchmark_new.html"
    response = render(request, template, context, status=400 if request.method == "POST" else 200)
    response.headers["Vary"] = "HX-Request"
    return response


def _chosen_unit(request, units, comparison):
    """The unit asked for; else the member's own unit if it takes part; else the first unit taking part; else
    the first unit of the board."""
    taking_part = {pk for who, pk in comparison.positions if who == "unit"} if comparison else set()
    by_id = {unit.pk: unit for unit in units}
    try:
        wanted = int(request.GET.get("unit") or 0)
    except ValueError:
        wanted = 0
    if wanted in by_id:
        return by_id[wanted]
    if wanted in taking_part:
        return Unit.objects.filter(pk=wanted).first()
    own = request.membership.unit
    if own.pk in taking_part:
        return own
    return next((unit for unit in units if unit.pk in taking_part), units[0] if units else None)


def _number(value):
    return float(value) if value is not None else None


def _chart(benchmark, unit, trend):
    worse, better = [], []
    for point, _position in trend:
        edges = point.comparison.band(benchmark.direction) if point.comparison else (None, None)
        worse.append(_number(edges[0]))
        better.append(_number(edges[1]))
    return {
        "labels": [point.period.label for point, _position in trend],
        "unit": [_number(position.value) if position else None for _point, position in trend],
        "best": [_number(point.comparison.best) if point.comparison else None for point, _position in trend],
        "median": [_number(point.comparison.median) if point.comparison else None for point, _position in trend],
        "band_worse": worse,
        "band_better": better,
        "measure_unit": benchmark.measure_unit,
        "names": {
            "unit": unit.name if unit else _("Unit"),
            "best": _("Best"),
            "median": _("Median"),
            "band": _("Middle half of the participants"),
        },
    }


def _participants(comparison, names, unit):
    """The rows of the participants table, the best first."""
    if comparison is None:
        return []
    rows = [
        {
            "key": key,
            "name": names.get(key, "?"),
            "internal": key[0] == "unit",
            "position": position,
            "chosen": unit is not None and key == ("unit", unit.pk),
        }
        for key, position in comparison.positions.items()
    ]
    return sorted(rows, key=lambda row: (row["position"].rank, not row["internal"], row["name"]))


@require_safe
def benchmark_detail_view(request, tenant_slug, benchmark_indicator_id):
    require(request, "benchmarking.view")
    benchmark = selectors.benchmark_get(benchmark_indicator_id=benchmark_indicator_id)
    period = picked_period(request.GET.get("period"), benchmark.frequency)
    series = selectors.benchmark_series(benchmark=benchmark, unit=None, last=period)
    comparison = series[-1].comparison
    units = selectors.board_units()
    unit = _chosen_unit(request, units, comparison)
    key = ("unit", unit.pk) if unit else None
    trend = [(point, point.comparison.positions.get(key) if point.comparison else None) for point in series]
    names = selectors.participant_names(comparison)
    listed = {u.pk for u in units}
    extra_units = [(pk, name) for (who, pk), name in names.items() if who == "unit" and pk not in listed]
    member = request.membership
    context = {
        "benchmark": benchmark,
        "period": period,
        "period_options": period_options(benchmark.frequency, period),
        "unit": unit,
        "unit_options": [(u.pk, u.name) for u in units] + sorted(extra_units, key=lambda item: item[1]),
        "comparison": comparison,
        "position": trend[-1][1],
        "trend": trend,
        "chart": _chart(benchmark, unit, trend),
        "participants": _participants(comparison, names, unit),
        "practices": selectors.practice_list(benchmark=benchmark)[:20],
        "may_manage": can(member, "benchmarking.manage"),
        "may_practice": unit is not None and can(member, "benchmarking.practice", unit),
    }
    return render(request, "benchmarking/benchmark_detail.html", context)


def benchmark_edit_view(request, tenant_slug, benchmark_indicator_id):
    benchmark = selectors.benchmark_get(benchmark_indicator_id=benchmark_indicator_id)
    require(request, "benchmarking.manage")
    form = BenchmarkEditForm(
        request.POST or None, initial={"frequency": benchmark.frequency, "active": benchmark.active}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.benchmark_update(actor=request.membership, benchmark=benchmark, **form.cleaned_data)
        except ApplicationError as error:
            form.add_error("frequency" if error.code == "frequency_locked" else None, error.message)
        else:
            messages.success(request, _("The benchmark indicator was saved."))
            return redirect("benchmarking-indicator", tenant_slug=tenant_slug, benchmark_indicator_id=benchmark.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "benchmarking/benchmark_edit.html", {"form": form, "benchmark": benchmark}, status=status)
