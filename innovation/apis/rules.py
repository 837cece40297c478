"""Contribution types and the points rules (积分制), read only: every member may see how points are counted.
Rules change on the rules page, where the lean office previews them."""

from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.response import Response

from lean.apis import TenantAPIView, error_responses
from lean.models import Unit
from targets.apis.common import RowField, read_filters, stable_order

from ..models import ContributionType, RuleVersion
from ..services.scoring import rule_version_for, types_for_unit
from .common import INNOVATION, EnumField, Page


class TypeFilter(serializers.Serializer):
    unit = RowField(
        Unit,
        required=False,
        help_text=gettext_lazy("A unit id: only the types its contributions may have (HQ's and its own units')."),
    )


class ContributionTypeOutput(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    description = serializers.CharField()
    recorded_by = EnumField(
        "RecordedByEnum",
        ContributionType.RecordedBy.choices,
        help_text=gettext_lazy(
            "self: the employee; manager: a unit manager or the lean office; system: automatically."
        ),
    )
    unit = serializers.CharField(
        source="unit.code", allow_null=True, help_text=gettext_lazy("The code of the unit that added it; null: HQ's.")
    )
    builtin = serializers.BooleanField()


class TypeListApi(TenantAPIView):
    required_perm = "innovation.view"
    pagination_class = Page

    @extend_schema(
        tags=[INNOVATION],
        summary=gettext_lazy("Contribution types"),
        description=gettext_lazy("The active types: HQ's (lean project, QC circle, …) and those units added."),
        parameters=[TypeFilter],
        responses={200: ContributionTypeOutput(many=True), **error_responses(400, 403)},
    )
    def get(self, request, tenant_slug):
        filters = read_filters(TypeFilter, request)
        kinds = types_for_unit(filters["unit"]) if "unit" in filters else ContributionType.objects.filter(active=True)
        page = Page()
        rows = page.paginate_queryset(stable_order(kinds.select_related("unit").order_by("position")), request, self)
        return page.get_paginated_response(ContributionTypeOutput(rows, many=True).data)


class RuleFactorOutput(serializers.Serializer):
    value = serializers.CharField(help_text=gettext_lazy("A decimal."))
    min = serializers.CharField(help_text=gettext_lazy("The lowest value a unit may tune it to."))
    max = serializers.CharField(help_text=gettext_lazy("The highest value a unit may tune it to."))


class UnitBaseBoundsOutput(serializers.Serializer):
    min = serializers.CharField()
    max = serializers.CharField()


class RulesOutput(serializers.Serializer):
    base = serializers.DictField(
        child=serializers.CharField(), help_text=gettext_lazy("Base points (a decimal) by type code.")
    )
    factors = serializers.DictField(
        child=serializers.DictField(child=RuleFactorOutput()),
        help_text=gettext_lazy("positioning, breadth and complexity: by level, the factor and its bounds."),
    )
    award = serializers.DictField(
        child=serializers.CharField(), help_text=gettext_lazy("Bonus points (a decimal) by award level.")
    )
    unit_base = UnitBaseBoundsOutput(help_text=gettext_lazy("The bounds of the base of a type a unit adds."))


class RuleVersionOutput(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.IntegerField()
    effective_from = serializers.DateField()
    note = serializers.CharField()
    in_force = serializers.SerializerMethodField(help_text=gettext_lazy("The version that scores today's work."))
    created_at = serializers.DateTimeField()
    rules = RulesOutput()

    @extend_schema_field(serializers.BooleanField())
    def get_in_force(self, version) -> bool:
        return version.pk == self.context["in_force_id"]


def _context() -> dict:
    return {"in_force_id": rule_version_for(timezone.localdate()).pk}


class RuleVersionListApi(TenantAPIView):
    required_perm = "innovation.view"
    pagination_class = Page

    @extend_schema(
        tags=[INNOVATION],
        summary=gettext_lazy("Points rule versions"),
        description=gettext_lazy(
            "Newest first. A version never changes; a contribution keeps the version that scored it "
            "(points = base × positioning × breadth × complexity + award bonus, rounded to 0.01)."
        ),
        responses={200: RuleVersionOutput(many=True), **error_responses(403)},
    )
    def get(self, request, tenant_slug):
        context = _context()
        page = Page()
        rows = page.paginate_queryset(RuleVersion.objects.order_by("-number", "-pk"), request, view=self)
        return page.get_paginated_response(RuleVersionOutput(rows, many=True, context=context).data)


class RuleVersionDetailApi(TenantAPIView):
    required_perm = "innovation.view"

    @extend_schema(
        tags=[INNOVATION],
        summary=gettext_lazy("A points rule version"),
        responses={200: RuleVersionOutput, **error_responses(403, 404)},
    )
    def get(self, request, tenant_slug, ruleversion_id):
        version = get_object_or_404(RuleVersion, pk=ruleversion_id)
        return Response(RuleVersionOutput(version, context=_context()).data)
