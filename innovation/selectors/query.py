"""The online query (在线查询) of contributions: what a viewer may see by unit, person, type, period and status, one
contribution as the viewer may open it, the choices of the year filters and the count waiting for verification."""

from django.db.models import Exists, Max, Min, OuterRef, Q
from django.shortcuts import get_object_or_404
from django.utils import timezone

from lean.access import in_subtree, within
from lean.models import Membership, Unit
from lean.permissions import can

from ..models import Contribution, ContributionType, Credit
from ._common import Period, in_period, reach


def contributions(
    *,
    viewer: Membership,
    unit: Unit | None = None,
    member: Membership | None = None,
    kind: ContributionType | None = None,
    period: Period | None = None,
    status: str = "",
):
    """The online query (在线查询) of contributions by unit (with its sub-units), person, type, period and
    status, limited to what the viewer may see: all for the lean office, their subtree for a manager, their own
    for an employee."""
    rows = Contribution.objects.select_related("type", "unit", "listing").filter(in_period(period, ""))
    rows = within(rows, viewer, **reach(viewer), otherwise=Q(credits__member=viewer))
    rows = in_subtree(rows, unit)
    if member is not None:
        rows = rows.filter(credits__member=member)
    if kind is not None:
        rows = rows.filter(type=kind)
    if status:
        rows = rows.filter(status=status)
    return rows.order_by("-occurred_on", "-id")


def contribution_years(*, member: Membership | None = None) -> list[int]:
    """The years from the first to the last contribution (a person's, or the tenant's), newest first, always with
    this year: the choices of the year filters. One query."""
    rows = Contribution.objects.all() if member is None else Contribution.objects.filter(credits__member=member)
    # The first and last days through the date index, not every distinct year of every row (a second and more
    # for 300,000 contributions); a year without any contribution between them is still a valid choice.
    span = rows.aggregate(first=Min("occurred_on"), last=Max("occurred_on"))
    years = set(range(span["first"].year, span["last"].year + 1)) if span["first"] else set()
    years.add(timezone.localdate().year)
    return sorted(years, reverse=True)


def contributions_of_person(rows, query: str):
    """Narrow a contributions query to those crediting a person found by employee number (exact) or name
    (part of it), without repeating a contribution credited to several matching people."""
    query = query.strip()
    if not query:
        return rows
    people = Credit.objects.filter(contribution=OuterRef("pk")).filter(
        Q(member__employee_number__iexact=query)
        | Q(member__user__full_name__icontains=query)
        | Q(member__user__username__iexact=query)
    )
    return rows.filter(Exists(people))


def contribution_get(*, viewer: Membership, contribution_id: int) -> Contribution:
    """A contribution the viewer may open: one the online query shows them, or one on a public listing (every
    member of the tenant sees the listings, and may object to them). Anything else is "not found"."""
    rows = Contribution.objects.select_related(
        "type", "unit", "listing", "rule_version", "tuning__unit", "recorded_by__user", "verified_by__user"
    )
    if not contributions(viewer=viewer).filter(pk=contribution_id).exists():
        rows = rows.filter(listing__isnull=False)
    return get_object_or_404(rows, pk=contribution_id)


def waiting_for_verification(*, viewer: Membership) -> int:
    """How many contributions the viewer may verify are waiting for it (0 for those who verify nothing)."""
    if not can(viewer, "innovation.units"):
        return 0
    return contributions(viewer=viewer, status=Contribution.Status.SUBMITTED).count()
