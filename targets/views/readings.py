"""Entering readings: one unit and one period at a time, every indicator of that unit in one grid; and the
correction of a single reading, with its history."""

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.db.models import Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from lean import periods
from lean.errors import ApplicationError, Forbidden
from lean.forms import apply_error, flash_error
from lean.permissions import can, require

from .. import selectors, services
from ..forms import ReadingEntryFilterForm, ReadingForm
from ..models import Indicator, IndicatorTarget, Reading


def _entry_rows(unit, period):
    """The indicators of `unit` measured per period.kind in that year's tree, with any reading already there."""
    tree = selectors.tree_for(year=period.year)
    if tree is None or tree.year != period.year:
        return None, []
    indicators = list(
        Indicator.objects.filter(node__tree=tree, unit_links__unit=unit, frequency=period.kind)
        .select_related("node__tree")
        .order_by("node__path")
    )
    readings = {
        r.indicator_id: r
        for r in Reading.objects.filter(indicator__in=indicators, unit=unit, period_start=period.start)
    }
    return tree, [(indicator, readings.get(indicator.pk)) for indicator in indicators]


def _targets(rows, unit, period) -> dict:
    """indicator id → the target that applies to `unit` in `period` (its own, else every unit's): one query."""
    found = {}
    for target in IndicatorTarget.objects.filter(
        Q(unit=unit) | Q(unit=None), indicator__in=[indicator for indicator, _r in rows], period_start=period.start
    ).order_by("unit_id"):  # NULLs last: a unit's own target comes first and wins
        found.setdefault(target.indicator_id, target.value)
    return found


def _plain(value) -> str:
    return f"{value.normalize():f}" if isinstance(value, Decimal) else (value or "")


def _posted_items(request, unit, period, rows):
    items, errors = [], {}
    for indicator, reading in rows:
        raw = (request.POST.get(f"v-{indicator.pk}") or "").strip()
        note = (request.POST.get(f"n-{indicator.pk}") or "").strip()[:300]
        if not raw:
            continue
        try:
            value = Decimal(raw.replace(",", ""))
        except InvalidOperation:
            errors[indicator.pk] = [_("%(value)s is not a number.") % {"value": raw}]
            continue
        if reading is not None and reading.value == value and reading.note == note:
            continue  # unchanged: nothing to store, no history line
        items.append(services.ReadingInput(indicator=indicator, unit=unit, period=period, value=value, note=note))
    return items, errors


def reading_entry_view(request, tenant_slug):
    require(request, "readings.enter")
    units = selectors.entry_units(member=request.membership)
    default_unit = (
        request.membership.unit if can(request.membership, "readings.enter", request.membership.unit) else None
    )
    params = request.GET.copy()
    params.setdefault("unit", str(default_unit.pk) if default_unit else "")
    params.setdefault("period", str(periods.parse(_last_month())))
    picker = ReadingEntryFilterForm(params, units=units)
    unit = period = tree = None
    rows, errors = [], {}
    if picker.is_valid():
        unit, period = picker.cleaned_data["unit"], picker.cleaned_data["period"]
        tree, rows = _entry_rows(unit, period)
    if request.method == "POST":
        if unit is None:
            raise Forbidden
        items, errors = _posted_items(request, unit, period, rows)
        if not errors:
            try:
                services.readings_save(actor=request.membership, items=items, source="form")
            except ApplicationError as error:
                by_index = error.field_errors
                errors = {items[int(i)].indicator.pk: messages_ for i, messages_ in by_index.items()}
                flash_error(request, error)
            else:
                messages.success(request, _("%(count)s reading(s) saved.") % {"count": len(items)})
                url = reverse("targets-readings", kwargs={"tenant_slug": tenant_slug})
                return redirect(f"{url}?{params.urlencode()}")
    status = 400 if errors else 200
    posted = request.POST if request.method == "POST" else {}
    targets = _targets(rows, unit, period) if rows else {}
    grid = [
        {
            "indicator": indicator,
            "reading": reading,
            "target": targets.get(indicator.pk),
            "value": posted.get(f"v-{indicator.pk}", _plain(reading.value if reading else "")),
            "note": posted.get(f"n-{indicator.pk}", reading.note if reading else ""),
            "errors": errors.get(indicator.pk, []),
        }
        for indicator, reading in rows
    ]
    return render(
        request,
        "targets/reading_entry.html",
        {"picker": picker, "unit": unit, "period": period, "tree": tree, "grid": grid},
        status=status,
    )


def _last_month() -> str:
    return str(periods.parse(timezone.localdate()).previous())


def reading_edit_view(request, tenant_slug, reading_id):
    """Correct one reading; the history below the form keeps every earlier value."""
    reading = selectors.reading_get(reading_id=reading_id)
    require(request, "targets.view")
    require(request, "readings.enter", reading.unit)
    form = ReadingForm(request.POST or None, initial={"value": reading.value, "note": reading.note})
    if request.method == "POST" and form.is_valid():
        try:
            services.reading_save(
                actor=request.membership,
                indicator=reading.indicator,
                unit=reading.unit,
                period=reading.period,
                **form.cleaned_data,
            )
        except ApplicationError as error:
            apply_error(form, error)
        else:
            messages.success(request, _("The reading was corrected."))
            return redirect("targets-indicator", tenant_slug=tenant_slug, indicator_id=reading.indicator_id)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "targets/reading_edit.html",
        {"reading": reading, "form": form, "history": selectors.reading_history(reading=reading)},
        status=status,
    )
