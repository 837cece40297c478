"""Contributions: the online query (在线查询) by unit, person, type, period and status; recording one; the
detail with its scoring and re-scores; verifying and rejecting, through innovation.services."""

from decimal import Decimal

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from lean.apis import TenantAPIView, error_responses, read_input
from lean.models import Unit
from lean.permissions import require
from targets.apis.common import RowField

from .. import selectors
from ..models import Contribution
from ..services import contributions as services
from .common import (
    INNOVATION,
    ContributionDetailOutput,
    ContributionLevelsInput,
    ContributionOutput,
    EmployeeNumberField,
    Page,
    TypeCodeField,
    period_of,
    status_field,
    with_credits,
    with_details,
)


class ContributionFilter(serializers.Serializer):
    unit = RowField(Unit, required=False, help_text=gettext_lazy("A unit id; its sub-units are included."))
    employee_number = EmployeeNumberField(
        visible=True, required=False, help_text=gettext_lazy("Contributions crediting this person.")
    )
    type = TypeCodeField(required=False, help_text=gettext_lazy("A contribution type code."))
    date_from = serializers.DateField(required=False, help_text=gettext_lazy("Occurred on or after this day."))
    date_to = serializers.DateField(required=False, help_text=gettext_lazy("Occurred on or before this day."))
    status = status_field(required=False)

    def validate(self, data):
        if "date_from" in data and "date_to" in data and data["date_from"] > data["date_to"]:
            raise serializers.ValidationError({"date_to": [_("The end is before the start.")]})
        return data


class CreditInput(serializers.Serializer):
    employee_number = EmployeeNumberField(source="member")
    share = serializers.DecimalField(max_digits=5, decimal_places=2, help_text=gettext_lazy("Percent of 100."))


class ContributionInput(serializers.Serializer):
    type = TypeCodeField(help_text=gettext_lazy("A contribution type code recorded by people (not system)."))
    title = serializers.CharField(max_length=Contribution._meta.get_field("title").max_length)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    occurred_on = serializers.DateField()
    levels = ContributionLevelsInput(required=False, help_text=gettext_lazy("Left out: general, team, low, none."))
    unit_id = RowField(
        Unit,
        source="unit",
        required=False,
        help_text=gettext_lazy("The unit it counts for; the member's own by default. Another unit: its manager."),
    )
    team = CreditInput(
        many=True,
        required=False,
        help_text=gettext_lazy("The people credited with their shares adding up to 100; the member alone by default."),
    )


def _levels(data: dict | None, base: services.Levels | None = None) -> services.Levels:
    data, base = data or {}, base or services.Levels()
    return services.Levels(
        positioning=data.get("positioning", base.positioning),
        breadth=data.get("breadth", base.breadth),
        complexity=data.get("complexity", base.complexity),
        award=data.get("award", base.award),
    )


def _visible(membership, contribution_id: int) -> Contribution:
    """A contribution the member may see; another one (in this tenant or another) is not found."""
    return get_object_or_404(selectors.contributions(viewer=membership), pk=contribution_id)


def _detail(membership, contribution_id: int, status_code=status.HTTP_200_OK) -> Response:
    rows = with_details(selectors.contributions(viewer=membership))
    return Response(ContributionDetailOutput(get_object_or_404(rows, pk=contribution_id)).data, status=status_code)


class ContributionListApi(TenantAPIView):
    required_perm = "innovation.view"
    pagination_class = Page

    @extend_schema(
        tags=[INNOVATION],
        summary=gettext_lazy("Contributions"),
        description=gettext_lazy(
            "The contributions the member may see, newest first: every one for the lean office, their units' for "
            "a unit manager, those crediting them for everyone else."
        ),
        parameters=[ContributionFilter],
        responses={200: ContributionOutput(many=True), **error_responses(400, 403)},
    )
    def get(self, request, tenant_slug):
        serializer = ContributionFilter(data=request.query_params.dict(), context={"membership": self.membership})
        serializer.is_valid(raise_exception=True)
        filters = serializer.validated_data
        rows = selectors.contributions(
            viewer=self.membership,
            unit=filters.get("unit"),
            member=filters.get("employee_number"),
            kind=filters.get("type"),
            period=period_of(filters.get("date_from"), filters.get("date_to")),
            status=filters.get("status", ""),
        )
        page = Page()
        items = page.paginate_queryset(with_credits(rows), request, view=self)
        return page.get_paginated_response(ContributionOutput(items, many=True).data)

    @extend_schema(
        tags=[INNOVATION],
        summary=gettext_lazy("Record a contribution"),
        description=gettext_lazy(
            "An employee records their own one-page improvements and one-point lessons; it waits for the unit's "
            "manager. A unit manager or the lean office records for a team (QC circle activities) and their "
            "records are verified at once. Types recorded automatically (lean projects, suggestions) are refused "
            "with code recorded_automatically; a type the member's role may not record answers 403."
        ),
        request=ContributionInput,
        responses={201: ContributionDetailOutput, **error_responses(400, 403)},
    )
    def post(self, request, tenant_slug):
        serializer = ContributionInput(data=request.data, context={"membership": self.membership})
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        team = [(row["member"], Decimal(row["share"])) for row in data["team"]] if "team" in data else None
        contribution = services.contribution_record(
            actor=self.membership,
            kind=data["type"],
            title=data["title"],
            description=data["description"],
            occurred_on=data["occurred_on"],
            levels=_levels(data.get("levels")),
            team=team,
            unit=data.get("unit"),
        )
        return _detail(self.membership, contribution.pk, status.HTTP_201_CREATED)


class ContributionDetailApi(TenantAPIView):
    required_perm = "innovation.view"

    @extend_schema(
        tags=[INNOVATION],
        summary=gettext_lazy("A contribution with its credits, scoring and re-scores"),
        responses={200: ContributionDetailOutput, **error_responses(403, 404)},
    )
    def get(self, request, tenant_slug, contribution_id):
        return _detail(self.membership, contribution_id)


def _decision(action: str, summary, description, input_class):
    """The schema of a decision on a contribution waiting for verification (verify, reject)."""
    return extend_schema(
        tags=[INNOVATION],
        operation_id=f"innovation_contributions_{action}",
        summary=summary,
        description=description,
        request=input_class,
        responses={200: ContributionDetailOutput, **error_responses(400, 403, 404)},
    )


def _decide(api, contribution_id: int, input_class, decide) -> Response:
    """Verify or reject: the contribution the member sees and may verify, `decide(contribution, data)` with the
    checked input (a service refusing the member's role answers 403), then the contribution as it is now."""
    contribution = _visible(api.membership, contribution_id)
    require(api.membership, "innovation.contribution.verify", contribution.unit)
    data = read_input(api.request, input_class)
    decide(contribution, data)
    return _detail(api.membership, contribution.pk)


class VerifyInput(serializers.Serializer):
    levels = ContributionLevelsInput(
        required=False,
        help_text=gettext_lazy(
            "Adjusted levels (those left out keep theirs); the points follow the rules of its date."
        ),
    )


class ContributionVerifyApi(TenantAPIView):
    required_perm = "innovation.view"

    @_decision(
        "verify",
        gettext_lazy("Verify a contribution"),
        gettext_lazy(
            "The unit's manager or the lean office; a contribution waiting for verification only (else 400, code "
            "wrong_state)."
        ),
        VerifyInput,
    )
    def post(self, request, tenant_slug, contribution_id):
        def verify(contribution, data):
            levels = data.get("levels")
            current = services.Levels(
                contribution.positioning, contribution.breadth, contribution.complexity, contribution.award
            )
            services.contribution_verify(
                actor=self.membership,
                contribution=contribution,
                levels=_levels(levels, current) if levels else None,
            )

        return _decide(self, contribution_id, VerifyInput, verify)


class RejectInput(serializers.Serializer):
    reason = serializers.CharField(help_text=gettext_lazy("Kept with the contribution."))


class ContributionRejectApi(TenantAPIView):
    required_perm = "innovation.view"

    @_decision(
        "reject",
        gettext_lazy("Reject a contribution"),
        gettext_lazy(
            "The unit's manager or the lean office, with a reason; a contribution waiting for verification only "
            "(else 400, code wrong_state)."
        ),
        RejectInput,
    )
    def post(self, request, tenant_slug, contribution_id):
        def reject(contribution, data):
            services.contribution_reject(actor=self.membership, contribution=contribution, reason=data["reason"])

        return _decide(self, contribution_id, RejectInput, reject)
