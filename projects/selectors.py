"""Reads of projects. Every function runs inside the caller's tenant scope in a bounded number of queries.

`visible_projects(viewer)` is THE rule of who may see which project; every page, list and download starts from
it, so a project someone may not see is "not found" everywhere.
"""

from django.db.models import Q
from django.shortcuts import get_object_or_404

from lean.models import Membership, Role

from .models import (
    Project,
    ProjectUnit,
    ReviewAssignment,
    State,
    TeamMember,
)

# The case library (优秀案例) is open to every member: excellent projects once closed and released.
CASE_STATES = (State.CLOSED, State.FILED)


def visible_q(viewer: Membership) -> Q:
    """Who sees what, as one filter on Project:
    - the lean office: every project;
    - a unit manager: the projects of their unit and the units below it, and those their units take part in;
    - a reviewer: the projects of the reviews they are assigned to;
    - every member: their own unit's projects (as applicant or participant) and the projects whose team they
      are on;
    - everyone: the excellent cases of the case library."""
    if viewer is None or not viewer.active:
        return Q(pk__in=[])
    if Role.LEAN_OFFICE in viewer.roles:
        return Q()
    q = Q(excellent=True, state__in=CASE_STATES)
    q |= Q(pk__in=TeamMember.objects.filter(member=viewer).values("project_id"))
    if Role.UNIT_MANAGER in viewer.roles:
        path = viewer.unit.path
        q |= Q(unit__path__startswith=path)
        q |= Q(pk__in=ProjectUnit.objects.filter(unit__path__startswith=path).values("project_id"))
    else:
        q |= Q(unit_id=viewer.unit_id)
        q |= Q(pk__in=ProjectUnit.objects.filter(unit_id=viewer.unit_id).values("project_id"))
    if Role.REVIEWER in viewer.roles:
        q |= Q(pk__in=ReviewAssignment.objects.filter(reviewer=viewer).values("review__project_id"))
    return q


def visible_projects(viewer: Membership):
    """The projects `viewer` may see (a queryset without duplicates, to filter and order further)."""
    return Project.objects.filter(visible_q(viewer))


def project_get(*, viewer: Membership, project_id: int) -> Project:
    """One project the viewer may see, else 404 (exactly like a missing one or another tenant's)."""
    return get_object_or_404(
        visible_projects(viewer).select_related("unit", "direction__guide", "created_by__user", "merged_into"),
        pk=project_id,
    )
