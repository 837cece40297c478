"""The rows of a tile: the scope's child units (each with its subtree, named by the prefix of its materialised
path) and the scope's own unit, and how grouped rows keyed by that prefix fold into one row per unit."""

from decimal import Decimal

from django.db.models.functions import Substr

from insights.dashboard.scope import Scope
from lean.access import subtree_q
from lean.models import Unit

ZERO = Decimal("0")


def row_units(scope: Scope) -> list[Unit]:
    """The units the tiles' rows stand for: the scope's child units, then its own unit. One query."""
    if scope.group is None:
        return list(Unit.objects.filter(parent__isnull=True).order_by("path"))
    children = list(Unit.objects.filter(parent=scope.group).order_by("path"))
    return children + [scope.group]


def unit_paths(scope: Scope) -> dict[int, str]:
    """Unit id → path of every unit in the scope (at most the tenant's units). One query."""
    return dict(Unit.objects.filter(subtree_q(scope.prefix, field="")).values_list("pk", "path"))


def _key(field: str, scope: Scope):
    return Substr(field, 1, scope.child_length)


def _fold(rows: list[dict], units: list[Unit], scope: Scope) -> list[dict]:
    """Grouped rows keyed by path prefix → one row per unit of `units`, in their order (`own` marks the scope's
    own unit, whose row holds only what is recorded on it directly)."""
    by_key = {row["key"]: row for row in rows}
    out = []
    for unit in units:
        own = scope.group is not None and unit.pk == scope.group.pk
        out.append({"unit": unit, "own": own, **by_key.get(unit.path, {})})
    return out
