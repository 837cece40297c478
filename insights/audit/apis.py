"""The audit log, read-only, for the lean office's tools (insights/audit/log/)."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers

from insights.audit.log import CHANGED, CREATED, DECISION, DELETED, KINDS, audit_filtered, audit_page
from lean import apis
from lean.apis import TenantAPIView, error_responses


class AuditFilters(serializers.Serializer):
    kind = serializers.ChoiceField(choices=list(KINDS), required=False, allow_blank=True)
    person = serializers.CharField(max_length=40, required=False, allow_blank=True)
    date_from = serializers.DateField(required=False)
    date_to = serializers.DateField(required=False)


class ChangeOutput(serializers.Serializer):
    field = serializers.CharField()
    label = serializers.CharField()
    old = serializers.CharField(allow_null=True)
    new = serializers.CharField(allow_null=True)


class PersonOutput(serializers.Serializer):
    name = serializers.CharField(source="user.display_name")
    employee_number = serializers.SerializerMethodField()

    def get_employee_number(self, entry) -> str | None:
        return entry.member.employee_number if entry.member else None


class AuditEntryOutput(serializers.Serializer):
    at = serializers.DateTimeField()
    kind = serializers.ChoiceField(choices=list(KINDS))
    object_type = serializers.CharField(source="source")
    object_type_label = serializers.CharField(source="source_label")
    object_id = serializers.IntegerField(allow_null=True)
    object_name = serializers.CharField()
    action = serializers.ChoiceField(choices=[CREATED, CHANGED, DELETED, DECISION])
    decision = serializers.CharField(source="note")
    changed_by = serializers.SerializerMethodField()
    changes = ChangeOutput(many=True)
    reason = serializers.CharField()

    def get_changed_by(self, entry) -> dict | None:
        return PersonOutput(entry).data if entry.user else None


class Page(apis.Page):
    page_size = 50


class AuditListApi(TenantAPIView):
    required_perm = "audit.view"
    api_scope = "hr"  # the lean office's organisation and people reads: an API key needs hr:read
    pagination_class = Page

    @extend_schema(
        tags=["audit"],
        operation_id="audit_list",
        summary=_("The audit log"),
        description=_(
            "Every sensitive change of the tenant, newest first: members, API keys, single sign-on, notification "
            "channels and webhooks, settings, points rules, listings, project decisions, finance sign-offs and "
            "assessments. Secrets never appear. The lean office only."
        ),
        parameters=[
            OpenApiParameter("kind", enum=list(KINDS), description=str(_("Only this kind of object."))),
            OpenApiParameter("person", description=str(_("Only changes by the member with this employee number."))),
            OpenApiParameter("date_from", type=str, description=str(_("From this day (YYYY-MM-DD), inclusive."))),
            OpenApiParameter("date_to", type=str, description=str(_("Up to this day (YYYY-MM-DD), inclusive."))),
        ],
        responses={200: AuditEntryOutput(many=True), **error_responses(400, 403)},
    )
    def get(self, request, tenant_slug):
        filters = AuditFilters(data=request.query_params.dict())
        filters.is_valid(raise_exception=True)
        rows = audit_filtered(**filters.validated_data)
        page = Page()
        rows = page.paginate_queryset(rows, request, view=self)
        entries = audit_page(viewer=self.membership, rows=rows)
        return page.get_paginated_response(AuditEntryOutput(entries, many=True).data)
