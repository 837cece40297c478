from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TargetsConfig(AppConfig):
    name = "targets"
    verbose_name = _("Target tree")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from lean.navigation import NavItem, register
        from scheduling.registry import Job, ScheduleDefault
        from scheduling.registry import register as register_job

        from . import reports

        register(NavItem(_("Target tree"), "targets-tree", "targets.view", "diagram-3-fill"))
        register(NavItem(_("Shortfalls"), "targets-shortfalls", "targets.view", "exclamation-triangle"))
        register_job(
            Job(
                reports.JOB,
                _("Shortfall reports"),
                is_due=reports.is_due,
                period=reports.job_period,
                body=reports.job_body,
                schedule=ScheduleDefault("monthly", day=5, hour=8),
                description=_(
                    "A report per unit for the last complete month or quarter, sent to the unit's managers and the "
                    "lean office."
                ),
                icon="file-earmark-bar-graph",
            )
        )
