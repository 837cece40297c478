from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntegrationsConfig(AppConfig):
    name = "integrations"
    verbose_name = _("Integrations")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from innovation.signals import listing_finalized
        from projects.signals import project_closed

        from .handlers import announce_closed_project, announce_finalized_listing

        project_closed.connect(announce_closed_project, dispatch_uid="integrations-announce-closed-project")
        listing_finalized.connect(announce_finalized_listing, dispatch_uid="integrations-announce-listing")
