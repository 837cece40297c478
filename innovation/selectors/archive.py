"""Reads of innovation/: archives per person, unit and tenant, contribution queries, suggestion adoption rates
and listings. Every read is a fixed number of aggregate queries, whatever the number of contributions."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Count, Exists, F, Max, Min, OuterRef, Q, Subquery, Sum, Window
from django.db.models.functions import Coalesce, ExtractYear, Rank, TruncQuarter
from django.http import Http404
from django.shortcuts import get_object_or_404

from lean.access import in_subtree, subtree_q, units_in_reach, within
from lean.models import Membership, Unit
from lean.permissions import can
from lean.tenancy import current_tenant

from ..models import Contribution, ContributionType, Credit, Incentive, Listing, Objection, Suggestion

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


def reach(viewer: Membership, subtree_perm: str | None = "innovation.units") -> dict:
    """How far the viewer reaches in innovation/, as the rules of lean.access.within: the whole tenant with
    innovation.tenant.view, else their unit's subtree with `subtree_perm` (None: whoever reaches this far)."""
    return {
        "everything": can(viewer, "innovation.tenant.view"),
        "subtree": subtree_perm is None or can(viewer, subtree_perm),
    }


def in_period(period: Period | None, prefix: str = "contribution__") -> Q:
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


def adoption_rates(*, period: Period, unit: Unit | None = None) -> list[dict]:
    """Suggestion adoption rate (采纳率) per unit and quarter: adopted (and implemented) over decided. One query."""
    rows = Suggestion.objects.filter(submitted_at__date__gte=period.start, submitted_at__date__lte=period.end)
    rows = in_subtree(rows, unit)
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


def suggestions_for(*, viewer: Membership, state: str = "", year: int | None = None, unit: Unit | None = None):
    """The suggestions a viewer sees: their own, plus their units' for a manager, all for the lean office;
    `year` (submitted in it) and `unit` (with its sub-units) narrow them."""
    rows = Suggestion.objects.select_related("proposer__user", "unit")
    if not can(viewer, "innovation.tenant.view"):
        mine = Q(proposer=viewer)
        if can(viewer, "innovation.units"):
            mine |= subtree_q(viewer.unit)
        rows = rows.filter(mine)
    if state:
        rows = rows.filter(state=state)
    if year:
        rows = rows.filter(submitted_at__date__gte=date(year, 1, 1), submitted_at__date__lte=date(year, 12, 31))
    return in_subtree(rows, unit)


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
    return in_subtree(rows, unit)


# --- added by irules: the lean office's pages (rules, tunings, listings, incentives)

from django.db.models import Case, IntegerField, Prefetch, Value, When  # noqa: E402

from .. import points  # noqa: E402
from ..models import RuleVersion, Studio, UnitTuning  # noqa: E402


def rule_versions() -> list:
    """Every rule version, newest first, each with `author`: the user who saved it, read off its audit history
    (the version itself does not keep it). Two queries."""
    versions = list(RuleVersion.objects.order_by("-effective_from", "-number"))
    authors = {
        record.id: record.history_user
        for record in RuleVersion.history.filter(history_type="+", id__in=[v.pk for v in versions]).select_related(
            "history_user"
        )
    }
    for version in versions:
        version.author = authors.get(version.pk)
    return versions


def tunings_in_force(*, day: date) -> list:
    """Per unit, the tuning of its own in force on `day` (sub-units inherit it unless they have their own), in
    tree order. One query."""
    rows = (
        UnitTuning.objects.filter(effective_from__lte=day)
        .select_related("unit", "created_by__user")
        .order_by("unit_id", "-effective_from", "-id")
        .distinct("unit_id")
    )
    return sorted(rows, key=lambda t: t.unit.path)


def unit_tunings(*, unit: Unit) -> list:
    """A unit's own tunings, newest first (those from a future date included). One query."""
    return list(UnitTuning.objects.filter(unit=unit).select_related("created_by__user"))


def managed_units(*, viewer: Membership):
    """The units the viewer manages, whose points they may tune and whose people they may give incentives: every
    unit for the lean office, their subtree for a unit manager, none for anyone else."""
    return units_in_reach(viewer, **reach(viewer))


def tuning_preview(*, unit: Unit, day: date, factors: dict, type_base: dict, sample):
    """Points a sample contribution of `unit` would get with a tuning being edited (nothing is stored). Raises
    points.RulesError when the tuning breaks HQ's bounds or the type has no base."""
    from ..services.scoring import rule_version_for

    version = rule_version_for(day)
    own = ContributionType.objects.filter(unit=unit).values_list("code", flat=True)
    clean_factors, clean_base = points.validate_tuning(version.rules, factors, type_base, list(own))
    return points.compute(version.rules, sample, clean_factors, clean_base)


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


def managed_members(*, viewer: Membership):
    """The active people the viewer may record incentives for: everyone for the lean office, their subtree's
    people for a unit manager."""
    members = (
        Membership.objects.filter(active=True).select_related("user", "unit").order_by("unit__path", "employee_number")
    )
    return within(members, viewer, **reach(viewer, "innovation.incentives"))


def incentive_list(*, viewer: Membership, kind: str = "", unit: Unit | None = None, year: int | None = None):
    """The incentives the viewer sees (all for the lean office, their subtree's people for a manager), filtered
    by kind, the person's unit (with its sub-units) and year."""
    rows = Incentive.objects.select_related("member__user", "member__unit", "studio", "awarded_by__user")
    rows = within(rows, viewer, "member__unit", **reach(viewer, None))
    if kind:
        rows = rows.filter(kind=kind)
    rows = in_subtree(rows, unit, field="member__unit")
    if year:
        rows = rows.filter(awarded_on__year=year)
    return rows.order_by("-awarded_on", "-id")


def studio_list(*, viewer: Membership):
    """The innovation studios the viewer sees, each with `people`: the members holding a place in it. Two
    queries."""
    places = Incentive.objects.filter(kind=Incentive.Kind.STUDIO).select_related("member__user").order_by("id")
    rows = Studio.objects.select_related("unit", "leader__user").prefetch_related(
        Prefetch("incentives", queryset=places, to_attr="places")
    )
    rows = within(rows, viewer, **reach(viewer, None))
    studios = list(rows.order_by("name", "id"))
    for studio in studios:
        seen, studio.people = set(), []
        for place in studio.places:
            if place.member_id not in seen:
                seen.add(place.member_id)
                studio.people.append(place.member)
    return studios


# --- added by iarch: small reads for the people-facing pages (archive, contributions, suggestions)


def contribution_years(*, member: Membership | None = None) -> list[int]:
    """The years from the first to the last contribution (a person's, or the tenant's), newest first, always with
    this year: the choices of the year filters. One query."""
    rows = Contribution.objects.all() if member is None else Contribution.objects.filter(credits__member=member)
    from django.utils import timezone

    # The first and last days through the date index, not every distinct year of every row (a second and more
    # for 300,000 contributions); a year without any contribution between them is still a valid choice.
    span = rows.aggregate(first=Min("occurred_on"), last=Max("occurred_on"))
    years = set(range(span["first"].year, span["last"].year + 1)) if span["first"] else set()
    years.add(timezone.localdate().year)
    return sorted(years, reverse=True)


def contributions_of_person(rows, query: str):
    """Narrow a contributions query to those crediting a person found by employee number (exact) or name
    (part of it), without repeating a contribution credited to several matching people."""
    from django.db.models import Exists, OuterRef

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


def adoption_summary(rows: list[dict]) -> dict:
    """Sum `adoption_rates` rows (per unit and quarter) by quarter, by unit and in all; no query."""

    def add(bucket: dict, row: dict) -> None:
        for key in ("submitted", "decided", "adopted"):
            bucket[key] = bucket.get(key, 0) + row[key]

    def rate(bucket: dict) -> dict:
        bucket["rate"] = Decimal(bucket["adopted"]) / bucket["decided"] if bucket.get("decided") else None
        return bucket

    by_quarter: dict = {}
    by_unit: dict = {}
    total: dict = {"submitted": 0, "decided": 0, "adopted": 0}
    for row in rows:
        quarter = row["quarter"]
        label = f"{quarter.year} Q{(quarter.month - 1) // 3 + 1}" if quarter else ""
        add(by_quarter.setdefault(quarter, {"quarter": quarter, "label": label}), row)
        add(by_unit.setdefault(row["unit_id"], {"unit_id": row["unit_id"], "unit__name": row["unit__name"]}), row)
        add(total, row)
    return {
        "by_quarter": [rate(by_quarter[q]) for q in sorted(by_quarter)],
        "by_unit": sorted((rate(u) for u in by_unit.values()), key=lambda u: u["unit__name"]),
        "total": rate(total),
    }


# ---------------------------------------------------------------- final points for HR (only finalized listings)


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
