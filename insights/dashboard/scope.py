"""Whose data the dashboard shows, from the member and the page's `?unit=` and `?year=`.

The lean office sees the whole tenant or any one unit's subtree; a unit manager their own unit's subtree, or a
unit inside it. A unit outside the manager's subtree, or another tenant's unit, is "not found": a query
parameter never widens the scope.
"""

from dataclasses import dataclass

from django.http import Http404
from django.utils import timezone

from lean.access import is_within
from lean.errors import Forbidden
from lean.models import Membership, Role, Unit
from targets.models import TargetTree
from targets.selectors import tree_for

CHILD = 11  # one level of a materialised path: "0000000004/"


@dataclass(frozen=True)
class Scope:
    unit: Unit | None  # the subtree shown; None: the whole tenant
    group: Unit | None  # the unit whose children make the rows of the tiles (the scope's unit, or the root)
    year: int
    tree: TargetTree | None
    picked: bool  # a unit was chosen (drill-down links then carry it)

    @property
    def prefix(self) -> str:
        return self.unit.path if self.unit else "/"

    @property
    def child_length(self) -> int:
        """Length of a child's path of `group`: `Substr(unit__path, 1, child_length)` names the row."""
        return len(self.group.path) + CHILD if self.group else 1 + CHILD

    @property
    def unit_id(self):
        return self.unit.pk if self.unit else None


def _int(value, low=1, high=10**12):
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if low <= number <= high else None


def base_unit(member: Membership) -> Unit | None:
    """The widest scope of the member: None (the tenant) for the lean office, a manager's own unit."""
    if member is not None and member.active and Role.LEAN_OFFICE in member.roles:
        return None
    if member is not None and member.active and {Role.UNIT_MANAGER, Role.LEADER}.intersection(member.roles):
        return member.unit
    raise Forbidden


def scope_for(member: Membership, *, unit_id=None, year=None) -> Scope:
    """The scope of the dashboard for `member`; `unit_id` narrows it (404 when it is not inside the member's
    scope, or not of this tenant), `year` picks the year (else the current target tree's)."""
    base = base_unit(member)
    unit = base
    picked = False
    if unit_id not in (None, ""):
        number = _int(unit_id)
        found = Unit.objects.filter(pk=number).first() if number else None
        if found is None or (base is not None and not is_within(found, base)):
            raise Http404
        unit, picked = found, True
    group = unit
    if group is None:
        roots = list(Unit.objects.filter(parent__isnull=True).order_by("path")[:2])
        group = roots[0] if len(roots) == 1 else None
    chosen = _int(year, 2000, 2100)
    tree = tree_for(year=chosen) if chosen else tree_for()
    if chosen and tree is None:
        return Scope(unit, group, chosen, None, picked)
    return Scope(unit, group, tree.year if tree else (chosen or timezone.localdate().year), tree, picked)
