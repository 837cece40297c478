"""What the outside world hears of the domain: the webhook events, emitted on the apps' signals (connected in
IntegrationsConfig.ready), so the apps that send the signals know nothing of webhooks."""

from django.db.models import Count, Sum

from innovation.models import Credit
from integrations.webhooks import event_emit
from lean.tenancy import tenant_scope


def announce_closed_project(sender, project, **kwargs):
    with tenant_scope(project.tenant):
        team = [
            {"employee_number": t.member.employee_number, "role": t.role, "share": str(t.share)}
            for t in project.team.select_related("member")
        ]
        event_emit(
            event="project.closed",
            event_id=f"project.closed:{project.pk}",
            data={
                "project": {
                    "id": project.pk,
                    "code": project.code,
                    "title": project.title,
                    "tier": project.tier,
                    "unit_code": project.unit.code,
                    "year": project.year,
                    "excellent": project.excellent,
                    "verified_benefit": str(project.verified_benefit),
                },
                "team": team,
            },
        )


def announce_finalized_listing(sender, listing, **kwargs):
    """Tell the tenant's webhooks that a listing's points are final (HR fetches them from /api/v1/hr/points/)."""
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
