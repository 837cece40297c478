from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = _("Lean projects")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from lean.navigation import NavItem, register
        from scheduling.registry import Job
        from scheduling.registry import register as register_job
        from targets import selectors as target_selectors

        from . import reminders
        from .selectors.coverage import attacking, covered, proposed, uncovered

        target_selectors.coverage_register(
            target_selectors.Coverage(uncovered=uncovered, covered=covered, attacking=attacking, proposed=proposed)
        )
        register(NavItem(_("Projects"), "projects-mine", "projects.view", "kanban"))
        register(NavItem(_("Finance sign-off"), "projects-finance", "projects.finance", "cash-coin"))
        register_job(
            Job(
                reminders.JOB,
                _("Reminders"),
                is_due=reminders.is_due,
                period=reminders.job_period,
                body=reminders.job_body,
                takes_period=False,
            )
        )
