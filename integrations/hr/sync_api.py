"""The HR system's way in: sync units and employees (bulk upsert, all or nothing, idempotent)."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response

from integrations.idempotency import idempotent
from integrations.sync import MAX_RECORDS, hr_sync
from lean.apis import TenantAPIView, error_responses


class UnitRecord(serializers.Serializer):
    code = serializers.CharField(max_length=40)
    name = serializers.CharField(max_length=200)
    parent_code = serializers.CharField(max_length=40, required=False, allow_null=True, allow_blank=True)
    active = serializers.BooleanField(required=False, default=True)


class EmployeeRecord(serializers.Serializer):
    employee_number = serializers.CharField(max_length=40)
    name = serializers.CharField(max_length=100)
    unit_code = serializers.CharField(max_length=40)
    position = serializers.CharField(max_length=100, required=False, allow_blank=True)
    active = serializers.BooleanField(required=False, default=True)
    email = serializers.EmailField(required=False, allow_blank=True)
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True)


class SyncInput(serializers.Serializer):
    units = UnitRecord(many=True, required=False)
    employees = EmployeeRecord(many=True, required=False)


class SyncCounts(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()


class EmployeeCounts(SyncCounts):
    deactivated = serializers.IntegerField()


class HrSyncApi(TenantAPIView):
    required_perm = "hr.sync"
    api_scope = "hr"

    @extend_schema(
        tags=["hr"],
        operation_id="hr_sync",
        summary=str(_("Sync units and employees from HR")),
        description=str(
            _(
                "Upsert units (by code) and employees (by employee number), at most %(n)d records in all. The "
                "batch is checked as a whole: any problem rejects it, with every problem listed in field_errors "
                "by place (units.3.parent_code, employees.12.unit_code) and nothing changed. The same batch again "
                "changes nothing. New employees get a login (no password yet); employees sent with active=false "
                "are deactivated, never deleted. Send an Idempotency-Key header to make retries safe: the same "
                "key and body replay the first answer."
            )
            % {"n": MAX_RECORDS}
        ),
        parameters=[OpenApiParameter("Idempotency-Key", location=OpenApiParameter.HEADER, required=False)],
        request=SyncInput,
        responses={
            200: inline_serializer("SyncResult", {"units": SyncCounts(), "employees": EmployeeCounts()}),
            **error_responses(400, 403),
        },
    )
    def post(self, request, tenant_slug):
        def run():
            # The shapes are checked record by record by the service, so every bad record is listed at once.
            data = request.data if isinstance(request.data, dict) else {}
            result = hr_sync(
                actor=self.membership, units=data.get("units") or [], employees=data.get("employees") or []
            )
            return Response(result)

        return idempotent(request, run)
