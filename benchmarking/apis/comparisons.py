"""Comparisons (read-only): one period's ranking of the units and peers, or one unit's position over time."""

from dataclasses import asdict

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from lean.apis import TenantAPIView, error_responses
from lean.models import Unit
from targets.apis.common import PeriodField, RowField, read_filters
from targets.models import Direction, Frequency

from .. import selectors
from ..comparison import comparisons
from ..models import BenchmarkIndicator

COMPARISONS = "comparisons"
MAX_SERIES = 36
PARTICIPANT_KINDS = [("unit", gettext_lazy("Unit")), ("peer", gettext_lazy("Outside peer"))]


class ComparisonFilter(serializers.Serializer):
    benchmark = RowField(BenchmarkIndicator, help_text=gettext_lazy("A benchmark indicator id (required)."))
    period = PeriodField(
        required=False,
        help_text=gettext_lazy("One period's comparison, of the kind the indicator is compared per: 2026-Q1."),
    )
    unit = RowField(Unit, required=False, help_text=gettext_lazy("A unit's series (with last and count)."))
    last = PeriodField(required=False, help_text=gettext_lazy("The series' last period, for example 2026-Q1."))
    count = serializers.IntegerField(
        required=False, default=8, min_value=1, max_value=MAX_SERIES, help_text=gettext_lazy("Periods in the series.")
    )

    def validate(self, attrs):
        benchmark = attrs["benchmark"]
        if ("period" in attrs) == ("unit" in attrs):
            raise serializers.ValidationError(
                _("Give either period (one period's comparison) or unit with last (the unit's series).")
            )
        if "unit" in attrs and "last" not in attrs:
            raise serializers.ValidationError({"last": [_("Give the last period of the unit's series.")]})
        errors = {}
        for field in ("period", "last"):
            if field in attrs and attrs[field].kind != benchmark.frequency:
                errors[field] = [
                    _("%(code)s is compared per %(kind)s; %(period)s is not one.")
                    % {"code": benchmark.code, "kind": benchmark.get_frequency_display(), "period": attrs[field]}
                ]
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


class BenchmarkRefOutput(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    measure_unit = serializers.CharField()
    direction = serializers.ChoiceField(choices=Direction.choices)
    frequency = serializers.ChoiceField(choices=Frequency.choices)


class ThresholdsOutput(serializers.Serializer):
    p25 = serializers.DecimalField(max_digits=18, decimal_places=4)
    p50 = serializers.DecimalField(max_digits=18, decimal_places=4)
    p75 = serializers.DecimalField(max_digits=18, decimal_places=4)


def _number(**kwargs):
    return serializers.DecimalField(max_digits=18, decimal_places=4, **kwargs)


class FiguresOutput(serializers.Serializer):
    count = serializers.IntegerField(help_text=gettext_lazy("Units and peers with a value."))
    best = _number(allow_null=True)
    median = _number(allow_null=True)
    thresholds = ThresholdsOutput(
        allow_null=True,
        help_text=gettext_lazy("The 25th, 50th and 75th percentiles, low to high; null with fewer than 4 values."),
    )


class PositionFields(serializers.Serializer):
    value = _number()
    rank = serializers.IntegerField(help_text=gettext_lazy("1 is the best; equal values share a rank."))
    quartile = serializers.IntegerField(
        allow_null=True, help_text=gettext_lazy("1 is the best quarter, 4 the worst; null with fewer than 4 values.")
    )
    gap_to_best = _number(help_text=gettext_lazy("How far from the best; never negative."))
    gap_to_median = _number(help_text=gettext_lazy("How much worse than the median; negative when better."))


class ParticipantOutput(PositionFields):
    kind = serializers.ChoiceField(choices=PARTICIPANT_KINDS)
    id = serializers.IntegerField(help_text=gettext_lazy("A unit id or an outside peer id, as kind says."))
    name = serializers.CharField()


class ComparisonOutput(FiguresOutput):
    benchmark = BenchmarkRefOutput()
    period = PeriodField()
    participants = ParticipantOutput(many=True, help_text=gettext_lazy("Best first."))


class SeriesPointOutput(FiguresOutput):
    period = PeriodField()
    position = PositionFields(allow_null=True, help_text=gettext_lazy("Null when the unit has no value."))


class SeriesOutput(serializers.Serializer):
    benchmark = BenchmarkRefOutput()
    unit_id = serializers.IntegerField()
    unit_name = serializers.CharField()
    points = SeriesPointOutput(many=True, help_text=gettext_lazy("Oldest first, ending with last."))


def _figures(comparison) -> dict:
    if comparison is None:
        return {"count": 0, "best": None, "median": None, "thresholds": None}
    thresholds = None
    if comparison.thresholds:
        thresholds = dict(zip(("p25", "p50", "p75"), comparison.thresholds, strict=True))
    return {
        "count": comparison.count,
        "best": comparison.best,
        "median": comparison.median,
        "thresholds": thresholds,
    }


def _period_comparison(benchmark, period) -> dict:
    result = comparisons(benchmarks=[benchmark], start=period.start, end=period.end, kind=benchmark.frequency)
    comparison = result.get((benchmark.pk, period.start))
    names = selectors.participant_names(comparison)
    participants = [
        {"kind": kind, "id": pk, "name": names.get((kind, pk), ""), **asdict(position)}
        for (kind, pk), position in (comparison.positions.items() if comparison else [])
    ]
    participants.sort(key=lambda p: (p["rank"], p["kind"] != "unit", p["name"], p["id"]))
    return {"benchmark": benchmark, "period": period, **_figures(comparison), "participants": participants}


def _series(benchmark, unit, last, count) -> dict:
    points = selectors.benchmark_series(benchmark=benchmark, unit=unit, last=last, count=count)
    return {
        "benchmark": benchmark,
        "unit_id": unit.pk,
        "unit_name": unit.name,
        "points": [
            {"period": point.period, **_figures(point.comparison), "position": point.position} for point in points
        ],
    }


class ComparisonApi(TenantAPIView):
    required_perm = "benchmarking.view"

    @extend_schema(
        tags=[COMPARISONS],
        summary=gettext_lazy("A benchmark comparison"),
        description=gettext_lazy(
            "With benchmark and period: every unit and outside peer with a value in that period, ranked, with best, "
            "median and quartile thresholds. With benchmark, unit, last and count: the unit's position in each of "
            "the last count periods. Periods are of the kind the indicator is compared per."
        ),
        parameters=[ComparisonFilter],
        responses={
            200: PolymorphicProxySerializer(
                component_name="BenchmarkComparison",
                serializers=[ComparisonOutput, SeriesOutput],
                resource_type_field_name=None,
            ),
            **error_responses(400, 403),
        },
    )
    def get(self, request, tenant_slug):
        filters = read_filters(ComparisonFilter, request)
        benchmark = filters["benchmark"]
        if "period" in filters:
            return Response(ComparisonOutput(_period_comparison(benchmark, filters["period"])).data)
        data = _series(benchmark, filters["unit"], filters["last"], filters["count"])
        return Response(SeriesOutput(data).data)
