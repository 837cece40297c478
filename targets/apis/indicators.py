"""Indicators, with the units they apply to and their targets."""

from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from lean.apis import TenantAPIView, error_responses, list_page, list_schema

from .. import selectors
from ..models import Branch, Indicator, TargetTree
from .common import Page, PeriodField, RowField, read_filters, stable_order

INDICATORS = "indicators"


class IndicatorFilter(serializers.Serializer):
    tree = RowField(TargetTree, required=False, help_text=gettext_lazy("A target tree id."))
    year = serializers.IntegerField(required=False, help_text=gettext_lazy("The year of the target tree."))
    q = serializers.CharField(required=False, help_text=gettext_lazy("Part of the code or name."))


class IndicatorOutput(serializers.Serializer):
    id = serializers.IntegerField()
    node_id = serializers.IntegerField()
    tree_id = serializers.IntegerField(source="node.tree_id")
    year = serializers.IntegerField(source="node.tree.year")
    parent_id = serializers.IntegerField(source="node.parent_id")
    code = serializers.CharField()
    name = serializers.CharField()
    branch = serializers.ChoiceField(source="node.branch", choices=Branch.choices)
    owner_unit = serializers.CharField(source="node.owner_unit.code")
    weight = serializers.DecimalField(source="node.weight", max_digits=7, decimal_places=2)
    measure_unit = serializers.CharField()
    direction = serializers.ChoiceField(choices=Indicator._meta.get_field("direction").choices)
    frequency = serializers.ChoiceField(choices=Indicator._meta.get_field("frequency").choices)
    aggregation = serializers.ChoiceField(choices=Indicator._meta.get_field("aggregation").choices)
    baseline = serializers.DecimalField(max_digits=18, decimal_places=4, allow_null=True)
    data_source = serializers.CharField()


class UnitRefOutput(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()


class TargetOutput(serializers.Serializer):
    period = PeriodField()
    unit_id = serializers.IntegerField(allow_null=True, help_text=gettext_lazy("Null: the target of every unit."))
    value = serializers.DecimalField(max_digits=18, decimal_places=4)


class IndicatorDetailOutput(IndicatorOutput):
    description = serializers.CharField(source="node.description")
    units = UnitRefOutput(many=True, source="unit_list")
    targets = TargetOutput(many=True, source="target_list")


class IndicatorListApi(TenantAPIView):
    required_perm = "targets.view"
    pagination_class = Page

    @extend_schema(**list_schema(INDICATORS, gettext_lazy("Indicators"), IndicatorFilter, IndicatorOutput))
    def get(self, request, tenant_slug):
        filters = read_filters(IndicatorFilter, request)
        indicators = selectors.indicator_list(tree=filters.get("tree"), query=filters.get("q", ""))
        if "year" in filters:
            indicators = indicators.filter(node__tree__year=filters["year"])
        return list_page(self, stable_order(indicators), IndicatorOutput)


class IndicatorDetailApi(TenantAPIView):
    required_perm = "targets.view"

    @extend_schema(
        tags=[INDICATORS],
        summary=gettext_lazy("An indicator with its units and targets"),
        responses={200: IndicatorDetailOutput, **error_responses(403, 404)},
    )
    def get(self, request, tenant_slug, indicator_id):
        indicator = selectors.indicator_get(indicator_id=indicator_id)
        indicator.unit_list = selectors.indicator_units(indicator=indicator)
        indicator.target_list = selectors.indicator_targets(indicator=indicator)
        return Response(IndicatorDetailOutput(indicator).data)
