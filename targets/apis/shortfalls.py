"""Shortfalls (短板): the filtered list, their analysis and their place in the annual assessment."""

from django.db import transaction
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from lean.apis import TenantAPIView, error_responses, list_page, list_schema, read_input, write_schema
from lean.models import Unit

from .. import selectors, services
from ..models import Branch, Shortfall, TargetTree
from .common import Page, PeriodField, RowField, read_filters, stable_order

SHORTFALLS = "shortfalls"


class ShortfallFilter(serializers.Serializer):
    tree = RowField(TargetTree, required=False, help_text=gettext_lazy("A target tree id."))
    unit = RowField(Unit, required=False, help_text=gettext_lazy("A unit id; its sub-units are included."))
    branch = serializers.ChoiceField(choices=Branch.choices, required=False)
    period = PeriodField(
        required=False, help_text=gettext_lazy("Shortfalls inside this period: 2026-03, 2026-Q1 or 2026.")
    )
    assessed = serializers.BooleanField(
        required=False,
        allow_null=True,
        default=None,
        help_text=gettext_lazy("Whether the indicator and unit are in the performance assessment of the year."),
    )
    uncovered = serializers.BooleanField(
        required=False,
        default=False,
        help_text=gettext_lazy("Only those no approved or running project covers."),
    )
    source = serializers.ChoiceField(choices=Shortfall.Source.choices, required=False)
    include_resolved = serializers.BooleanField(required=False, default=False)


class ShortfallOutput(serializers.Serializer):
    id = serializers.IntegerField()
    indicator_id = serializers.IntegerField()
    indicator_code = serializers.CharField(source="indicator.node.code")
    indicator_name = serializers.CharField(source="indicator.node.name")
    branch = serializers.ChoiceField(source="indicator.node.branch", choices=Branch.choices)
    unit_id = serializers.IntegerField()
    unit_code = serializers.CharField(source="unit.code")
    period = PeriodField()
    source = serializers.ChoiceField(choices=Shortfall.Source.choices)
    actual = serializers.DecimalField(max_digits=18, decimal_places=4)
    target = serializers.DecimalField(max_digits=18, decimal_places=4)
    gap = serializers.DecimalField(max_digits=18, decimal_places=4)
    achievement = serializers.DecimalField(max_digits=9, decimal_places=4, allow_null=True)
    resolved = serializers.BooleanField()
    assessed = serializers.BooleanField(
        help_text=gettext_lazy("The indicator (by code) and unit are in the performance assessment of its year.")
    )
    covered = serializers.BooleanField(
        help_text=gettext_lazy("An approved or running project covers the indicator and unit over this period.")
    )
    analysis = serializers.CharField()
    actions = serializers.CharField()
    analysed_by = serializers.CharField(source="analysed_by.user.display_name", allow_null=True)
    found_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class ShortfallListApi(TenantAPIView):
    required_perm = "targets.view"
    pagination_class = Page

    @extend_schema(**list_schema(SHORTFALLS, gettext_lazy("Shortfalls"), ShortfallFilter, ShortfallOutput))
    def get(self, request, tenant_slug):
        shortfalls = selectors.shortfall_list(**read_filters(ShortfallFilter, request))
        return list_page(self, stable_order(shortfalls), ShortfallOutput)


class ShortfallPatchInput(serializers.Serializer):
    analysis = serializers.CharField(
        required=False, allow_blank=True, help_text=gettext_lazy("Needs shortfalls.analyse.")
    )
    actions = serializers.CharField(
        required=False, allow_blank=True, help_text=gettext_lazy("Needs shortfalls.analyse.")
    )
    assessed = serializers.BooleanField(
        required=False,
        help_text=gettext_lazy(
            "Lean office only: puts the indicator and unit into (or out of) the assessment of the shortfall's year."
        ),
    )
    assessment_note = serializers.CharField(
        required=False, allow_blank=True, max_length=300, help_text=gettext_lazy("With assessed=true: a note.")
    )


class ShortfallDetailApi(TenantAPIView):
    required_perm = "targets.view"

    @extend_schema(
        tags=[SHORTFALLS],
        summary=gettext_lazy("A shortfall"),
        responses={200: ShortfallOutput, **error_responses(403, 404)},
    )
    def get(self, request, tenant_slug, shortfall_id):
        return Response(ShortfallOutput(selectors.shortfall_get(shortfall_id=shortfall_id)).data)

    @extend_schema(
        **write_schema(
            SHORTFALLS,
            gettext_lazy("Analyse or assess a shortfall"),
            gettext_lazy(
                "analysis and actions: the unit's manager or the lean office; assessed: the lean office only."
            ),
            ShortfallPatchInput,
            ShortfallOutput,
        )
    )
    def patch(self, request, tenant_slug, shortfall_id):
        shortfall = selectors.shortfall_get(shortfall_id=shortfall_id)
        changes = read_input(request, ShortfallPatchInput, partial=True)
        # Both changes or neither: a refused assessment must not leave the analysis half saved.
        with transaction.atomic():
            if "analysis" in changes or "actions" in changes:
                services.shortfall_update(
                    actor=self.membership,
                    shortfall=shortfall,
                    analysis=changes.get("analysis", shortfall.analysis),
                    actions=changes.get("actions", shortfall.actions),
                )
            if "assessed" in changes:
                services.assessment_set(
                    actor=self.membership,
                    shortfall=shortfall,
                    assessed=changes["assessed"],
                    note=changes.get("assessment_note"),
                )
        return Response(ShortfallOutput(selectors.shortfall_get(shortfall_id=shortfall.pk)).data)
