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
