"""The annual performance assessment (纳入年度绩效考核) out to the HR system: which indicator of which unit is in
the assessment of a year. Mounted at /t/<tenant>/api/v1/hr/assessments/ (scope hr:read)."""

from django.utils import timezone
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from lean.apis import CursorField, TenantAPIView, cursor_page, cursor_page_schema, error_responses
from lean.models import Unit
from targets import selectors
from targets.apis.common import RowField, read_filters
from targets.models import TargetNode

PAGE_SIZE = 200


class AssessmentFilter(serializers.Serializer):
    year = serializers.IntegerField(
        required=False, min_value=2000, max_value=2100, help_text=gettext_lazy("The year. Default: this year.")
    )
    unit = RowField(Unit, required=False, help_text=gettext_lazy("A unit id; its sub-units are included."))
    cursor = CursorField(as_int=True)
    limit = serializers.IntegerField(required=False, min_value=1, max_value=1000, default=PAGE_SIZE)


class AssessmentOutput(serializers.Serializer):
    indicator_code = serializers.CharField()
    indicator_name = serializers.CharField(allow_null=True, help_text=gettext_lazy("In the year's target tree."))
    unit_code = serializers.CharField(source="unit.code")
    unit_name = serializers.CharField(source="unit.name")
    year = serializers.IntegerField()
    note = serializers.CharField()
    assessed_by = serializers.CharField(
        source="assessed_by.employee_number", allow_null=True, help_text=gettext_lazy("An employee number.")
    )
    assessed_at = serializers.DateTimeField()


class HrAssessmentListApi(TenantAPIView):
    required_perm = "hr.assessments"
    api_scope = "hr"

    @extend_schema(
        tags=["hr"],
        operation_id="hr_assessments_list",
        summary=str(gettext_lazy("Indicators of each unit in the annual performance assessment")),
        description=str(
            gettext_lazy(
                "The indicator × unit pairs the lean office put into the performance assessment of the year "
                "(纳入年度绩效考核): every shortfall of that indicator and unit in that year is assessed. Cursor "
                "pagination: pass next_cursor back as cursor; pages stay stable while records are added."
            )
        ),
        parameters=[AssessmentFilter],
        responses={
            200: cursor_page_schema("HrAssessmentPage", AssessmentOutput(many=True)),
            **error_responses(400, 403),
        },
    )
    def get(self, request, tenant_slug):
        filters = read_filters(AssessmentFilter, request)
        year, limit = filters.get("year") or timezone.localdate().year, filters["limit"]
        records = selectors.assessment_list(year=year, unit=filters.get("unit")).order_by("pk")
        if "cursor" in filters:
            records = records.filter(pk__gt=filters["cursor"])
        rows = list(records[: limit + 1])
        rows, next_cursor = cursor_page(rows, limit, key=lambda row: row.pk)
        names = dict(
            TargetNode.objects.filter(tree__year=year, code__in={r.indicator_code for r in rows}).values_list(
                "code", "name"
            )
        )
        for row in rows:
            row.indicator_name = names.get(row.indicator_code)
        return Response(
            {
                "results": AssessmentOutput(rows, many=True).data,
                "next_cursor": next_cursor,
            }
        )
