"""The innovation tiles: the year's participation rate and verified points by type and by unit, and the adoption
rate of the year's suggestions per unit and state."""

from datetime import date
from decimal import Decimal

from django.db.models import Count, Sum

from innovation.models import Contribution, Credit, Suggestion
from insights.dashboard.scope import Scope
from lean.access import in_subtree, subtree_q
from lean.models import Membership, Unit

from .rows import ZERO, _fold, _key, unit_paths

ADOPTED = (Suggestion.State.ADOPTED, Suggestion.State.IMPLEMENTED)


def _year_bounds(scope: Scope) -> tuple[date, date]:
    return date(scope.year, 1, 1), date(scope.year, 12, 31)


def innovation_figures(scope: Scope, units: list[Unit]) -> dict:
    """The year's participation rate (active people with a verified contribution credited, over the active
    people) and verified points by type and by unit. Four queries."""
    start, end = _year_bounds(scope)
    people = list(
        Membership.objects.filter(subtree_q(scope.prefix), active=True)
        .annotate(key=_key("unit__path", scope))
        .values("key")
        .annotate(people=Count("id"))
        .order_by()
    )
    # Participants from the year's verified credits (not from every person joined to all their credits).
    # Grouped by the person's unit (their id, not an expression over the path, so no sort of every credit);
    # a person has one unit, so the units' distinct counts add up.
    paths = unit_paths(scope)
    credits = Credit.objects.filter(
        contribution__status=Contribution.Status.VERIFIED,
        contribution__occurred_on__gte=start,
        contribution__occurred_on__lte=end,
        member__active=True,
    ).order_by()
    credits = in_subtree(credits, scope.unit, field="member__unit")
    participants_by_key: dict = {}
    for unit_id, n in (
        credits.values("member__unit_id")
        .annotate(n=Count("member_id", distinct=True))
        .values_list("member__unit_id", "n")
    ):
        key = paths[unit_id][: scope.child_length]
        participants_by_key[key] = participants_by_key.get(key, 0) + n
    for row in people:
        row["participants"] = participants_by_key.get(row["key"], 0)
    verified = Contribution.objects.filter(
        subtree_q(scope.prefix),
        status=Contribution.Status.VERIFIED,
        occurred_on__gte=start,
        occurred_on__lte=end,
    ).order_by()
    # One grouping by type and row unit; the type rows and the unit rows are its sums.
    groups = (
        verified.annotate(key=_key("unit__path", scope))
        .values("type_id", "type__name", "type__position", "key")
        .annotate(count=Count("id"), points=Sum("points"))
    )
    types, by_unit = {}, {}
    for group in groups:
        kind = types.setdefault(
            group["type_id"],
            {k: group[k] for k in ("type_id", "type__name", "type__position")} | {"count": 0, "points": ZERO},
        )
        unit = by_unit.setdefault(group["key"], {"key": group["key"], "count": 0, "points": ZERO})
        for bucket in (kind, unit):
            bucket["count"] += group["count"]
            bucket["points"] += group["points"]
    by_type = sorted(types.values(), key=lambda row: (row["type__position"], row["type_id"]))
    for row in people:
        row.update({k: v for k, v in by_unit.pop(row["key"], {}).items() if k != "key"})
    rows = _fold(people + list(by_unit.values()), units, scope)
    for row in rows:
        row["rate"] = Decimal(row["participants"]) / row["people"] if row.get("people") else None
    total_people = sum(row.get("people", 0) for row in people)
    participants = sum(row.get("participants", 0) for row in people)
    return {
        "rows": rows,
        "by_type": by_type,
        "people": total_people,
        "participants": participants,
        "rate": Decimal(participants) / total_people if total_people else None,
        "points": sum((row["points"] for row in by_type), ZERO),
        "count": sum(row["count"] for row in by_type),
        "start": start,
        "end": end,
    }


def suggestion_adoption(scope: Scope, units: list[Unit]) -> dict:
    """The year's suggestions (by submission date) per unit and state; the adoption rate is adopted (and
    implemented) over decided (adopted, implemented, not adopted). One query."""
    start, end = _year_bounds(scope)
    rows = list(
        Suggestion.objects.filter(subtree_q(scope.prefix), submitted_at__date__gte=start, submitted_at__date__lte=end)
        .annotate(key=_key("unit__path", scope))
        .values("key", "state")
        .annotate(n=Count("id"))
        .order_by()
    )
    grouped: dict = {}
    for row in rows:
        grouped.setdefault(row["key"], {"key": row["key"], "states": {}})["states"][row["state"]] = row["n"]
    total = {"states": {state: sum(r["n"] for r in rows if r["state"] == state) for state in Suggestion.State.values}}
    out = _fold(list(grouped.values()), units, scope)
    for row in [*out, total]:
        states = row.setdefault("states", {})
        adopted = sum(states.get(s, 0) for s in ADOPTED)
        decided = adopted + states.get(Suggestion.State.NOT_ADOPTED, 0)
        row.update(adopted=adopted, decided=decided, all=sum(states.values()))
        row["rate"] = Decimal(adopted) / decided if decided else None
    return {"rows": out, "total": total, "rate": total["rate"]}
