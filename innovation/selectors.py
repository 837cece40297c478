"""Reads of innovation/: archives per person, unit and tenant, contribution queries, suggestion adoption rates
and listings. Every read is a fixed number of aggregate queries, whatever the number of contributions."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Count, F, Q, Sum, Window
from django.db.models.functions import ExtractYear, Rank, TruncQuarter
from django.http import Http404
from django.shortcuts import get_object_or_404

from lean.models import Membership, Unit
from lean.permissions import can

from .models import Contribution, ContributionType, Credit, Incentive, Listing, Objection, Suggestion

# Points count once verified; "final" once a finalized listing locked them.
COUNTED = Q(contribution__status=Contribution.Status.VERIFIED)
ZERO = Decimal("0.00")


@dataclass
class Period:
    """A date range, inclusive, for the archive queries (a year by default)."""

    start: date
    end: date

    @classmethod
    def year(cls, year: int) -> "Period":
        return cls(date(year, 1, 1), date(year, 12, 31))


def _in_period(period: Period | None, prefix: str = "contribution__") -> Q:
    if period is None:
        return Q()
    return Q(**{f"{prefix}occurred_on__gte": period.start, f"{prefix}occurred_on__lte": period.end})


def member_get_for_archive(*, viewer: Membership, member_id: int) -> Membership:
    """A member whose archive the viewer may open (themselves; their units' people for a manager; anyone for
    the lean office). Anyone else is "not found"."""
    member = get_object_or_404(Membership.objects.select_related("user", "unit"), pk=member_id)
    if not can(viewer, "innovation.archive.view", member):
        raise Http404
    return member


def member_archive(*, member: Membership, period: Period | None = None) -> dict:
    """A person's archive (员工创新电子档案): their credits, totals by type and by year, final and provisional
    points, and their rank among the people of their unit. Five queries."""
    credits = (
        Credit.objects.filter(member=member)
        .filter(_in_period(period))
        .select_related("contribution__type", "contribution__unit", "contribution__listing")
        .order_by("-contribution__occurred_on", "-id")
    )
    counted = Credit.objects.filter(COUNTED, member=member).filter(_in_period(period))
    by_type = list(
        counted.values("contribution__type__name", "contribution__type_id")
        .annotate(points=Sum("points"), count=Count("id"))
        .order_by("-points")
    )
    by_year = list(
        Credit.objects.filter(COUNTED, member=member)
        .annotate(year=ExtractYear("contribution__occurred_on"))
        .values("year")
        .annotate(points=Sum("points"), count=Count("id"))
        .order_by("-year")
    )
    totals = counted.aggregate(
        total=Sum("points"),
        final=Sum("points", filter=Q(contribution__final=True)),
        pending=Count("id", filter=Q(contribution__final=False)),
    )
    incentives = list(Incentive.objects.filter(member=member).select_related("studio"))
    return {
        "member": member,
        "credits": credits,
        "by_type": by_type,
        "by_year": by_year,
        "total": totals["total"] or ZERO,
        "final": totals["final"] or ZERO,
        "rank": member_rank(member=member, period=period),
        "incentives": incentives,
    }


def member_rank(*, member: Membership, period: Period | None = None) -> dict:
    """The person's place among the active people of their own unit by counted points (ties share a place):
    one query, ranked in the database."""
    totals = (
        Membership.objects.filter(unit_id=member.unit_id, active=True)
        .annotate(
            points=Sum(
                "innovation_credits__points",
                filter=Q(innovation_credits__contribution__status=Contribution.Status.VERIFIED)
                & _in_period(period, "innovation_credits__contribution__"),
                default=ZERO,
            )
        )
        .annotate(rank=Window(Rank(), order_by=F("points").desc()))
        .values("id", "rank", "points")
    )
    rows = list(totals)
    mine = next((r for r in rows if r["id"] == member.pk), None)
    return {"rank": mine["rank"] if mine else None, "of": len(rows)}


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
    rows = Contribution.objects.select_related("type", "unit", "listing").filter(_in_period(period, ""))
    if not can(viewer, "innovation.tenant.view"):
        if can(viewer, "innovation.units"):
            rows = rows.filter(unit__path__startswith=viewer.unit.path)
        else:
            rows = rows.filter(credits__member=viewer)
    if unit is not None:
        rows = rows.filter(unit__path__startswith=unit.path)
    if member is not None:
        rows = rows.filter(credits__member=member)
    if kind is not None:
        rows = rows.filter(type=kind)
    if status:
        rows = rows.filter(status=status)
    return rows.order_by("-occurred_on", "-id")


def unit_archive(*, unit: Unit, period: Period, top: int = 10) -> dict:
    """A unit's archive with its sub-units: points and contributions by type, participation rate (the share of
    active people with at least one counted contribution) and the top contributors. Four queries."""
    in_unit = Q(member__unit__path__startswith=unit.path)
    counted = Credit.objects.filter(COUNTED, in_unit).filter(_in_period(period))
    by_type = list(
        Contribution.objects.filter(
            status=Contribution.Status.VERIFIED, unit__path__startswith=unit.path, **_period_kwargs(period)
        )
        .values("type__name", "type_id")
        .annotate(count=Count("id"), points=Sum("points"))
        .order_by("-points")
    )
    people = Membership.objects.filter(unit__path__startswith=unit.path, active=True).aggregate(
        total=Count("id"),
        participants=Count(
            "id",
            filter=Q(
                Q(innovation_credits__contribution__status=Contribution.Status.VERIFIED)
                & _in_period(period, "innovation_credits__contribution__")
            ),
            distinct=True,
        ),
    )
    top_rows = list(
        counted.values(
            "member_id",
            "member__user__full_name",
            "member__user__username",
            "member__employee_number",
            "member__unit__name",
        )
        .annotate(points=Sum("points"), count=Count("id"))
        .order_by("-points", "member_id")[:top]
    )
    totals = counted.aggregate(points=Sum("points"))
    rate = Decimal(people["participants"]) / people["total"] if people["total"] else None
    return {
        "unit": unit,
        "period": period,
        "by_type": by_type,
        "people": people["total"],
        "participants": people["participants"],
        "participation": rate,
        "top": top_rows,
        "points": totals["points"] or ZERO,
    }


def _period_kwargs(period: Period) -> dict:
    return {"occurred_on__gte": period.start, "occurred_on__lte": period.end}


def tenant_archive(*, period: Period) -> dict:
    """The lean office's view: per top unit (the units right below HQ, with their sub-units) the people, the
    participants, the points and the contributions; and the tenant's totals by type. Three queries."""
    tops = list(Unit.objects.filter(parent__parent__isnull=True, parent__isnull=False).order_by("path"))
    roots = list(Unit.objects.filter(parent__isnull=True))
    people = {
        row["unit__path"]: row
        for row in Membership.objects.filter(active=True)
        .values("unit__path")
        .annotate(
            total=Count("id", distinct=True),
            participants=Count(
                "id",
                filter=Q(innovation_credits__contribution__status=Contribution.Status.VERIFIED)
                & _in_period(period, "innovation_credits__contribution__"),
                distinct=True,
            ),
        )
    }
    points = {
        row["unit__path"]: row
        for row in Contribution.objects.filter(status=Contribution.Status.VERIFIED, **_period_kwargs(period))
        .values("unit__path")
        .annotate(points=Sum("points"), count=Count("id"))
    }
    rows = []
    for top in tops + roots:
        own_only = top.parent_id is None  # HQ itself: only its own people, not the units below it

        def inside(path, top=top, own_only=own_only):
            if own_only:
                return path == top.path or not any(path.startswith(t.path) for t in tops)
            return path.startswith(top.path)

        total = sum(r["total"] for p, r in people.items() if inside(p))
        part = sum(r["participants"] for p, r in people.items() if inside(p))
        rows.append(
            {
                "unit": top,
                "people": total,
                "participants": part,
                "participation": Decimal(part) / total if total else None,
                "points": sum((r["points"] for p, r in points.items() if inside(p)), ZERO),
                "count": sum(r["count"] for p, r in points.items() if inside(p)),
            }
        )
    by_type = list(
        Contribution.objects.filter(status=Contribution.Status.VERIFIED, **_period_kwargs(period))
        .values("type__name", "type_id")
        .annotate(count=Count("id"), points=Sum("points"))
        .order_by("-points")
    )
    return {"period": period, "rows": rows, "by_type": by_type}


def adoption_rates(*, period: Period, unit: Unit | None = None) -> list[dict]:
    """Suggestion adoption rate (采纳率) per unit and quarter: adopted (and implemented) over decided. One query."""
    rows = Suggestion.objects.filter(submitted_at__date__gte=period.start, submitted_at__date__lte=period.end)
    if unit is not None:
        rows = rows.filter(unit__path__startswith=unit.path)
    adopted = Q(state__in=[Suggestion.State.ADOPTED, Suggestion.State.IMPLEMENTED])
    decided = adopted | Q(state=Suggestion.State.NOT_ADOPTED)
    out = list(
        rows.annotate(quarter=TruncQuarter("submitted_at"))
        .values("unit_id", "unit__name", "quarter")
        .annotate(submitted=Count("id"), decided=Count("id", filter=decided), adopted=Count("id", filter=adopted))
        .order_by("unit__name", "quarter")
    )
    for row in out:
        row["rate"] = Decimal(row["adopted"]) / row["decided"] if row["decided"] else None
    return out


def suggestions_for(*, viewer: Membership, state: str = ""):
    """The suggestions a viewer sees: their own, plus their units' for a manager, all for the lean office."""
    rows = Suggestion.objects.select_related("proposer__user", "unit")
    if not can(viewer, "innovation.tenant.view"):
        mine = Q(proposer=viewer)
        if can(viewer, "innovation.units"):
            mine |= Q(unit__path__startswith=viewer.unit.path)
        rows = rows.filter(mine)
    if state:
        rows = rows.filter(state=state)
    return rows


def suggestion_get(*, viewer: Membership, suggestion_id: int) -> Suggestion:
    return get_object_or_404(suggestions_for(viewer=viewer), pk=suggestion_id)


def listing_rows(*, listing: Listing, unit: Unit | None = None):
    """A listing's contributions with their people and points (every member of the tenant may see a listing);
    `unit` narrows it to a unit and its sub-units. Two queries however long the listing."""
    rows = (
        listing.contributions.select_related("type", "unit")
        .prefetch_related("credits__member__user")
        .annotate(open_objections=Count("objections", filter=Q(objections__state=Objection.State.OPEN)))
        .order_by("unit__path", "-points", "id")
    )
    if unit is not None:
        rows = rows.filter(unit__path__startswith=unit.path)
    return rows
