"""What the target tree's API operations share: fields for periods and tenant rows, filters, paging."""

from django.utils.translation import gettext as _
from rest_framework import serializers

from lean.apis import Page  # noqa: F401 (the pages every list operation uses, imported from here)

from .. import periods

MAX_BULK = 5000


def stable_order(queryset):
    """The selector's order with the id last, so no row moves between pages."""
    return queryset.order_by(*queryset.query.order_by, "pk")


def error_messages(detail) -> list[str]:
    """A serializer's error detail as flat messages ("value: A valid number is required.")."""
    if isinstance(detail, dict):
        return [
            message if field == "non_field_errors" else f"{field}: {message}"
            for field, errors in detail.items()
            for message in error_messages(errors)
        ]
    if isinstance(detail, list):
        return [message for item in detail for message in error_messages(item)]
    return [str(detail)]


class PeriodField(serializers.CharField):
    """A period written 2026-03, 2026-Q1 or 2026."""

    def to_internal_value(self, data):
        try:
            return periods.parse(super().to_internal_value(data))
        except periods.PeriodError as error:
            raise serializers.ValidationError(str(error)) from error

    def to_representation(self, value):
        return str(value)


class RowField(serializers.IntegerField):
    """The id of one of the tenant's rows, handed on as the row (an unknown id is a field error)."""

    def __init__(self, model, **kwargs):
        self.model = model
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        pk = super().to_internal_value(data)
        row = self.model.objects.filter(pk=pk).first()
        if row is None:
            raise serializers.ValidationError(
                _("There is no %(model)s with id %(id)s.") % {"model": self.model._meta.verbose_name, "id": pk}
            )
        return row


def validate_each(serializer_class, raw_items) -> tuple[list, dict]:
    """Check every item of a bulk request on its own: (validated data or None per item, {index: messages}), so
    that every bad item is listed by its index, not only the first."""
    rows, errors = [], {}
    for index, raw in enumerate(raw_items):
        serializer = serializer_class(data=raw)
        if serializer.is_valid():
            rows.append(serializer.validated_data)
        else:
            rows.append(None)
            errors[index] = error_messages(serializer.errors)
    return rows, errors


def read_filters(serializer_class, request) -> dict:
    # A plain dict, not the QueryDict: a boolean left out stays out instead of reading as false.
    serializer = serializer_class(data=request.query_params.dict())
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data
