from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InsightsConfig(AppConfig):
    """The data platform: the dashboard, the dynamic query and its saved queries, the home page's panels and the
    audit log, and the shortfall reports with their scheduled job. It reads every domain app and none reads it."""

    name = "insights"
    verbose_name = _("Insights")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from lean.navigation import NavItem, register
        from scheduling.registry import Job, ScheduleDefault
        from scheduling.registry import register as register_job

        from . import reports
        from .dashboard import rules  # noqa: F401  (registers "dashboard.view")
        from .query import rules as query_rules  # noqa: F401  (registers the query permissions)

        # First after the built-in entries, as before the domain apps' entries.
        register(NavItem(_("Dashboard"), "dashboard", "dashboard.view", "speedometer2"), after="audit")
        register(NavItem(_("Dynamic query"), "query", "query.use", "funnel"), after="dashboard")
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
