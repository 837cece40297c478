"""Benchmarking (对标): indicators compared across units and outside peers, their values, the proposals of units
to benchmark their own indicators (自主提出), and the practices learned from better peers (数据对标→管理对标).

A benchmark indicator is keyed by the target tree's indicator code, not by one year's tree node, so its
history runs across years: the units' values are their readings of the indicator with that code in any year's
tree (no re-entry); only outside peers' values are entered here.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from lean.models import Membership, TenantModel, Unit
from targets.models import Aggregation, Direction, Frequency, Indicator, PeriodFields


class BenchmarkIndicator(TenantModel):
    class Origin(models.TextChoices):
        SHORTFALL = "shortfall", _("From a shortfall")
        PROPOSAL = "proposal", _("Proposed by a unit")
        LEAN_OFFICE = "lean_office", _("Chosen by the lean office")

    code = models.CharField(_("indicator code"), max_length=40)
    name = models.CharField(_("name"), max_length=200)
    measure_unit = models.CharField(_("unit of measure"), max_length=40)
    direction = models.CharField(_("direction"), max_length=10, choices=Direction.choices)
    aggregation = models.CharField(_("aggregation"), max_length=10, choices=Aggregation.choices)
    frequency = models.CharField(_("compared per"), max_length=10, choices=Frequency.choices, default=Frequency.QUARTER)
    indicator = models.ForeignKey(
        Indicator, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("indicator")
    )
    origin = models.CharField(_("origin"), max_length=12, choices=Origin.choices, default=Origin.LEAN_OFFICE)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("benchmark indicator")
        verbose_name_plural = _("benchmark indicators")
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["tenant", "code"], name="benchmark_indicator_code_unique")]

    def __str__(self):
        return f"{self.code} {self.name}"


class Peer(TenantModel):
    """An outside enterprise or an industry figure (对标对象). Internal peers are the tenant's own units."""

    class Kind(models.TextChoices):
        ENTERPRISE = "enterprise", _("Enterprise")
        INDUSTRY = "industry", _("Industry figure")

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.ENTERPRISE)
    description = models.TextField(_("description"), blank=True)
    active = models.BooleanField(_("active"), default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("peer")
        verbose_name_plural = _("peers")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["tenant", "name"], name="peer_name_unique")]

    def __str__(self):
        return self.name


class Confidence(models.TextChoices):
    HIGH = "high", _("High")
    MEDIUM = "medium", _("Medium")
    LOW = "low", _("Low")


class PeerValue(PeriodFields, TenantModel):
    """An outside peer's figure for one benchmark indicator and period, with where it comes from."""

    benchmark = models.ForeignKey(BenchmarkIndicator, on_delete=models.CASCADE, related_name="peer_values")
    peer = models.ForeignKey(Peer, on_delete=models.CASCADE, related_name="values", verbose_name=_("peer"))
    value = models.DecimalField(_("value"), max_digits=18, decimal_places=4)
    source = models.CharField(_("source"), max_length=200)
    source_date = models.DateField(_("date of the figure"), null=True, blank=True)
    confidence = models.CharField(_("confidence"), max_length=10, choices=Confidence.choices, default=Confidence.MEDIUM)
    entered_by = models.ForeignKey(Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("peer value")
        verbose_name_plural = _("peer values")
        ordering = ["-period_start", "peer__name"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "benchmark", "peer", "period_start"], name="peer_value_unique"),
        ]

    def __str__(self):
        return f"{self.peer_id} {self.period}: {self.value}"


class Proposal(TenantModel):
    """A unit proposes one of its own indicators for benchmarking (自主提出); the lean office decides."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for a decision")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="+", verbose_name=_("indicator"))
    reason = models.TextField(_("why benchmark it"))
    suggested_peers = models.CharField(_("suggested peers"), max_length=300, blank=True)
    proposed_by = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(_("reason for the decision"), blank=True)
    benchmark = models.ForeignKey(
        BenchmarkIndicator, null=True, blank=True, on_delete=models.SET_NULL, related_name="proposals"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("benchmark proposal")
        verbose_name_plural = _("benchmark proposals")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.unit_id} {self.indicator_id} ({self.status})"


class Practice(TenantModel):
    """What a better peer does (管理对标): learned for one benchmark indicator by one unit."""

    benchmark = models.ForeignKey(BenchmarkIndicator, on_delete=models.CASCADE, related_name="practices")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("learning unit"))
    peer = models.ForeignKey(
        Peer, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("outside peer")
    )
    peer_unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("internal peer")
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("what they do"))
    source = models.CharField(_("source"), max_length=200, blank=True)
    met_on = models.DateField(_("visit or meeting date"), null=True, blank=True)
    recorded_by = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("learned practice")
        verbose_name_plural = _("learned practices")
        ordering = ["-created_at"]

    def __str__(self):
        return self.title
