"""Target trees, and a tree's nodes with their roll-up for a period and unit."""

from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response

from lean import periods
from lean.apis import TenantAPIView, error_responses
from lean.models import Unit

from .. import rollup, selectors
from ..models import Branch
from .common import PeriodField, RowField, read_filters

TREES = "target trees"


class TreeOutput(serializers.Serializer):
    id = serializers.IntegerField()
    year = serializers.IntegerField()
    name = serializers.CharField()
    indicator_count = serializers.IntegerField()
    copied_from_id = serializers.IntegerField(allow_null=True)


class TreeListApi(TenantAPIView):
    required_perm = "targets.view"

    @extend_schema(
        tags=[TREES],
        operation_id="targets_trees_list",
        summary=gettext_lazy("Target trees"),
        responses={
            200: inline_serializer("TargetTreeList", {"results": TreeOutput(many=True)}),
            **error_responses(403),
        },
    )
    def get(self, request, tenant_slug):
        return Response({"results": TreeOutput(selectors.tree_list(), many=True).data})


class ScoreFilter(serializers.Serializer):
    period = PeriodField(
        required=False, help_text=gettext_lazy("2026-03, 2026-Q1 or 2026; the tree's year when left out.")
    )
    unit = RowField(Unit, required=False, help_text=gettext_lazy("Only this unit and the units below it (a unit id)."))


class ScoreOutput(serializers.Serializer):
    achievement = serializers.DecimalField(max_digits=9, decimal_places=4)
    missed = serializers.IntegerField(
        help_text=gettext_lazy("(indicator, unit) pairs below the node that missed their target")
    )
    units = serializers.IntegerField(help_text=gettext_lazy("(indicator, unit) pairs below the node with data"))
    level = serializers.ChoiceField(choices=["good", "warn", "bad"])
    actual = serializers.DecimalField(max_digits=18, decimal_places=4, allow_null=True)
    target = serializers.DecimalField(max_digits=18, decimal_places=4, allow_null=True)


class NodeOutput(serializers.Serializer):
    id = serializers.IntegerField()
    parent_id = serializers.IntegerField(allow_null=True)
    code = serializers.CharField()
    name = serializers.CharField()
    branch = serializers.ChoiceField(choices=Branch.choices)
    weight = serializers.DecimalField(max_digits=7, decimal_places=2)
    owner_unit = serializers.CharField(source="owner_unit.code")
    depth = serializers.IntegerField()
    is_indicator = serializers.BooleanField()
    indicator_id = serializers.IntegerField(source="indicator.pk", allow_null=True)
    score = ScoreOutput(
        allow_null=True, help_text=gettext_lazy("Null when nothing below the node has data in the period.")
    )


class TreeDetailOutput(serializers.Serializer):
    id = serializers.IntegerField(source="tree.pk")
    year = serializers.IntegerField(source="tree.year")
    name = serializers.CharField(source="tree.name")
    period = PeriodField()
    unit_id = serializers.IntegerField(source="unit.pk", allow_null=True)
    overall = serializers.DecimalField(max_digits=9, decimal_places=4, allow_null=True)
    nodes = NodeOutput(many=True)


class TreeDetailApi(TenantAPIView):
    required_perm = "targets.view"

    @extend_schema(
        tags=[TREES],
        summary=gettext_lazy("A tree's nodes with their roll-up"),
        parameters=[ScoreFilter],
        responses={200: TreeDetailOutput, **error_responses(400, 403, 404)},
    )
    def get(self, request, tenant_slug, target_tree_id):
        tree = selectors.tree_get(target_tree_id=target_tree_id)
        filters = read_filters(ScoreFilter, request)
        period = filters.get("period") or periods.parse(str(tree.year))
        unit = filters.get("unit")
        nodes = list(selectors.tree_nodes(tree=tree))
        scores = rollup.tree_scores(tree=tree, period=period, unit=unit)
        for node in nodes:
            node.score = scores.get(node.pk)
        overall = rollup.overall(scores, [node for node in nodes if node.parent_id is None])
        data = {"tree": tree, "period": period, "unit": unit, "overall": overall, "nodes": nodes}
        return Response(TreeDetailOutput(data).data)
