"""What projects/ tells the outside world: the `project.closed` webhook event."""

from lean.tenancy import tenant_scope


def announce_closed_project(sender, project, **kwargs):
    from lean.webhooks import event_emit

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
