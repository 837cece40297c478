"""Readings: the list, one entered, many entered all or nothing, and corrections (history keeps the old one)."""

from functools import partial

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from lean.apis import (
    RefsInput,
    TenantAPIView,
    bulk_created,
    bulk_items,
    bulk_refuse,
    bulk_schema,
    error_responses,
    list_page,
    list_schema,
    one_item,
    read_input,
    save_one,
    write_schema,
)
from lean.models import Unit
from lean.permissions import require
from targets.apis.common import (
    Page,
    PeriodField,
    RowField,
    read_filters,
    stable_order,
)

from .. import selectors, services
from ..models import Indicator, Reading, TargetTree

READINGS = "readings"


class ReadingFilter(serializers.Serializer):
    period = PeriodField(
        required=False, help_text=gettext_lazy("Readings inside this period: 2026-03, 2026-Q1 or 2026.")
    )
    unit = RowField(Unit, required=False, help_text=gettext_lazy("A unit id; its sub-units are included."))
    indicator = RowField(Indicator, required=False, help_text=gettext_lazy("An indicator id."))
    tree = RowField(TargetTree, required=False, help_text=gettext_lazy("A target tree id."))


class ReadingOutput(serializers.Serializer):
    id = serializers.IntegerField()
    indicator_id = serializers.IntegerField()
    indicator_code = serializers.CharField(source="indicator.node.code")
    tree_id = serializers.IntegerField(source="indicator.node.tree_id")
    unit_id = serializers.IntegerField()
    unit_code = serializers.CharField(source="unit.code")
    period = PeriodField()
    value = serializers.DecimalField(max_digits=18, decimal_places=4)
    note = serializers.CharField()
    source = serializers.ChoiceField(choices=Reading.Source.choices)
    entered_by = serializers.CharField(source="entered_by.user.display_name", allow_null=True)
    updated_at = serializers.DateTimeField()


class ReadingHistoryOutput(serializers.Serializer):
    value = serializers.DecimalField(max_digits=18, decimal_places=4)
    note = serializers.CharField()
    source = serializers.ChoiceField(choices=Reading.Source.choices)
    changed_at = serializers.DateTimeField(source="history_date")
    changed_by = serializers.CharField(source="history_user.display_name", allow_null=True)


class ReadingDetailOutput(ReadingOutput):
    history = ReadingHistoryOutput(
        many=True, source="history_list", help_text=gettext_lazy("Newest first; the first is now.")
    )


class ReadingInput(RefsInput):
    indicator_id = serializers.IntegerField(
        required=False, help_text=gettext_lazy("The indicator; or indicator_code and year.")
    )
    indicator_code = serializers.CharField(required=False, max_length=40)
    year = serializers.IntegerField(
        required=False, help_text=gettext_lazy("The year of the tree indicator_code belongs to.")
    )
    unit_id = serializers.IntegerField(required=False, help_text=gettext_lazy("The unit; or unit_code."))
    unit_code = serializers.CharField(required=False, max_length=40)
    period = PeriodField(help_text=gettext_lazy("2026-03, 2026-Q1 or 2026, matching the indicator's frequency."))
    value = serializers.DecimalField(max_digits=18, decimal_places=4)
    note = serializers.CharField(required=False, allow_blank=True, max_length=300, default="")

    refs = (
        ("indicator_id", ("indicator_code", "year"), gettext_lazy("Give indicator_id, or indicator_code with year.")),
        ("unit_id", ("unit_code",), gettext_lazy("Give unit_id or unit_code.")),
    )


def _resolve(rows: list[dict | None]) -> tuple[list[services.ReadingInput | None], dict[int, dict]]:
    """Turn validated inputs into ReadingInputs, looking up their indicators and units in two queries.
    Returns the items (None where a row could not be resolved) and the errors of those rows by index."""
    valid = [row for row in rows if row is not None]
    indicators, indicators_by_code = selectors.indicator_lookup(
        ids=[row["indicator_id"] for row in valid if "indicator_id" in row],
        codes=[(row["indicator_code"], row["year"]) for row in valid if "indicator_id" not in row],
    )
    units, units_by_code = selectors.unit_lookup(
        ids=[row["unit_id"] for row in valid if "unit_id" in row],
        codes=[row["unit_code"] for row in valid if "unit_id" not in row],
    )
    items, errors = [], {}
    for index, row in enumerate(rows):
        if row is None:
            items.append(None)
            continue
        row_errors = {}
        if "indicator_id" in row:
            indicator = indicators.get(row["indicator_id"])
            if indicator is None:
                row_errors["indicator_id"] = [_("There is no indicator with id %(id)s.") % {"id": row["indicator_id"]}]
        else:
            indicator = indicators_by_code.get((row["indicator_code"], row["year"]))
            if indicator is None:
                row_errors["indicator_code"] = [
                    _("There is no indicator %(code)s in the %(year)s tree.")
                    % {"code": row["indicator_code"], "year": row["year"]}
                ]
        unit = units.get(row["unit_id"]) if "unit_id" in row else units_by_code.get(row["unit_code"])
        if unit is None:
            field = "unit_id" if "unit_id" in row else "unit_code"
            row_errors[field] = [_("There is no unit %(ref)s.") % {"ref": row[field]}]
        if row_errors:
            errors[index] = row_errors
            items.append(None)
        else:
            items.append(
                services.ReadingInput(
                    indicator=indicator, unit=unit, period=row["period"], value=row["value"], note=row["note"]
                )
            )
    return items, errors


def _save_one(actor, item: services.ReadingInput) -> Reading:
    return save_one(
        partial(services.readings_save, actor=actor, source=Reading.Source.API), item, code="invalid_reading"
    )


class ReadingListApi(TenantAPIView):
    required_perm = "targets.view"
    pagination_class = Page

    @extend_schema(**list_schema(READINGS, gettext_lazy("Readings"), ReadingFilter, ReadingOutput))
    def get(self, request, tenant_slug):
        readings = selectors.reading_list(**read_filters(ReadingFilter, request))
        return list_page(self, stable_order(readings), ReadingOutput)

    @extend_schema(
        **write_schema(
            READINGS,
            gettext_lazy("Enter one reading"),
            gettext_lazy(
                "Enters a reading, or corrects the one already stored for the same indicator, unit and period (the "
                "history keeps the old value). Needs readings.enter for the unit."
            ),
            ReadingInput,
            ReadingOutput,
            created=True,
        )
    )
    def post(self, request, tenant_slug):
        require(self.membership, "readings.enter")
        item = one_item(request, ReadingInput, _resolve)
        require(self.membership, "readings.enter", item.unit)
        reading = _save_one(self.membership, item)
        reading = selectors.reading_list().get(pk=reading.pk)
        return Response(ReadingOutput(reading).data, status=status.HTTP_201_CREATED)


class ReadingBulkApi(TenantAPIView):
    required_perm = "readings.enter"

    @extend_schema(
        tags=[READINGS],
        summary=gettext_lazy("Enter many readings, all or nothing"),
        description=gettext_lazy(
            "Up to 5,000 readings. If any item is wrong nothing is stored, and field_errors lists every wrong item "
            'by its index: {"3": ["..."]}. Existing readings are corrected (the history keeps the old value).'
        ),
        **bulk_schema("Reading", "readings", ReadingInput),
    )
    def post(self, request, tenant_slug):
        items, errors = bulk_items(request, "readings", ReadingInput, _resolve)
        errors.update(
            {
                int(index): messages
                for index, messages in services.readings_errors(actor=self.membership, items=items).items()
            }
        )
        bulk_refuse(errors)
        return bulk_created(services.readings_save(actor=self.membership, items=items, source=Reading.Source.API))


class ReadingPatchInput(serializers.Serializer):
    value = serializers.DecimalField(max_digits=18, decimal_places=4, required=False)
    note = serializers.CharField(required=False, allow_blank=True, max_length=300)


class ReadingDetailApi(TenantAPIView):
    required_perm = "targets.view"

    def _detail(self, reading_id):
        reading = get_object_or_404(selectors.reading_list(), pk=reading_id)
        reading.history_list = selectors.reading_history(reading=reading)
        return Response(ReadingDetailOutput(reading).data)

    @extend_schema(
        tags=[READINGS],
        summary=gettext_lazy("A reading with its history"),
        responses={200: ReadingDetailOutput, **error_responses(403, 404)},
    )
    def get(self, request, tenant_slug, reading_id):
        return self._detail(reading_id)

    @extend_schema(
        **write_schema(
            READINGS,
            gettext_lazy("Correct a reading"),
            gettext_lazy(
                "Changes the value or note; the history keeps the old value. Needs readings.enter for the unit."
            ),
            ReadingPatchInput,
            ReadingDetailOutput,
        )
    )
    def patch(self, request, tenant_slug, reading_id):
        reading = selectors.reading_get(reading_id=reading_id)
        require(self.membership, "readings.enter", reading.unit)
        changes = read_input(request, ReadingPatchInput, partial=True)
        item = services.ReadingInput(
            indicator=reading.indicator,
            unit=reading.unit,
            period=reading.period,
            value=changes.get("value", reading.value),
            note=changes.get("note", reading.note),
        )
        _save_one(self.membership, item)
        return self._detail(reading.pk)
