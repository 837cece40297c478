"""Reads of the suggestions (合理化建议): those a viewer sees, one of them, and the adoption rates (采纳率) per unit and
quarter with their sums by quarter, by unit and in all."""

from datetime import date
from decimal import Decimal

from django.db.models import Count, Q
from django.db.models.functions import TruncQuarter
from django.shortcuts import get_object_or_404

from lean.access import in_subtree, subtree_q
from lean.models import Membership, Unit
from lean.permissions import can

from ..models import Suggestion
from ._common import Period


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
