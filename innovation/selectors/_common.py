"""What every read of innovation/ shares: the period of the archive queries, what counts as points (verified
contributions) and how far a viewer reaches. The package re-exports these names (`innovation.selectors.Period`)."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Q

from lean.models import Membership
from lean.permissions import can

from ..models import Contribution

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
