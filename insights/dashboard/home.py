"""The home page's panel per role: the dashboard's headline figures for the lean office (the tenant) and a unit
manager (their subtree); an employee's own innovation archive summary and the open listings (创新公示)."""

from django.db.models import Count, Sum
from django.utils import timezone

from innovation import selectors as innovation_selectors
from innovation.models import Listing
from insights.dashboard import tiles
from insights.dashboard.scope import scope_for
from lean.permissions import can

HEADLINE_TILES = ["shortfalls", "projects", "benefits", "innovation", "suggestions"]
OPEN_LISTINGS = 3


def home_panels(*, member, slug: str) -> dict:
    if can(member, "dashboard.view"):
        scope = scope_for(member)
        ctx = tiles.context(member=member, scope=scope, slug=slug)
        headline = []
        for name in HEADLINE_TILES:
            tile = tiles.build(name, ctx)
            headline.append({"name": name, "title": tile["title"], "figures": tile["summary"]})
        return {"panel": "dashboard", "scope": scope, "headline": headline}
    if can(member, "innovation.view") and member.has_role("employee"):
        return {"panel": "archive", **employee_summary(member=member)}
    return {"panel": ""}


def employee_summary(*, member) -> dict:
    """This year's points and contributions of the member, their rank in the unit, and the open listings.
    Three queries."""
    year = timezone.localdate().year
    period = innovation_selectors.Period.year(year)
    # The archive's own definitions (innovation.selectors): what counts, and the year's span.
    counted = innovation_selectors.COUNTED
    totals = member.innovation_credits.filter(innovation_selectors.in_period(period)).aggregate(
        contributions=Count("id"), verified=Count("id", filter=counted), points=Sum("points", filter=counted)
    )
    listings = list(Listing.objects.filter(state=Listing.State.OPEN).order_by("-opened_at", "-id")[:OPEN_LISTINGS])
    return {
        "year": year,
        "points": totals["points"] or innovation_selectors.ZERO,
        "contributions": totals["contributions"],
        "verified": totals["verified"],
        "rank": innovation_selectors.member_rank(member=member, period=period),
        "listings": listings,
    }
