"""Readings: the list, one entered, many entered all or nothing, and corrections (history keeps the old one)."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from lean.apis import TenantAPIView, error_responses
from lean.errors import ApplicationError, BadRow, BatchRejected
from lean.models import Unit
from lean.permissions import require

from .. import selectors, services
from ..models import Indicator, Reading, TargetTree
from .common import (
    MAX_BULK,
    Page,
    PeriodField,
    RowField,
    error_messages,
    read_filters,
    stable_order,
    validate_each,
)

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


class ReadingInput(serializers.Serializer):
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

    def validate(self, attrs):
        errors = {}
        if "indicator_id" not in attrs and not ("indicator_code" in attrs and "year" in attrs):
            errors["indicator_id"] = [_("Give indicator_id, or indicator_code with year.")]
        if "unit_id" not in attrs and "unit_code" not in attrs:
            errors["unit_id"] = [_("Give unit_id or unit_code.")]
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


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
    try:
        return services.readings_save(actor=actor, items=[item], source=Reading.Source.API)[0]
    except BatchRejected as error:
        # One item: its listed errors are the errors of the request, not of "item 0".
        messages = error.field_errors.get("0", [])
        raise ApplicationError(
            " ".join(messages) or error.message, code="invalid_reading", field_errors={"non_field_errors": messages}
        ) from error


class ReadingListApi(TenantAPIView):
    required_perm = "targets.view"
    pagination_class = Page

    @extend_schema(
        tags=[READINGS],
        summary=gettext_lazy("Readings"),
        parameters=[ReadingFilter],
        responses={200: ReadingOutput(many=True), **error_responses(400, 403)},
    )
    def get(self, request, tenant_slug):
        readings = selectors.reading_list(**read_filters(ReadingFilter, request))
        page = Page()
        rows = page.paginate_queryset(stable_order(readings), request, view=self)
        return page.get_paginated_response(ReadingOutput(rows, many=True).data)

    @extend_schema(
        tags=[READINGS],
        summary=gettext_lazy("Enter one reading"),
        description=gettext_lazy(
            "Enters a reading, or corrects the one already stored for the same indicator, unit and period (the "
            "history keeps the old value). Needs readings.enter for the unit."
        ),
        request=ReadingInput,
        responses={201: ReadingOutput, **error_responses(400, 403)},
    )
    def post(self, request, tenant_slug):
        require(self.membership, "readings.enter")
        serializer = ReadingInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        (item,), errors = _resolve([serializer.validated_data])
        if errors:
            raise serializers.ValidationError(errors[0])
        require(self.membership, "readings.enter", item.unit)
        reading = _save_one(self.membership, item)
        reading = selectors.reading_list().get(pk=reading.pk)
        return Response(ReadingOutput(reading).data, status=status.HTTP_201_CREATED)


class ReadingBulkInput(serializers.Serializer):
    readings = ReadingInput(many=True, min_length=1, max_length=MAX_BULK)


class ReadingBulkShape(serializers.Serializer):
    # Only the envelope: each item is checked on its own so that every bad item is listed by its index.
    readings = serializers.ListField(min_length=1, max_length=MAX_BULK)


class ReadingBulkOutput(serializers.Serializer):
    saved = serializers.IntegerField()
    ids = serializers.ListField(child=serializers.IntegerField(), help_text=gettext_lazy("In the order of the items."))


class ReadingBulkApi(TenantAPIView):
    required_perm = "readings.enter"

    @extend_schema(
        tags=[READINGS],
        summary=gettext_lazy("Enter many readings, all or nothing"),
        description=gettext_lazy(
            "Up to 5,000 readings. If any item is wrong nothing is stored, and field_errors lists every wrong item "
            'by its index: {"3": ["..."]}. Existing readings are corrected (the history keeps the old value).'
        ),
        request=ReadingBulkInput,
        responses={201: ReadingBulkOutput, **error_responses(400, 403)},
    )
    def post(self, request, tenant_slug):
        shape = ReadingBulkShape(data=request.data)
        shape.is_valid(raise_exception=True)
        rows, errors = validate_each(ReadingInput, shape.validated_data["readings"])
        items, missing = _resolve(rows)
        errors.update({index: error_messages(detail) for index, detail in missing.items()})
        errors.update(
            {
                int(index): messages
                for index, messages in services.readings_errors(actor=self.membership, items=items).items()
            }
        )
        if errors:
            raise BatchRejected([BadRow(index, errors[index]) for index in sorted(errors)])
        readings = services.readings_save(actor=self.membership, items=items, source=Reading.Source.API)
        return Response({"saved": len(readings), "ids": [r.pk for r in readings]}, status=status.HTTP_201_CREATED)


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
        tags=[READINGS],
        summary=gettext_lazy("Correct a reading"),
        description=gettext_lazy(
            "Changes the value or note; the history keeps the old value. Needs readings.enter for the unit."
        ),
        request=ReadingPatchInput,
        responses={200: ReadingDetailOutput, **error_responses(400, 403, 404)},
    )
    def patch(self, request, tenant_slug, reading_id):
        reading = selectors.reading_get(reading_id=reading_id)
        require(self.membership, "readings.enter", reading.unit)
        serializer = ReadingPatchInput(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        changes = serializer.validated_data
        item = services.ReadingInput(
            indicator=reading.indicator,
            unit=reading.unit,
            period=reading.period,
            value=changes.get("value", reading.value),
            note=changes.get("note", reading.note),
        )
        _save_one(self.membership, item)
        return self._detail(reading.pk)
