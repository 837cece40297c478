"""Reads of the listings (公示): every listing with its totals, a listing's contributions and its summary (of all
or a unit's part), and its objections. Each a fixed number of queries, however long the listing."""

from django.db.models import Case, Count, IntegerField, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce

from lean.access import in_subtree
from lean.models import Unit

from ..models import Contribution, Credit, Listing, Objection
from ._common import ZERO


def listing_rows(*, listing: Listing, unit: Unit | None = None):
    """A listing's contributions with their people and points (every member of the tenant may see a listing);
    `unit` narrows it to a unit and its sub-units. Two queries however long the listing."""
    rows = (
        listing.contributions.select_related("type", "unit")
        .prefetch_related("credits__member__user")
        .annotate(open_objections=Count("objections", filter=Q(objections__state=Objection.State.OPEN)))
        .order_by("unit__path", "-points", "id")
    )
    return in_subtree(rows, unit)


def listing_list():
    """Every listing, open ones first, each with its number of contributions, people, points and open
    objections. One query, whatever the size of the listings."""

    def scalar(queryset, aggregate):
        return Subquery(queryset.order_by().values("tenant").annotate(v=aggregate).values("v")[:1])

    mine = Contribution.objects.filter(listing=OuterRef("pk"))
    return (
        Listing.objects.select_related("finalized_by__user")
        .annotate(
            contribution_count=Coalesce(scalar(mine, Count("id")), 0),
            people_count=Coalesce(
                scalar(Credit.objects.filter(contribution__listing=OuterRef("pk")), Count("member", distinct=True)), 0
            ),
            points_total=Coalesce(scalar(mine, Sum("points")), ZERO),
            open_objections=Coalesce(
                scalar(Objection.objects.filter(listing=OuterRef("pk"), state=Objection.State.OPEN), Count("id")), 0
            ),
            open_first=Case(
                When(state=Listing.State.OPEN, then=Value(0)), default=Value(1), output_field=IntegerField()
            ),
        )
        .order_by("open_first", "-period_end", "-id")
    )


def listing_summary(*, listing: Listing, unit: Unit | None = None) -> dict:
    """The number of contributions, people and points of a listing (or of a unit's part of it). Two queries."""
    rows = listing.contributions.all()
    credits = Credit.objects.filter(contribution__listing=listing)
    rows = in_subtree(rows, unit)
    credits = in_subtree(credits, unit, field="contribution__unit")
    totals = rows.aggregate(count=Count("id"), points=Sum("points"))
    return {
        "count": totals["count"],
        "points": totals["points"] or ZERO,
        "people": credits.aggregate(n=Count("member", distinct=True))["n"],
    }


def listing_objections(*, listing: Listing):
    """A listing's objections, open ones first, with the contribution and the people involved. One query."""
    return (
        listing.objections.select_related("contribution__unit", "raised_by__user", "resolved_by__user")
        .annotate(
            open_first=Case(
                When(state=Objection.State.OPEN, then=Value(0)), default=Value(1), output_field=IntegerField()
            )
        )
        .order_by("open_first", "-created_at", "-id")
    )
