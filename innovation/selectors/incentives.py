"""Reads of the incentives (激励) and innovation studios (创新工作室): the people a viewer may record incentives for,
the incentives they see, and the studios with the people holding a place in them."""

from django.db.models import Prefetch

from lean.access import in_subtree, within
from lean.models import Membership, Unit

from ..models import Incentive, Studio
from ._common import reach


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
