"""Final points out to the HR system: per period, only finalized listings count. Mounted at /api/v1/hr/."""

from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response

from innovation import selectors
from lean import periods
from lean.apis import CursorField, TenantAPIView, cursor_page, cursor_page_schema, error_responses
from lean.models import Membership, Unit
from targets.apis.common import PeriodField, RowField, read_filters

PAGE_SIZE = 200


class PointsFilter(serializers.Serializer):
    period = PeriodField(help_text=gettext_lazy("2026, 2026-Q1 or 2026-03: listings that end in it count."))
    unit = RowField(Unit, required=False, help_text=gettext_lazy("A unit id; its sub-units are included."))
    updated_since = serializers.DateTimeField(
        required=False, help_text=gettext_lazy("Only people whose final points changed at or after this time.")
    )
    cursor = CursorField()
    limit = serializers.IntegerField(required=False, min_value=1, max_value=1000, default=PAGE_SIZE)


class PeriodFilter(serializers.Serializer):
    period = PeriodField(
        required=False,
        help_text=gettext_lazy("2026, 2026-Q1 or 2026-03: listings that end in it count. Default: this year."),
    )

    def validate(self, attrs):
        # An archive or a unit's totals are asked for without a period most often "for this year so far".
        if "period" not in attrs:
            attrs["period"] = periods.parse(str(timezone.localdate().year))
        return attrs


class EmployeePoints(serializers.Serializer):
    employee_number = serializers.CharField()
    name = serializers.CharField(source="user.display_name")
    unit_code = serializers.CharField(source="unit.code")
    active = serializers.BooleanField()
    points = serializers.DecimalField(max_digits=12, decimal_places=2)
    bonus_points = serializers.DecimalField(max_digits=12, decimal_places=2)
    contributions = serializers.IntegerField()
    updated_at = serializers.DateTimeField(allow_null=True)


class HrPointsApi(TenantAPIView):
    required_perm = "hr.points"
    api_scope = "hr"

    @extend_schema(
        tags=["hr"],
        operation_id="hr_points_list",
        summary=str(gettext_lazy("Final points of every employee for a period")),
        description=str(
            gettext_lazy(
                "The points of finalized listings (创新公示) whose period ends in the requested period, and the "
                "performance bonus points awarded in it, per employee. Cursor pagination by employee number: "
                "pass next_cursor back as cursor; pages stay stable while data changes."
            )
        ),
        parameters=[PointsFilter],
        responses={
            200: cursor_page_schema("HrPointsPage", EmployeePoints(many=True)),
            **error_responses(400, 403),
        },
    )
    def get(self, request, tenant_slug):
        filters = read_filters(PointsFilter, request)
        period, limit = filters["period"], filters["limit"]
        rows = selectors.final_points(
            period_start=period.start,
            period_end=period.end,
            unit=filters.get("unit"),
            updated_since=filters.get("updated_since"),
            after=filters.get("cursor", ""),
            limit=limit,
        )
        rows, next_cursor = cursor_page(rows, limit, key=lambda row: row.employee_number)
        return Response({"results": EmployeePoints(rows, many=True).data, "next_cursor": next_cursor})


class ListingPoints(serializers.Serializer):
    listing_id = serializers.IntegerField(source="contribution__listing_id")
    title = serializers.CharField(source="contribution__listing__title")
    period_start = serializers.DateField(source="contribution__listing__period_start")
    period_end = serializers.DateField(source="contribution__listing__period_end")
    finalized_at = serializers.DateTimeField(source="contribution__listing__finalized_at")
    points = serializers.DecimalField(max_digits=12, decimal_places=2)
    contributions = serializers.IntegerField()


class BonusOutput(serializers.Serializer):
    name = serializers.CharField()
    reason = serializers.CharField()
    awarded_on = serializers.DateField()
    bonus_points = serializers.DecimalField(max_digits=12, decimal_places=2)


class HrEmployeeApi(TenantAPIView):
    required_perm = "hr.points"
    api_scope = "hr"

    @extend_schema(
        tags=["hr"],
        operation_id="hr_employee_points",
        summary=str(gettext_lazy("One employee's final points for a period, by listing")),
        parameters=[PeriodFilter],
        responses={
            200: inline_serializer(
                "HrEmployeePoints",
                {
                    "employee_number": serializers.CharField(),
                    "name": serializers.CharField(),
                    "unit_code": serializers.CharField(),
                    "active": serializers.BooleanField(),
                    "points": serializers.DecimalField(max_digits=12, decimal_places=2),
                    "bonus_points": serializers.DecimalField(max_digits=12, decimal_places=2),
                    "by_listing": ListingPoints(many=True),
                    "bonus": BonusOutput(many=True),
                },
            ),
            **error_responses(400, 403, 404),
        },
    )
    def get(self, request, tenant_slug, employee_number):
        member = get_object_or_404(Membership.objects.select_related("user", "unit"), employee_number=employee_number)
        period = read_filters(PeriodFilter, request)["period"]
        data = selectors.final_points_of(member=member, period_start=period.start, period_end=period.end)
        return Response(
            {
                "employee_number": member.employee_number,
                "name": member.user.display_name,
                "unit_code": member.unit.code,
                "active": member.active,
                "points": serializers.DecimalField(max_digits=12, decimal_places=2).to_representation(data["points"]),
                "bonus_points": serializers.DecimalField(max_digits=12, decimal_places=2).to_representation(
                    data["bonus_points"]
                ),
                "by_listing": ListingPoints(data["by_listing"], many=True).data,
                "bonus": BonusOutput(data["bonus"], many=True).data,
            }
        )


class UnitPoints(serializers.Serializer):
    unit_id = serializers.IntegerField(source="member__unit_id")
    unit_code = serializers.CharField(source="member__unit__code")
    unit_name = serializers.CharField(source="member__unit__name")
    points = serializers.DecimalField(max_digits=12, decimal_places=2)
    people = serializers.IntegerField()
    contributions = serializers.IntegerField()


class HrUnitTotalsApi(TenantAPIView):
    required_perm = "hr.points"
    api_scope = "hr"

    @extend_schema(
        tags=["hr"],
        operation_id="hr_unit_points",
        summary=str(gettext_lazy("Final points per unit for a period (each unit's own people)")),
        parameters=[PeriodFilter],
        responses={
            200: inline_serializer("HrUnitPoints", {"results": UnitPoints(many=True)}),
            **error_responses(400, 403),
        },
    )
    def get(self, request, tenant_slug):
        period = read_filters(PeriodFilter, request)["period"]
        rows = selectors.final_points_by_unit(period_start=period.start, period_end=period.end)
        return Response({"results": UnitPoints(rows, many=True).data})
