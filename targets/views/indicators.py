"""An indicator's page (target against actual over the year, readings, shortfalls), its edit form and its
targets."""

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from lean import periods
from lean.errors import ApplicationError
from lean.models import Unit
from lean.paging import paginate
from lean.permissions import require

from .. import selectors, services
from ..forms import IndicatorForm, YearTargetForm
from ..models import IndicatorTarget


def _scope_unit(request, units):
    """The unit picked on the page, if it is one the indicator applies to (or above them)."""
    try:
        unit_id = int(request.GET.get("unit") or 0)
    except ValueError:
        return None
    return next((unit for unit in units if unit.pk == unit_id), None)


def indicator_detail_view(request, tenant_slug, indicator_id):
    require(request, "targets.view")
    indicator = selectors.indicator_get(indicator_id=indicator_id)
    units = list(selectors.indicator_units(indicator=indicator))
    unit = _scope_unit(request, units)
    series = selectors.indicator_series(indicator=indicator, unit=unit)
    chart = {
        "labels": [str(point.period) for point in series],
        "actual": [float(point.actual) if point.actual is not None else None for point in series],
        "target": [float(point.target) if point.target is not None else None for point in series],
        "actual_label": _("Actual"),
        "target_label": _("Target"),
        "unit": indicator.measure_unit,
    }
    readings, query = paginate(request, selectors.reading_list(indicator=indicator, unit=unit), 24)
    shortfalls = selectors.shortfall_list(indicator=indicator, unit=unit)[:12]
    return render(
        request,
        "targets/indicator_detail.html",
        {
            "indicator": indicator,
            "node": indicator.node,
            "ancestors": selectors.node_ancestors(node=indicator.node)[:-1],
            "units": units,
            "unit": unit,
            "series": series,
            "chart": chart,
            "readings": readings,
            "query": query,
            "shortfalls": shortfalls,
        },
    )


def indicator_edit_view(request, tenant_slug, indicator_id):
    require(request, "targets.manage")
    indicator = selectors.indicator_get(indicator_id=indicator_id)
    node = indicator.node
    initial = {
        "code": node.code,
        "name": node.name,
        "owner_unit": node.owner_unit,
        "weight": node.weight,
        "description": node.description,
        "measure_unit": indicator.measure_unit,
        "direction": indicator.direction,
        "frequency": indicator.frequency,
        "aggregation": indicator.aggregation,
        "baseline": indicator.baseline,
        "data_source": indicator.data_source,
        "units": list(selectors.indicator_units(indicator=indicator)),
    }
    form = IndicatorForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.indicator_update(indicator=indicator, **form.cleaned_data)
        except ApplicationError as error:
            form.add_error("code" if error.code == "duplicate" else None, error.message)
        else:
            messages.success(request, _("The indicator was saved."))
            return redirect("targets-indicator", tenant_slug=tenant_slug, indicator_id=indicator.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "targets/node_form.html",
        {
            "form": form,
            "node": node,
            "indicator": indicator,
            "kind": "indicator",
            "ancestors": selectors.node_ancestors(node=node)[:-1],
        },
        status=status,
    )


def _period_values(request, parts) -> tuple[dict, list[str]]:
    values, errors = {}, []
    for period in parts:
        raw = (request.POST.get(f"p-{period}") or "").strip()
        if not raw:
            continue
        try:
            values[period] = Decimal(raw)
        except InvalidOperation:
            errors.append(_("%(period)s: %(value)s is not a number.") % {"period": period.label, "value": raw})
    return values, errors


def target_edit_view(request, tenant_slug, indicator_id):
    """Targets of an indicator: a yearly figure split into its periods, or each period by hand, for every unit
    or for one unit."""
    require(request, "targets.manage")
    indicator = selectors.indicator_get(indicator_id=indicator_id)
    units = Unit.objects.filter(indicator_links__indicator=indicator).order_by("path")
    unit = _scope_unit(request, list(units))
    parts = periods.parse(str(indicator.node.tree.year), periods.YEAR).split(indicator.frequency)
    year_form = YearTargetForm(
        request.POST if request.POST.get("mode") == "year" else None, units=units, initial={"unit": unit}
    )
    errors = []
    if request.method == "POST":
        try:
            if request.POST.get("mode") == "year":
                if year_form.is_valid():
                    services.target_set_year(indicator=indicator, **year_form.cleaned_data)
                    messages.success(request, _("The yearly target was split into its periods."))
                    return redirect(request.get_full_path())
            else:
                values, errors = _period_values(request, parts)
                if not errors:
                    with transaction.atomic():  # every period or none
                        for period, value in values.items():
                            services.target_set(indicator=indicator, period=period, value=value, unit=unit)
                    messages.success(request, _("The targets were saved."))
                    return redirect(request.get_full_path())
        except ApplicationError as error:
            errors.append(error.message)
    existing = {
        t.period_start: t.value
        for t in IndicatorTarget.objects.filter(indicator=indicator, unit=unit).only("period_start", "value")
    }
    rows = [(period, existing.get(period.start)) for period in parts]
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "targets/targets_form.html",
        {
            "indicator": indicator,
            "units": units,
            "unit": unit,
            "year_form": year_form,
            "rows": rows,
            "errors": errors,
        },
        status=status,
    )
