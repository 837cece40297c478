"""The data platform's own tables: the saved dynamic queries and the shortfall reports. They kept their tables
(lean_savedquery, targets_shortfallreport) when they moved here, so their row-level security policies and history
stayed as they were."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from lean.models import Membership, TenantModel, Unit
from targets.models import PeriodFields


class SavedQuery(TenantModel):
    """A dynamic query (动态查询) kept under a name: its parameters as the query page's form takes them. Visible
    to everyone in the tenant who may use the query page, and shared by its link; whoever opens it sees it
    within their own scope (a unit manager only their units)."""

    name = models.CharField(_("name"), max_length=100)
    params = models.JSONField(_("parameters"), default=dict)
    created_by = models.ForeignKey(
        Membership, on_delete=models.PROTECT, related_name="saved_queries", verbose_name=_("saved by")
    )
    created_at = models.DateTimeField(_("saved"), auto_now_add=True)

    history = HistoricalRecords(table_name="lean_historicalsavedquery")

    class Meta:
        db_table = "lean_savedquery"
        verbose_name = _("saved query")
        verbose_name_plural = _("saved queries")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.name


class ShortfallReport(PeriodFields, TenantModel):
    """A shortfall report (短板报告) of a period: one per unit (its target and benchmark shortfalls, which are new
    since the last report, which no project attacks, and their trend), and the tenant-wide summary for the lean
    office (unit empty). Made by the scheduled job or a manual run, all units of a period in one transaction:
    a period has its reports complete or not at all."""

    unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("unit")
    )
    content = models.JSONField(default=dict)  # the figures as they were when the report was made
    shortfalls = models.PositiveIntegerField(_("shortfalls"), default=0)
    new = models.PositiveIntegerField(_("new since the last report"), default=0)
    uncovered = models.PositiveIntegerField(_("not attacked by a project"), default=0)
    all_on_target = models.BooleanField(_("all on target"), default=False)
    run = models.ForeignKey("scheduling.JobRun", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "targets_shortfallreport"
        verbose_name = _("shortfall report")
        verbose_name_plural = _("shortfall reports")
        ordering = ["-period_start", "unit__path"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "unit", "period_kind", "period_start"],
                condition=models.Q(unit__isnull=False),
                name="shortfall_report_unit_unique",
            ),
            models.UniqueConstraint(
                fields=["tenant", "period_kind", "period_start"],
                condition=models.Q(unit__isnull=True),
                name="shortfall_report_summary_unique",
            ),
        ]

    def __str__(self):
        return f"{self.period} {self.unit or '*'}"
