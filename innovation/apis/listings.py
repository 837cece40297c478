"""Public listings (创新公示): every member sees a listing of a period's verified contributions and points,
open for objections (公示期) until it is finalized. Opening, objecting and finalizing happen on the pages."""

from django.db.models import Count, Q
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from lean.apis import TenantAPIView, error_responses
from lean.models import Unit
from targets.apis.common import RowField, read_filters, stable_order

from .. import selectors
from ..models import Listing, Objection
from .common import (
    INNOVATION,
    PAGE,
    ContributionOutput,
    Page,
    listing_state_field,
    page_of,
    paged,
)


class ListingFilter(serializers.Serializer):
    state = listing_state_field(required=False)


class ListingOutput(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    period_start = serializers.DateField()
    period_end = serializers.DateField(help_text=gettext_lazy("Inclusive."))
    state = listing_state_field()
    opened_at = serializers.DateTimeField()
    closes_at = serializers.DateTimeField(help_text=gettext_lazy("The end of the objection window."))
    finalized_at = serializers.DateTimeField(allow_null=True)
    contribution_count = serializers.IntegerField()
    objection_count = serializers.IntegerField()
    open_objection_count = serializers.IntegerField()


class ListedContributionOutput(ContributionOutput):
    open_objections = serializers.IntegerField()


class ListingDetailFilter(serializers.Serializer):
    unit = RowField(
        Unit, required=False, help_text=gettext_lazy("A unit id: only its (and its sub-units') contributions.")
    )


class ListingDetailOutput(ListingOutput):
    contributions = paged("ListedContributionPage", ListedContributionOutput(many=True))


def _listings():
    return Listing.objects.annotate(
        contribution_count=Count("contributions", distinct=True),
        objection_count=Count("objections", distinct=True),
        open_objection_count=Count("objections", filter=Q(objections__state=Objection.State.OPEN), distinct=True),
    )


class ListingListApi(TenantAPIView):
    required_perm = "innovation.view"
    pagination_class = Page

    @extend_schema(
        tags=[INNOVATION],
        summary=gettext_lazy("Public listings"),
        description=gettext_lazy("Latest period first."),
        parameters=[ListingFilter],
        responses={200: ListingOutput(many=True), **error_responses(400, 403)},
    )
    def get(self, request, tenant_slug):
        filters = read_filters(ListingFilter, request)
        rows = _listings()
        if "state" in filters:
            rows = rows.filter(state=filters["state"])
        page = Page()
        items = page.paginate_queryset(stable_order(rows.order_by("-period_end")), request, view=self)
        return page.get_paginated_response(ListingOutput(items, many=True).data)


class ListingDetailApi(TenantAPIView):
    required_perm = "innovation.view"

    @extend_schema(
        tags=[INNOVATION],
        summary=gettext_lazy("A public listing with its contributions"),
        description=gettext_lazy(
            "The listed contributions by unit, with the people credited, their points and the open objections "
            "of each, a page at a time (`page`)."
        ),
        parameters=[ListingDetailFilter, PAGE],
        responses={200: ListingDetailOutput, **error_responses(400, 403, 404)},
    )
    def get(self, request, tenant_slug, listing_id):
        listing = get_object_or_404(_listings(), pk=listing_id)
        unit = read_filters(ListingDetailFilter, request).get("unit")
        data = ListingOutput(listing).data
        rows = selectors.listing_rows(listing=listing, unit=unit).select_related("rule_version")
        data["contributions"] = page_of(rows, request, self, ListedContributionOutput)
        return Response(data)
