"""What the target tree's API operations share: fields for periods and tenant rows, filters, paging."""

from django.utils.translation import gettext as _
from rest_framework import serializers

from lean import periods
from lean.apis import Page  # noqa: F401 (the pages every list operation uses, imported from here)


def stable_order(queryset):
    """The selector's order with the id last, so no row moves between pages."""
    return queryset.order_by(*queryset.query.order_by, "pk")


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


def read_filters(serializer_class, request) -> dict:
    # A plain dict, not the QueryDict: a boolean left out stays out instead of reading as false.
    serializer = serializer_class(data=request.query_params.dict())
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data
