"""Benchmark indicators: the target-tree indicators compared with peers, by code."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from lean.apis import TenantAPIView, error_responses, list_page, list_schema
from targets.apis.common import Page, read_filters, stable_order
from targets.models import Aggregation, Direction, Frequency

from .. import selectors
from ..models import BenchmarkIndicator

INDICATORS = "benchmark indicators"


class BenchmarkFilter(serializers.Serializer):
    frequency = serializers.ChoiceField(
        choices=Frequency.choices, required=False, help_text=gettext_lazy("Only those compared per this period.")
    )
    include_inactive = serializers.BooleanField(required=False, default=False)


class BenchmarkOutput(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField(help_text=gettext_lazy("The code of the target-tree indicator, in every year."))
    name = serializers.CharField()
    measure_unit = serializers.CharField()
    direction = serializers.ChoiceField(choices=Direction.choices)
    aggregation = serializers.ChoiceField(choices=Aggregation.choices)
    frequency = serializers.ChoiceField(
        choices=Frequency.choices, help_text=gettext_lazy("The period the comparison is made per.")
    )
    origin = serializers.ChoiceField(choices=BenchmarkIndicator.Origin.choices)
    active = serializers.BooleanField()
    indicator_id = serializers.IntegerField(
        allow_null=True, help_text=gettext_lazy("The target-tree indicator it was chosen from.")
    )
    peer_value_count = serializers.IntegerField(help_text=gettext_lazy("Outside peers' values entered."))
    created_at = serializers.DateTimeField()


class BenchmarkListApi(TenantAPIView):
    required_perm = "benchmarking.view"
    pagination_class = Page

    @extend_schema(**list_schema(INDICATORS, gettext_lazy("Benchmark indicators"), BenchmarkFilter, BenchmarkOutput))
    def get(self, request, tenant_slug):
        filters = read_filters(BenchmarkFilter, request)
        benchmarks = selectors.benchmark_list(active_only=not filters["include_inactive"]).order_by("code")
        if "frequency" in filters:
            benchmarks = benchmarks.filter(frequency=filters["frequency"])
        return list_page(self, stable_order(benchmarks), BenchmarkOutput)


class BenchmarkDetailApi(TenantAPIView):
    required_perm = "benchmarking.view"

    @extend_schema(
        tags=[INDICATORS],
        summary=gettext_lazy("A benchmark indicator"),
        responses={200: BenchmarkOutput, **error_responses(403, 404)},
    )
    def get(self, request, tenant_slug, benchmark_indicator_id):
        benchmark = get_object_or_404(selectors.benchmark_list(active_only=False), pk=benchmark_indicator_id)
        return Response(BenchmarkOutput(benchmark).data)
