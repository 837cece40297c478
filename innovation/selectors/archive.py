"""The archives (员工创新电子档案): a person's (their credits, totals by type and year, their rank in their unit),
a unit's with its sub-units (participation rate and top contributors) and the tenant's per top unit for the lean
office. Each is a fixed number of aggregate queries, whatever the number of contributions."""

from decimal import Decimal

from django.db.models import Count, Exists, F, OuterRef, Q, Sum, Window
from django.db.models.functions import ExtractYear, Rank
from django.http import Http404
from django.shortcuts import get_object_or_404

from lean.access import subtree_q
from lean.models import Membership, Unit
from lean.permissions import can
from lean.tenancy import current_tenant

from ..models import Contribution, Credit, Incentive
from ._common import COUNTED, ZERO, Period, in_period


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
        .filter(in_period(period))
        .select_related("contribution__type", "contribution__unit", "contribution__listing")
        .order_by("-contribution__occurred_on", "-id")
    )
    counted = Credit.objects.filter(COUNTED, member=member).filter(in_period(period))
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
    one query, ranked in the database. Nothing (and no query) unless the tenant shows rankings."""
    if not current_tenant().ranking_enabled:
        return {"rank": None, "of": None}
    totals = (
        Membership.objects.filter(unit_id=member.unit_id, active=True)
        .annotate(
            points=Sum(
                "innovation_credits__points",
                filter=Q(innovation_credits__contribution__status=Contribution.Status.VERIFIED)
                & in_period(period, "innovation_credits__contribution__"),
                default=ZERO,
            )
        )
        .annotate(rank=Window(Rank(), order_by=F("points").desc()))
        .values("id", "rank", "points")
    )
    rows = list(totals)
    mine = next((r for r in rows if r["id"] == member.pk), None)
    return {"rank": mine["rank"] if mine else None, "of": len(rows)}


def unit_archive(*, unit: Unit, period: Period, top: int = 10) -> dict:
    """A unit's archive with its sub-units: points and contributions by type, participation rate (the share of
    active people with at least one counted contribution) and the top contributors (by employee number when
    the tenant shows no rankings). Four queries."""
    ranked = current_tenant().ranking_enabled
    in_unit = subtree_q(unit, field="member__unit")
    counted = Credit.objects.filter(COUNTED, in_unit).filter(in_period(period))
    by_type = list(
        Contribution.objects.filter(subtree_q(unit), status=Contribution.Status.VERIFIED, **_period_kwargs(period))
        .values("type__name", "type_id")
        .annotate(count=Count("id"), points=Sum("points"))
        .order_by("-points")
    )
    people = (
        Membership.objects.filter(subtree_q(unit), active=True)
        .annotate(took_part=_took_part(period))
        .aggregate(total=Count("id"), participants=Count("id", filter=Q(took_part=True)))
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
        # Without rankings (the tenant's choice) the people are listed by employee number, not by points.
        .order_by(*(("-points", "member_id") if ranked else ("member__employee_number",)))[: top if ranked else 50]
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
        "ranked": ranked,
        "points": totals["points"] or ZERO,
    }


def _took_part(period: Period | None):
    """A person has a verified contribution in the period: a semi-join per person, where counting distinct people
    over the join of people × credits × contributions took seconds for a tenant of 30,000 people."""
    return Exists(
        Credit.objects.filter(member=OuterRef("pk"), contribution__status=Contribution.Status.VERIFIED).filter(
            in_period(period)
        )
    )


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
        .annotate(took_part=_took_part(period))
        .values("unit__path")
        .annotate(total=Count("id"), participants=Count("id", filter=Q(took_part=True)))
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
