"""The data platform's own table: the saved dynamic queries. It kept its table (lean_savedquery) when it moved here
from lean, so its row-level security policy and history stayed as they were."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from lean.models import Membership, TenantModel


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
