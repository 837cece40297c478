"""Which shortfalls a project covers: one a live project attacks (not rejected, not merged away — a merged
proposal's shortfalls move to the integrated project)."""

from django.db.models import Exists, OuterRef

from .models import ProjectShortfall, State

NOT_COVERING = [State.REJECTED, State.MERGED]


def uncovered():
    attacked = ProjectShortfall.objects.filter(shortfall=OuterRef("pk")).exclude(project__state__in=NOT_COVERING)
    return ~Exists(attacked)


def attacking(viewer, shortfall):
    """The projects attacking `shortfall` that `viewer` may open (for the shortfall's page)."""
    from .selectors import visible_projects

    return visible_projects(viewer).filter(shortfall_links__shortfall=shortfall).order_by("code").distinct()
