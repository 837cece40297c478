"""Rationalization suggestions (合理化建议): the ones a member sees, submitting one, one with its decision.
Evaluating and deciding happen on the suggestion's page."""

from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from lean.apis import TenantAPIView, error_responses
from targets.apis.common import read_filters, stable_order

from .. import selectors
from ..models import Suggestion
from ..services import suggestions as services
from .common import INNOVATION, MemberRef, Page, UnitRef, suggestion_state_field


class SuggestionFilter(serializers.Serializer):
    state = suggestion_state_field(required=False)


class SuggestionOutput(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    state = suggestion_state_field()
    proposer = MemberRef()
    unit = UnitRef()
    submitted_at = serializers.DateTimeField()
    decided_at = serializers.DateTimeField(allow_null=True)
    implemented_at = serializers.DateTimeField(allow_null=True)


class SuggestionDetailOutput(SuggestionOutput):
    problem = serializers.CharField()
    proposal = serializers.CharField()
    expected_benefit = serializers.CharField()
    evaluation = serializers.CharField()
    evaluated_at = serializers.DateTimeField(allow_null=True)
    decision_reason = serializers.CharField(help_text=gettext_lazy("Why it was not adopted, or a note on adopting."))
    implementation_note = serializers.CharField()


def _field_length(name: str) -> int:
    return Suggestion._meta.get_field(name).max_length


class SuggestionInput(serializers.Serializer):
    title = serializers.CharField(max_length=_field_length("title"))
    problem = serializers.CharField(help_text=gettext_lazy("The current problem."))
    proposal = serializers.CharField()
    expected_benefit = serializers.CharField(required=False, allow_blank=True, default="")


def _detail(membership, suggestion_id: int, status_code=status.HTTP_200_OK) -> Response:
    suggestion = selectors.suggestion_get(viewer=membership, suggestion_id=suggestion_id)
    return Response(SuggestionDetailOutput(suggestion).data, status=status_code)


class SuggestionListApi(TenantAPIView):
    required_perm = "innovation.view"
    pagination_class = Page

    @extend_schema(
        tags=[INNOVATION],
        summary=gettext_lazy("Suggestions"),
        description=gettext_lazy(
            "Newest first: the member's own, their units' for a unit manager, every one for the lean office."
        ),
        parameters=[SuggestionFilter],
        responses={200: SuggestionOutput(many=True), **error_responses(400, 403)},
    )
    def get(self, request, tenant_slug):
        filters = read_filters(SuggestionFilter, request)
        rows = selectors.suggestions_for(viewer=self.membership, state=filters.get("state", ""))
        page = Page()
        items = page.paginate_queryset(stable_order(rows.order_by("-submitted_at")), request, view=self)
        return page.get_paginated_response(SuggestionOutput(items, many=True).data)

    @extend_schema(
        tags=[INNOVATION],
        summary=gettext_lazy("Submit a suggestion"),
        description=gettext_lazy("For the member's own unit; its managers are told."),
        request=SuggestionInput,
        responses={201: SuggestionDetailOutput, **error_responses(400, 403)},
    )
    def post(self, request, tenant_slug):
        serializer = SuggestionInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        suggestion = services.suggestion_submit(actor=self.membership, **serializer.validated_data)
        return _detail(self.membership, suggestion.pk, status.HTTP_201_CREATED)


class SuggestionDetailApi(TenantAPIView):
    required_perm = "innovation.view"

    @extend_schema(
        tags=[INNOVATION],
        summary=gettext_lazy("A suggestion with its evaluation and decision"),
        responses={200: SuggestionDetailOutput, **error_responses(403, 404)},
    )
    def get(self, request, tenant_slug, suggestion_id):
        return _detail(self.membership, suggestion_id)
