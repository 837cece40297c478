from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TargetsConfig(AppConfig):
    name = "targets"
    verbose_name = _("Target tree")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from lean.navigation import NavItem, register

        register(NavItem(_("Target tree"), "targets-tree", "targets.view", "diagram-3-fill"))
        register(NavItem(_("Shortfalls"), "targets-shortfalls", "targets.view", "exclamation-triangle"))
