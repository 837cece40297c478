"""The case library (优秀案例): excellent projects closed and released, searchable by every member."""

from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers

from lean.apis import TenantAPIView, error_responses
from lean.models import Unit
from targets.apis.common import Page, RowField, read_filters

from ..models import Direction
from ..selectors import api as queries
from .common import DirectionRef, MemberRef, UnitRef
from .projects import _state_field, _tier_field

CASES = "case library"


class CaseOutput(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    title = serializers.CharField()
    tier = _tier_field()
    state = _state_field()
    year = serializers.IntegerField()
    unit = UnitRef()
    direction = DirectionRef(allow_null=True)
    leader = serializers.SerializerMethodField()
    problem = serializers.CharField()
    case_summary = serializers.CharField()
    verified_benefit = serializers.DecimalField(
        max_digits=14, decimal_places=2, allow_null=True, help_text=gettext_lazy("CNY")
    )
    verified_hours = serializers.DecimalField(max_digits=10, decimal_places=1, allow_null=True)
    verified_quality = serializers.CharField()
    closing_score = serializers.DecimalField(
        max_digits=6, decimal_places=2, allow_null=True, help_text=gettext_lazy("The closing review's score.")
    )
    closed_at = serializers.DateTimeField(allow_null=True)

    @extend_schema_field(MemberRef(allow_null=True))
    def get_leader(self, project):
        leaders = project.leaders
        return MemberRef(leaders[0].member).data if leaders else None


class CaseFilter(serializers.Serializer):
    q = serializers.CharField(
        required=False, help_text=gettext_lazy("Words of the code, title, problem, summary, unit or direction.")
    )
    year = serializers.IntegerField(required=False)
    tier = _tier_field(required=False)
    unit = RowField(Unit, required=False, help_text=gettext_lazy("A unit id; its sub-units are included."))
    direction = RowField(Direction, required=False, help_text=gettext_lazy("A guide direction id."))


class CaseListApi(TenantAPIView):
    required_perm = "projects.view"
    pagination_class = Page

    @extend_schema(
        tags=[CASES],
        summary=gettext_lazy("Excellent cases"),
        description=gettext_lazy("Closed (or filed) projects marked excellent at closing; newest first."),
        parameters=[CaseFilter],
        responses={200: CaseOutput(many=True), **error_responses(400, 403)},
    )
    def get(self, request, tenant_slug):
        filters = read_filters(CaseFilter, request)
        cases = queries.case_list(
            viewer=self.membership,
            query=filters.get("q", ""),
            year=filters.get("year"),
            tier=filters.get("tier", ""),
            unit=filters.get("unit"),
            direction=filters.get("direction"),
        )
        page = Page()
        rows = page.paginate_queryset(cases, request, view=self)
        return page.get_paginated_response(CaseOutput(rows, many=True).data)
