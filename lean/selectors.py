"""Reads of the tenancy core. Every function runs inside the caller's tenant scope."""

from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404

from .access import ancestor_ids, in_subtree, subtree_q, within
from .models import Membership, Notification, Role, Unit
from .permissions import can
from .tenancy import across_tenants, as_user


def unit_tree():
    """Every unit of the tenant in tree order, with its direct member count: one query."""
    return Unit.objects.annotate(member_count=Count("members", filter=Q(members__active=True))).order_by("path")


def unit_get(*, unit_id: int) -> Unit:
    return get_object_or_404(Unit, pk=unit_id)


def unit_subtree(*, unit: Unit):
    """The unit and all units below it: one indexed prefix query on the materialised path."""
    return Unit.objects.filter(subtree_q(unit, field="")).order_by("path")


def unit_ancestors(*, unit: Unit) -> list[Unit]:
    """The chain of units from the top of the tree down to `unit`, read off its materialised path: one query."""
    ids = ancestor_ids(unit)
    by_id = Unit.objects.in_bulk(ids)
    return [by_id[i] for i in ids if i in by_id]


def visible_members(*, viewer: Membership):
    """The memberships a viewer may list: the whole tenant for the lean office, their subtree for a manager."""
    return within(Membership.objects.select_related("user", "unit"), viewer, otherwise=Q(pk=viewer.pk))


def member_list(*, viewer: Membership, unit_id=None, role=None, query: str = ""):
    members = visible_members(viewer=viewer)
    if unit_id:
        unit = get_object_or_404(Unit, pk=unit_id)
        members = in_subtree(members, unit)
    if role:
        members = members.filter(roles__contains=[role])
    if query:
        members = members.filter(
            Q(employee_number__icontains=query) | Q(user__full_name__icontains=query) | Q(position__icontains=query)
        )
    return members.order_by("unit__path", "employee_number")


def member_get(*, viewer: Membership, membership_id: int) -> Membership:
    """A membership the viewer may see; anything else, in this tenant or another, is simply not found."""
    membership = get_object_or_404(Membership.objects.select_related("user", "unit"), pk=membership_id)
    if not can(viewer, "members.view", membership):
        raise Http404
    return membership


def member_history(*, membership: Membership, limit: int = 50):
    return membership.history.select_related("history_user", "unit").order_by("-history_date")[:limit]


def user_tenants(*, user):
    """The tenants where `user` is an active member, for the tenant switcher.

    Crosses tenants on purpose: row-level security shows only the person's own membership rows.
    """
    with across_tenants(), as_user(user):
        return list(
            Membership.objects.filter(user=user, active=True, tenant__active=True)
            .select_related("tenant")
            .order_by("tenant__name")
        )


def unread_count(member: Membership) -> int:
    """The bell's number: one indexed count query."""
    return Notification.objects.filter(recipient=member, read_at=None).count()


def notification_list(*, member: Membership):
    return Notification.objects.filter(recipient=member).order_by("-created_at")


def notification_get(*, member: Membership, notification_id: int) -> Notification:
    """Only one's own notifications exist for one: anyone else's id is not found."""
    return get_object_or_404(Notification, pk=notification_id, recipient=member)


def unit_managers(unit: Unit):
    """The active managers of `unit` and of the units above it (they manage their whole subtree): one query."""
    ids = ancestor_ids(unit)
    return Membership.objects.filter(roles__contains=[Role.UNIT_MANAGER], active=True, unit_id__in=ids).select_related(
        "user"
    )


def unit_managers_of(units) -> dict:
    """unit id → the active managers of that unit and of the units above it, for many units in one query."""
    units = list(units)
    ids = {i for unit in units for i in ancestor_ids(unit)}
    managers = list(
        Membership.objects.filter(roles__contains=[Role.UNIT_MANAGER], active=True, unit_id__in=ids).select_related(
            "user"
        )
    )
    by_unit = {}
    for unit in units:
        above = set(ancestor_ids(unit))
        by_unit[unit.pk] = [m for m in managers if m.unit_id in above]
    return by_unit


def lean_office_members():
    return Membership.objects.filter(roles__contains=[Role.LEAN_OFFICE], active=True).select_related("user")
