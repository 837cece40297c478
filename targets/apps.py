from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TargetsConfig(AppConfig):
    name = "targets"
    verbose_name = _("Target tree")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from lean import jobs
        from lean.navigation import NavItem, register
        from lean.scheduling import TenantJob, register_job

        from . import reports

        register(NavItem(_("Target tree"), "targets-tree", "targets.view", "diagram-3-fill"))
        register(NavItem(_("Shortfalls"), "targets-shortfalls", "targets.view", "exclamation-triangle"))
        register_job(TenantJob(jobs.SHORTFALL_REPORT, "targets.shortfall_report_job", reports.is_due))
        jobs.job_body_register(jobs.SHORTFALL_REPORT, period=reports.job_period, body=reports.job_body)
