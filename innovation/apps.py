from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

ARCHIVE_TABLES = [
    "innovation_credit",
    "innovation_contribution",
    "innovation_contributiontype",
    "innovation_listing",
    "innovation_incentive",
    "innovation_studio",
    "lean_membership",
    "lean_user",
    "lean_unit",
    "lean_tenant",
]


class InnovationConfig(AppConfig):
    name = "innovation"
    verbose_name = _("Employee innovation")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db.models.signals import post_save

        from lean import versioned_cache
        from lean.models import Tenant
        from lean.navigation import NavItem, register
        from projects.signals import project_closed
        from scheduling.registry import Job, ScheduleDefault
        from scheduling.registry import register as register_job

        from . import jobs as listing_jobs
        from .handlers import award_closed_project, set_up_new_tenant

        # A person's archive over the API (innovation/apis/archives.py): every table its answer reads.
        versioned_cache.watch("innovation.archive", tables=ARCHIVE_TABLES)
        project_closed.connect(award_closed_project, dispatch_uid="innovation-award-closed-project")
        post_save.connect(set_up_new_tenant, sender=Tenant, dispatch_uid="innovation-set-up-tenant")
        register(NavItem(_("Employee innovation"), "innovation-archive", "innovation.view", "award"))
        register_job(
            Job(
                listing_jobs.JOB,
                _("Public innovation listings"),
                is_due=listing_jobs.is_due,
                period=listing_jobs.job_period,
                body=listing_jobs.job_body,
                schedule=ScheduleDefault("quarterly", day=10, hour=9),
                description=_(
                    "The verified contributions not yet listed are opened for objections; when the window closes "
                    "with no open objection, the listing is finalized."
                ),
                icon="megaphone",
                settings_link="innovation-settings",
                settings_perm="innovation.listing.manage",
            )
        )
