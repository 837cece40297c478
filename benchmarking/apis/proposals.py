"""Proposals (自主提出): a unit manager proposes one of the unit's indicators; the lean office accepts or declines
it with a reason."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from lean import periods
from lean.apis import TenantAPIView, error_responses, list_page, list_schema, read_input, write_schema
from lean.models import Unit
from lean.permissions import require
from targets.apis.common import Page, RowField, read_filters, stable_order
from targets.models import Frequency, Indicator

from .. import selectors, services
from ..models import Proposal

PROPOSALS = "benchmark proposals"


class ProposalFilter(serializers.Serializer):
    status = serializers.ChoiceField(choices=Proposal.Status.choices, required=False)


class ProposalOutput(serializers.Serializer):
    id = serializers.IntegerField()
    unit_id = serializers.IntegerField()
    unit_code = serializers.CharField(source="unit.code")
    unit_name = serializers.CharField(source="unit.name")
    indicator_id = serializers.IntegerField()
    indicator_code = serializers.CharField(source="indicator.node.code")
    indicator_name = serializers.CharField(source="indicator.node.name")
    tree_id = serializers.IntegerField(source="indicator.node.tree_id")
    reason = serializers.CharField()
    suggested_peers = serializers.CharField()
    proposed_by = serializers.CharField(source="proposed_by.user.display_name")
    created_at = serializers.DateTimeField()
    status = serializers.ChoiceField(choices=Proposal.Status.choices)
    decided_by = serializers.CharField(source="decided_by.user.display_name", allow_null=True)
    decided_at = serializers.DateTimeField(allow_null=True)
    decision_reason = serializers.CharField()
    benchmark_id = serializers.IntegerField(
        allow_null=True, help_text=gettext_lazy("The benchmark indicator an accepted proposal became.")
    )


class ProposalInput(serializers.Serializer):
    unit_id = RowField(Unit, required=False, help_text=gettext_lazy("The proposing unit; the member's own by default."))
    indicator_id = RowField(Indicator, help_text=gettext_lazy("One of the unit's target-tree indicators."))
    reason = serializers.CharField(help_text=gettext_lazy("Why benchmark it."))
    suggested_peers = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)


class AcceptInput(serializers.Serializer):
    frequency = serializers.ChoiceField(
        choices=Frequency.choices,
        default=periods.QUARTER,
        help_text=gettext_lazy("The period the new benchmark indicator is compared per."),
    )
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class DeclineInput(serializers.Serializer):
    reason = serializers.CharField(
        required=False, allow_blank=True, default="", help_text=gettext_lazy("Required: the unit is told why.")
    )


def _visible(membership, proposal_id: int) -> Proposal:
    return get_object_or_404(selectors.proposal_list(viewer=membership), pk=proposal_id)


class ProposalListApi(TenantAPIView):
    required_perm = "benchmarking.view"
    pagination_class = Page

    @extend_schema(
        **list_schema(
            PROPOSALS,
            gettext_lazy("Benchmark proposals"),
            ProposalFilter,
            ProposalOutput,
            description=gettext_lazy(
                "The lean office sees every proposal; others those of their unit and the units below it, and their own."
            ),
        )
    )
    def get(self, request, tenant_slug):
        filters = read_filters(ProposalFilter, request)
        proposals = selectors.proposal_list(viewer=self.membership, status=filters.get("status", ""))
        return list_page(self, stable_order(proposals), ProposalOutput)

    @extend_schema(
        **write_schema(
            PROPOSALS,
            gettext_lazy("Propose an indicator for benchmarking"),
            gettext_lazy("Unit managers, for an indicator of their unit that is not benchmarked yet."),
            ProposalInput,
            ProposalOutput,
            created=True,
        )
    )
    def post(self, request, tenant_slug):
        require(self.membership, "benchmarking.propose")
        data = read_input(request, ProposalInput)
        proposal = services.proposal_create(
            actor=self.membership,
            unit=data.get("unit_id") or self.membership.unit,
            indicator=data["indicator_id"],
            reason=data["reason"],
            suggested_peers=data["suggested_peers"],
        )
        proposal = _visible(self.membership, proposal.pk)
        return Response(ProposalOutput(proposal).data, status=status.HTTP_201_CREATED)


class ProposalDetailApi(TenantAPIView):
    required_perm = "benchmarking.view"

    @extend_schema(
        tags=[PROPOSALS],
        summary=gettext_lazy("A benchmark proposal"),
        responses={200: ProposalOutput, **error_responses(403, 404)},
    )
    def get(self, request, tenant_slug, proposal_id):
        return Response(ProposalOutput(_visible(self.membership, proposal_id)).data)


class ProposalAcceptApi(TenantAPIView):
    required_perm = "benchmarking.manage"

    @extend_schema(
        **write_schema(
            PROPOSALS,
            gettext_lazy("Accept a proposal"),
            gettext_lazy(
                "The lean office only. The indicator becomes a benchmark indicator (or an inactive one is active "
                "again)."
            ),
            AcceptInput,
            ProposalOutput,
        )
    )
    def post(self, request, tenant_slug, proposal_id):
        proposal = _visible(self.membership, proposal_id)
        data = read_input(request, AcceptInput)
        services.proposal_accept(actor=self.membership, proposal=proposal, **data)
        return Response(ProposalOutput(_visible(self.membership, proposal.pk)).data)


class ProposalDeclineApi(TenantAPIView):
    required_perm = "benchmarking.manage"

    @extend_schema(
        **write_schema(
            PROPOSALS,
            gettext_lazy("Decline a proposal"),
            gettext_lazy("The lean office only, with a reason for the unit."),
            DeclineInput,
            ProposalOutput,
        )
    )
    def post(self, request, tenant_slug, proposal_id):
        proposal = _visible(self.membership, proposal_id)
        data = read_input(request, DeclineInput)
        services.proposal_decline(actor=self.membership, proposal=proposal, reason=data["reason"])
        return Response(ProposalOutput(_visible(self.membership, proposal.pk)).data)
