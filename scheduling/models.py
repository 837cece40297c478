"""The scheduled jobs' tables: when each runs for the tenant, and every run. They kept their tables (lean_*) when
they moved here from lean, so their row-level security policies and history stayed as they were."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from lean.models import Membership, TenantModel


class Cadence(models.TextChoices):
    OFF = "off", _("Off")
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")


class Schedule(TenantModel):
    """When one of the tenant's scheduled jobs runs, in the tenant's time zone: every month or quarter, on a day
    (1–28, so every month has it) at an hour. One row per tenant and job, made with the job's default when first
    read; a job that runs on its own clock (the daily reminders) has none."""

    Cadence = Cadence

    job = models.CharField(_("job"), max_length=40)
    cadence = models.CharField(_("cadence"), max_length=10, choices=Cadence.choices, default=Cadence.MONTHLY)
    day = models.PositiveSmallIntegerField(_("on day"), default=1)
    hour = models.PositiveSmallIntegerField(_("at hour"), default=8)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("job schedule")
        verbose_name_plural = _("job schedules")
        ordering = ["job"]
        constraints = [models.UniqueConstraint(fields=["tenant", "job"], name="schedule_one_per_job")]

    def __str__(self):
        return self.job


class JobRun(TenantModel):
    """One run of a scheduled or manual job for the tenant: started, finished or failed with the error."""

    class Status(models.TextChoices):
        STARTED = "started", _("Running")
        FINISHED = "finished", _("Finished")
        FAILED = "failed", _("Failed")

    job = models.CharField(_("job"), max_length=40)
    period = models.CharField(_("period"), max_length=20, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.STARTED)
    manual = models.BooleanField(_("run by hand"), default=False)
    triggered_by = models.ForeignKey(Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    started_at = models.DateTimeField(_("started"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    result = models.JSONField(default=dict)

    class Meta:
        db_table = "lean_jobrun"
        verbose_name = _("job run")
        verbose_name_plural = _("job runs")
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["tenant", "job", "started_at"], name="job_run_job_date")]

    def __str__(self):
        return f"{self.job} {self.period}"
