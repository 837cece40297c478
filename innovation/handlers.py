"""What innovation/ does when other apps tell it something."""

from lean.tenancy import tenant_scope

from .services.contributions import contribution_from_project
from .services.scoring import innovation_setup


def award_closed_project(sender, project, **kwargs):
    """A project was closed and released: its team gets their points (once, whatever happens twice). Sent after
    the closing commits, possibly outside any scope, so the scope is entered here."""
    with tenant_scope(project.tenant):
        contribution_from_project(project=project)


def set_up_new_tenant(sender, instance, created, **kwargs):
    if created:
        with tenant_scope(instance):
            innovation_setup()


def announce_finalized_listing(sender, listing, **kwargs):
    """Tell the tenant's webhooks that a listing's points are final (HR fetches them from /api/v1/hr/points/)."""
    from django.db.models import Count, Sum

    from lean.webhooks import event_emit

    from .models import Credit

    with tenant_scope(listing.tenant):
        totals = Credit.objects.filter(contribution__listing=listing).aggregate(
            points=Sum("points"),
            people=Count("member", distinct=True),
            contributions=Count("contribution", distinct=True),
        )
        event_emit(
            event="listing.finalized",
            event_id=f"listing.finalized:{listing.pk}",
            data={
                "listing": {
                    "id": listing.pk,
                    "title": listing.title,
                    "period_start": listing.period_start,
                    "period_end": listing.period_end,
                    "finalized_at": listing.finalized_at,
                },
                "people": totals["people"],
                "contributions": totals["contributions"],
                "points": str(totals["points"] or 0),
                "points_url": f"/t/{listing.tenant.slug}/api/v1/hr/points/?period={listing.period_end.year}",
            },
        )
