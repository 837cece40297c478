"""The yearly improvement guides (《精益改善指引》) with their topic directions."""

from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response

from lean.apis import TenantAPIView, error_responses
from targets.apis.common import read_filters

from ..selectors import api as queries

GUIDES = "improvement guides"


class DirectionSourceOutput(serializers.Serializer):
    node_id = serializers.IntegerField()
    code = serializers.CharField(source="node.code")
    name = serializers.CharField(source="node.name")


class DirectionOutput(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    title = serializers.CharField()
    description = serializers.CharField()
    requirements = serializers.CharField()
    sources = DirectionSourceOutput(
        many=True,
        source="source_links.all",
        help_text=gettext_lazy("The annual-priority nodes and shortfall indicators the direction comes from."),
    )
    from_shortfall_id = serializers.IntegerField(
        allow_null=True, help_text=gettext_lazy("The shortfall the direction was drafted from, if any.")
    )


class GuideOutput(serializers.Serializer):
    id = serializers.IntegerField()
    year = serializers.IntegerField()
    title = serializers.CharField()
    introduction = serializers.CharField()
    published = serializers.BooleanField(source="is_published")
    published_at = serializers.DateTimeField(allow_null=True)
    directions = DirectionOutput(many=True, source="directions.all")


class GuideFilter(serializers.Serializer):
    year = serializers.IntegerField(required=False)


class GuideListApi(TenantAPIView):
    required_perm = "projects.view"

    @extend_schema(
        tags=[GUIDES],
        operation_id="projects_guides_list",
        summary=gettext_lazy("Improvement guides with their directions"),
        description=gettext_lazy("Newest year first. Drafts are listed for the lean office only."),
        parameters=[GuideFilter],
        responses={
            200: inline_serializer("GuideList", {"results": GuideOutput(many=True)}),
            **error_responses(400, 403),
        },
    )
    def get(self, request, tenant_slug):
        filters = read_filters(GuideFilter, request)
        guides = queries.guide_list(viewer=self.membership, year=filters.get("year"))
        return Response({"results": GuideOutput(guides, many=True).data})


class GuideDetailApi(TenantAPIView):
    required_perm = "projects.view"

    @extend_schema(
        tags=[GUIDES],
        summary=gettext_lazy("An improvement guide with its directions"),
        responses={200: GuideOutput, **error_responses(403, 404)},
    )
    def get(self, request, tenant_slug, guide_id):
        return Response(GuideOutput(queries.guide_get(viewer=self.membership, guide_id=guide_id)).data)
