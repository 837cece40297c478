"""Outside peers (对标对象): enterprises and industry figures the units are compared with."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from lean.apis import TenantAPIView, error_responses, list_page, list_schema, read_input, write_schema
from lean.permissions import require
from targets.apis.common import Page, read_filters, stable_order

from .. import selectors, services
from ..models import Peer

PEERS = "peers"
NAME_MAX = Peer._meta.get_field("name").max_length


class PeerFilter(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Peer.Kind.choices, required=False)
    active = serializers.BooleanField(required=False, allow_null=True, default=None)


class PeerOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=Peer.Kind.choices)
    description = serializers.CharField()
    active = serializers.BooleanField()
    value_count = serializers.IntegerField(help_text=gettext_lazy("Values entered for this peer."))


class PeerInput(serializers.Serializer):
    name = serializers.CharField(max_length=NAME_MAX)
    kind = serializers.ChoiceField(choices=Peer.Kind.choices, default=Peer.Kind.ENTERPRISE)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    active = serializers.BooleanField(required=False, default=True)


def _detail(peer_id: int) -> Response:
    return Response(PeerOutput(get_object_or_404(selectors.peer_list(), pk=peer_id)).data)


class PeerListApi(TenantAPIView):
    required_perm = "benchmarking.view"
    pagination_class = Page

    @extend_schema(
        **list_schema(
            PEERS,
            gettext_lazy("Outside peers"),
            PeerFilter,
            PeerOutput,
            description=gettext_lazy("Active peers first, then by name."),
        )
    )
    def get(self, request, tenant_slug):
        filters = read_filters(PeerFilter, request)
        peers = selectors.peer_list()
        if "kind" in filters:
            peers = peers.filter(kind=filters["kind"])
        if filters["active"] is not None:
            peers = peers.filter(active=filters["active"])
        return list_page(self, stable_order(peers), PeerOutput)

    @extend_schema(
        **write_schema(
            PEERS,
            gettext_lazy("Add an outside peer"),
            gettext_lazy("The lean office only. Names are unique within the tenant."),
            PeerInput,
            PeerOutput,
            created=True,
        )
    )
    def post(self, request, tenant_slug):
        require(self.membership, "benchmarking.manage")
        data = read_input(request, PeerInput)
        peer = services.peer_save(actor=self.membership, **data)
        response = _detail(peer.pk)
        response.status_code = status.HTTP_201_CREATED
        return response


class PeerDetailApi(TenantAPIView):
    required_perm = "benchmarking.view"

    @extend_schema(
        tags=[PEERS],
        summary=gettext_lazy("An outside peer"),
        responses={200: PeerOutput, **error_responses(403, 404)},
    )
    def get(self, request, tenant_slug, peer_id):
        return _detail(peer_id)

    @extend_schema(
        **write_schema(
            PEERS,
            gettext_lazy("Change an outside peer"),
            gettext_lazy("The lean office only. Fields left out stay as they are."),
            PeerInput,
            PeerOutput,
        )
    )
    def patch(self, request, tenant_slug, peer_id):
        peer = selectors.peer_get(peer_id=peer_id)
        require(self.membership, "benchmarking.manage")
        data = read_input(request, PeerInput, partial=True)
        changes = {
            "name": peer.name,
            "kind": peer.kind,
            "description": peer.description,
            "active": peer.active,
            **data,
        }
        services.peer_save(actor=self.membership, peer=peer, **changes)
        return _detail(peer.pk)
