"""Final points for HR (only finalized listings count): per employee with keyset pagination, per unit, and one
employee's by listing with their bonus points. Each a fixed number of queries."""

from datetime import date

from django.db.models import Count, Max, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce

from lean.access import in_subtree
from lean.models import Membership, Unit

from ..models import Credit, Incentive, Listing
from ._common import ZERO


def _final_credits(period_start: date, period_end: date):
    """Credits of finalized listings whose period ends inside [start, end) (a listing belongs to the period in
    which it ends)."""
    return Credit.objects.filter(
        contribution__final=True,
        contribution__listing__state=Listing.State.FINAL,
        contribution__listing__period_end__gte=period_start,
        contribution__listing__period_end__lt=period_end,
    )


def final_points(
    *,
    period_start: date,
    period_end: date,
    unit: Unit | None = None,
    updated_since=None,
    after: str = "",
    limit: int = 100,
):
    """Per employee, the final points of the period and the bonus points awarded in it, ordered by employee
    number and read after `after` (keyset pagination: stable while rows are added or change). One query."""
    credits = _final_credits(period_start, period_end).filter(member=OuterRef("pk")).values("member")
    bonus = Incentive.objects.filter(
        member=OuterRef("pk"), kind=Incentive.Kind.BONUS, awarded_on__gte=period_start, awarded_on__lt=period_end
    ).values("member")
    rows = (
        Membership.objects.select_related("user", "unit")
        .annotate(
            points=Coalesce(Subquery(credits.annotate(s=Sum("points")).values("s")), ZERO),
            contributions=Coalesce(Subquery(credits.annotate(n=Count("id")).values("n")), 0),
            updated_at=Subquery(credits.annotate(m=Max("contribution__listing__finalized_at")).values("m")),
            bonus_points=Coalesce(Subquery(bonus.annotate(s=Sum("bonus_points")).values("s")), ZERO),
        )
        .filter(Q(points__gt=0) | Q(bonus_points__gt=0))
        .order_by("employee_number")
    )
    rows = in_subtree(rows, unit)
    if updated_since is not None:
        rows = rows.filter(updated_at__gte=updated_since)
    if after:
        rows = rows.filter(employee_number__gt=after)
    return list(rows[: limit + 1])


def final_points_by_unit(*, period_start: date, period_end: date) -> list[dict]:
    """Each unit's final points of the period (its own people), with the number of people who have any. One
    query."""
    return list(
        _final_credits(period_start, period_end)
        .values("member__unit_id", "member__unit__code", "member__unit__name")
        .annotate(points=Sum("points"), people=Count("member", distinct=True), contributions=Count("id"))
        .order_by("member__unit__code")
    )


def final_points_of(*, member: Membership, period_start: date, period_end: date) -> dict:
    """One employee's final points of the period, by listing, and their bonus points. Two queries."""
    by_listing = list(
        _final_credits(period_start, period_end)
        .filter(member=member)
        .values(
            "contribution__listing_id",
            "contribution__listing__title",
            "contribution__listing__period_start",
            "contribution__listing__period_end",
            "contribution__listing__finalized_at",
        )
        .annotate(points=Sum("points"), contributions=Count("id"))
        .order_by("contribution__listing__period_end")
    )
    bonus = list(
        Incentive.objects.filter(
            member=member, kind=Incentive.Kind.BONUS, awarded_on__gte=period_start, awarded_on__lt=period_end
        ).order_by("awarded_on")
    )
    return {
        "points": sum((r["points"] for r in by_listing), ZERO),
        "by_listing": by_listing,
        "bonus": bonus,
        "bonus_points": sum((i.bonus_points or ZERO for i in bonus), ZERO),
    }
