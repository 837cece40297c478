"""The target tree (目标树): yearly trees of weighted nodes down to indicators, their targets, readings and
the shortfalls (短板) found in them.

Nodes carry a materialised path like units do, so a subtree is one prefix query and the roll-up joins every
node to the indicators below it in one statement (targets/rollup.py).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from lean import periods
from lean.models import Membership, TenantModel, Unit


class Branch(models.TextChoices):
    CORE = "core", _("Core indicators")
    PRIORITY = "priority", _("Annual priorities")
    BUSINESS = "business", _("Main business")
    SUPPORT = "support", _("Back-office support")


class Direction(models.TextChoices):
    HIGHER = "higher", _("Higher is better")
    LOWER = "lower", _("Lower is better")


class Aggregation(models.TextChoices):
    # How the periods of a longer span combine: output adds up over the months, a rate is averaged.
    SUM = "sum", _("Sum over periods")
    AVERAGE = "average", _("Average over periods")


class Frequency(models.TextChoices):
    MONTH = periods.MONTH, _("Monthly")
    QUARTER = periods.QUARTER, _("Quarterly")
    YEAR = periods.YEAR, _("Yearly")


class TargetTree(TenantModel):
    """One year's target tree of a tenant."""

    year = models.PositiveSmallIntegerField(_("year"))
    name = models.CharField(_("name"), max_length=200)
    copied_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("copied from")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("target tree")
        verbose_name_plural = _("target trees")
        ordering = ["-year"]
        constraints = [models.UniqueConstraint(fields=["tenant", "year"], name="target_tree_year_unique")]

    def __str__(self):
        return self.name


class TargetNode(TenantModel):
    """A node of the tree: one of the four branches at the top, goals below, indicators at the leaves."""

    tree = models.ForeignKey(TargetTree, on_delete=models.CASCADE, related_name="nodes", verbose_name=_("tree"))
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children", verbose_name=_("parent")
    )
    branch = models.CharField(_("branch"), max_length=10, choices=Branch.choices)
    code = models.CharField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=200)
    owner_unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="target_nodes", verbose_name=_("owner unit")
    )
    weight = models.DecimalField(_("weight"), max_digits=7, decimal_places=2, default=1)
    description = models.TextField(_("description"), blank=True)
    position = models.PositiveIntegerField(default=0)
    path = models.CharField(max_length=500, editable=False, db_index=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("target node")
        verbose_name_plural = _("target nodes")
        ordering = ["path"]
        constraints = [models.UniqueConstraint(fields=["tenant", "tree", "code"], name="target_node_code_unique")]
        indexes = [models.Index(fields=["tenant", "tree", "path"], name="target_node_tree_path")]

    def __str__(self):
        return f"{self.code} {self.name}"

    @property
    def depth(self):
        return self.path.count("/") - 2

    @property
    def is_indicator(self):
        return hasattr(self, "indicator")


class Indicator(TenantModel):
    """A measurable leaf of the tree (指标)."""

    node = models.OneToOneField(TargetNode, on_delete=models.CASCADE, related_name="indicator", verbose_name=_("node"))
    measure_unit = models.CharField(_("unit of measure"), max_length=40)
    direction = models.CharField(_("direction"), max_length=10, choices=Direction.choices, default=Direction.HIGHER)
    frequency = models.CharField(_("frequency"), max_length=10, choices=Frequency.choices, default=Frequency.MONTH)
    aggregation = models.CharField(
        _("aggregation"), max_length=10, choices=Aggregation.choices, default=Aggregation.AVERAGE
    )
    baseline = models.DecimalField(_("baseline"), max_digits=18, decimal_places=4, null=True, blank=True)
    data_source = models.CharField(_("data source"), max_length=200, blank=True)
    units = models.ManyToManyField(
        Unit, through="IndicatorUnit", related_name="indicators", verbose_name=_("applies to units")
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["node__path"]

    def __str__(self):
        return str(self.node)

    @property
    def name(self):
        return self.node.name

    @property
    def code(self):
        return self.node.code


class IndicatorUnit(TenantModel):
    """A unit an indicator applies to: its readings are entered, and its shortfalls found, for that unit."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="unit_links")
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="indicator_links")

    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "indicator", "unit"], name="indicator_unit_unique"),
        ]


class PeriodFields(models.Model):
    period_kind = models.CharField(_("period kind"), max_length=10, choices=periods.KIND_CHOICES)
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"), editable=False)

    class Meta:
        abstract = True

    @property
    def period(self) -> periods.Period:
        return periods.Period(self.period_start, self.period_kind)

    @period.setter
    def period(self, value: periods.Period):
        self.period_kind, self.period_start, self.period_end = value.kind, value.start, value.end


class IndicatorTarget(PeriodFields, TenantModel):
    """The target of an indicator for one period, for one unit or (unit empty) for every unit."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="targets")
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    value = models.DecimalField(_("target"), max_digits=18, decimal_places=4)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        ordering = ["period_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "indicator", "unit", "period_start"],
                name="indicator_target_unique",
                nulls_distinct=False,
            ),
        ]

    def __str__(self):
        return f"{self.indicator_id} {self.period}: {self.value}"


class Reading(PeriodFields, TenantModel):
    """An actual value of an indicator for one unit and period. Corrections keep the old value in history."""

    class Source(models.TextChoices):
        FORM = "form", _("Form")
        IMPORT = "import", _("Import")
        API = "api", _("API")

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="readings")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="readings", verbose_name=_("unit"))
    value = models.DecimalField(_("actual value"), max_digits=18, decimal_places=4)
    # The target that applies to this reading (the unit's own, else every unit's), kept by the services so the
    # roll-up compares readings with targets without joining the targets table (see shortfall_refresh).
    target = models.DecimalField(_("target"), max_digits=18, decimal_places=4, null=True, editable=False)
    note = models.CharField(_("note"), max_length=300, blank=True)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.FORM)
    entered_by = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("entered by")
    )
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["target"])

    class Meta:
        verbose_name = _("reading")
        verbose_name_plural = _("readings")
        ordering = ["-period_start", "unit__path"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "indicator", "unit", "period_start"], name="reading_unique"),
        ]
        indexes = [models.Index(fields=["tenant", "unit", "period_start"], name="reading_unit_period")]

    def __str__(self):
        return f"{self.indicator_id} {self.unit_id} {self.period}: {self.value}"


class Shortfall(PeriodFields, TenantModel):
    """An indicator that missed its target (or, from benchmarking, sits in the worst quartile) for a unit and
    period. Found by the services whenever readings or targets change; the analysis written on it is never
    lost: a corrected reading that meets the target marks the shortfall resolved instead of deleting it."""

    class Source(models.TextChoices):
        TARGET = "target", _("Target missed")
        BENCHMARK = "benchmark", _("Benchmark worst quartile")

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="shortfalls")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="shortfalls", verbose_name=_("unit"))
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.TARGET)
    actual = models.DecimalField(_("actual value"), max_digits=18, decimal_places=4)
    target = models.DecimalField(_("target"), max_digits=18, decimal_places=4)
    gap = models.DecimalField(_("gap"), max_digits=18, decimal_places=4)
    achievement = models.DecimalField(_("achievement"), max_digits=9, decimal_places=4, null=True)
    resolved = models.BooleanField(_("resolved"), default=False)
    # Whether it is in the annual performance assessment is not kept per row: see Assessment.
    analysis = models.TextField(_("analysis"), blank=True)
    actions = models.TextField(_("improvement actions"), blank=True)
    analysed_by = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("analysed by")
    )
    found_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("shortfall")
        verbose_name_plural = _("shortfalls")
        ordering = ["-period_start", "unit__path", "indicator__node__path"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "indicator", "unit", "period_start", "source"], name="shortfall_unique"
            ),
        ]
        indexes = [models.Index(fields=["tenant", "period_start", "resolved"], name="shortfall_period")]

    def __str__(self):
        return f"{self.indicator} · {self.unit} · {self.period}"


class Assessment(TenantModel):
    """纳入年度绩效考核: the lean office puts an indicator of a unit into the unit's performance assessment of a
    year. Every shortfall of that indicator and unit in that year shows as assessed. The indicator is kept by its
    code (as benchmarking keeps it), so the record follows the indicator across the yearly target trees. Taking
    it out of the assessment deletes the record; the history keeps who put it in, who took it out, and when."""

    indicator_code = models.CharField(_("indicator code"), max_length=40)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    year = models.PositiveSmallIntegerField(_("year"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    assessed_by = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("by")
    )
    assessed_at = models.DateTimeField(_("assessed at"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        ordering = ["-year", "unit__path", "indicator_code"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "indicator_code", "unit", "year"], name="assessment_unique"),
        ]
        indexes = [models.Index(fields=["tenant", "year"], name="assessment_year")]

    def __str__(self):
        return f"{self.indicator_code} · {self.unit_id} · {self.year}"


class ReadingImport(TenantModel):
    """An uploaded readings file between its preview and its confirmation: the checked rows wait here."""

    class Status(models.TextChoices):
        PREVIEW = "preview", _("Waiting for confirmation")
        IMPORTED = "imported", _("Imported")
        CANCELLED = "cancelled", _("Cancelled")

    uploaded_by = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="+")
    file_name = models.CharField(_("file"), max_length=200)
    rows = models.JSONField(default=list)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PREVIEW)
    created_at = models.DateTimeField(auto_now_add=True)
    imported_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords(excluded_fields=["rows"])

    class Meta:
        verbose_name = _("readings import")
        ordering = ["-created_at"]

    def __str__(self):
        return self.file_name
