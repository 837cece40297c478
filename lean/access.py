"""Reach in the organisation tree: the one way to say "this unit and the units below it", and whose rows a member
sees by it.

A unit's `path` is materialised ("/0000000001/0000000004/"), so a subtree is one indexed prefix filter on the
path, whether on units themselves (`field=""`) or on rows that lead to a unit (`field="unit"`, `"member__unit"`,
`"project__unit"`, …); the same functions serve any tree with such paths, such as the target tree's nodes.

The house rule for reach: the lean office sees the whole tenant, a unit manager their own unit and everything
below it, anyone else only their own rows (none unless the caller says which). A selector whose rule differs
passes its own answers to `within`. None of these functions runs a query.
"""

from django.db.models import Q

from .models import Membership, Role, Unit


def _path(root) -> str:
    return root if isinstance(root, str) else root.path


def subtree_q(root, field: str = "unit") -> Q:
    """Rows whose unit, reached through `field` ("" for units themselves), is `root` or below it. `root` is a
    Unit or a path prefix ("/" reaches every unit)."""
    return Q(**{f"{field}__path__startswith" if field else "path__startswith": _path(root)})


def in_subtree(queryset, root, field: str = "unit"):
    """`queryset` narrowed to the subtree of `root` (a Unit or a path prefix); None, the whole tenant, keeps it."""
    if root is None:
        return queryset
    return queryset.filter(subtree_q(root, field))


def is_within(unit, root) -> bool:
    """In Python, for a row already loaded: `unit` is `root` or below it (each a Unit or a path)."""
    return _path(unit).startswith(_path(root))


def ancestor_ids(unit) -> list[int]:
    """The ids from the top of the tree down to `unit` itself (a Unit or a path), read off its path: no query."""
    return [int(part) for part in _path(unit).strip("/").split("/") if part]


def ancestor_paths(unit) -> list[str]:
    """The paths from the top of the tree down to `unit` itself (a Unit or a path): the units it is within."""
    parts = [part for part in _path(unit).strip("/").split("/") if part]
    return ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


def within(
    queryset,
    member: Membership,
    field: str = "unit",
    *,
    everything: bool | None = None,
    subtree: bool | None = None,
    otherwise: Q | None = None,
):
    """The rows of `queryset` within `member`'s reach, their unit reached through `field`: all of them when
    `everything` (by default: the member has the lean office role); those of the member's unit subtree when
    `subtree` (by default: the member is a unit manager); else those matching `otherwise` (by default none)."""
    if everything is None:
        everything = Role.LEAN_OFFICE in member.roles
    if everything:
        return queryset
    if subtree is None:
        subtree = Role.UNIT_MANAGER in member.roles
    if subtree:
        return queryset.filter(subtree_q(member.unit, field))
    return queryset.none() if otherwise is None else queryset.filter(otherwise)


def units_in_reach(member: Membership, **rules):
    """The active units within `member`'s reach, in tree order (`rules`: those of `within`)."""
    return within(Unit.objects.filter(active=True).order_by("path"), member, field="", **rules)
