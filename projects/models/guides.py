"""The yearly improvement guide (《精益改善指引》): the guide of a year and its topic directions, each with the target
tree nodes it comes from."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from lean.models import Membership, TenantModel
from targets.models import Shortfall, TargetNode


class Guide(TenantModel):
    """《精益改善指引》 of one year: topic directions for the year's projects. Read-only once published."""

    year = models.PositiveSmallIntegerField(_("year"))
    title = models.CharField(_("title"), max_length=200)
    introduction = models.TextField(_("introduction"), blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    published_by = models.ForeignKey(Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("improvement guide")
        verbose_name_plural = _("improvement guides")
        ordering = ["-year"]
        constraints = [models.UniqueConstraint(fields=["tenant", "year"], name="guide_year_unique")]

    def __str__(self):
        return self.title

    @property
    def is_published(self):
        return self.published_at is not None


class Direction(TenantModel):
    """A topic direction of the guide, drawn from annual priorities and key shortfall indicators."""

    guide = models.ForeignKey(Guide, on_delete=models.CASCADE, related_name="directions", verbose_name=_("guide"))
    code = models.CharField(_("code"), max_length=20)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"))
    requirements = models.TextField(_("requirements"), blank=True)
    sources = models.ManyToManyField(
        TargetNode, through="DirectionSource", related_name="+", verbose_name=_("comes from")
    )
    from_shortfall = models.ForeignKey(
        Shortfall, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("from shortfall")
    )
    position = models.PositiveIntegerField(default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("guide direction")
        verbose_name_plural = _("guide directions")
        ordering = ["position", "code"]
        constraints = [models.UniqueConstraint(fields=["tenant", "guide", "code"], name="direction_code_unique")]

    def __str__(self):
        return f"{self.code} {self.title}"


class DirectionSource(TenantModel):
    """An annual-priority node or a shortfall indicator's node a direction comes from."""

    direction = models.ForeignKey(Direction, on_delete=models.CASCADE, related_name="source_links")
    node = models.ForeignKey(TargetNode, on_delete=models.CASCADE, related_name="+")

    history = HistoricalRecords()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant", "direction", "node"], name="direction_source_unique")]

    def __str__(self):
        return f"{self.direction_id} ← {self.node_id}"
