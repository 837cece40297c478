"""The measures of the dynamic query (动态查询): what each one counts, how it aggregates in the database, and
which groupings and filters make sense for it.

A measure is a row source (a queryset of readings, shortfalls, contributions or projects), an aggregate
expression over it, the field that places a row in a unit, and how a period range and each grouping apply
to its rows. The selector (selectors.py) turns a measure, a grouping and the filters into one GROUP BY.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Case, Count, DecimalField, F, Q, Sum, When
from django.db.models.functions import TruncMonth, TruncQuarter, TruncYear
from django.utils.translation import gettext_lazy as _

from innovation.models import Contribution
from projects.models import BenefitSignoff, Project, State, Tier
from projects.selectors.coverage import uncovered
from targets.models import Branch, Direction, Reading, Shortfall

# Groupings ------------------------------------------------------------------------------------------------

UNIT, BRANCH, MONTH, QUARTER, YEAR = "unit", "branch", "month", "quarter", "year"
TYPE, TIER, STATE, SOURCE = "type", "tier", "state", "source"
PERIOD_GROUPINGS = (MONTH, QUARTER, YEAR)

GROUPINGS = [
    (UNIT, _("Unit")),
    (BRANCH, _("Branch of the target tree")),
    (MONTH, _("Period: month")),
    (QUARTER, _("Period: quarter")),
    (YEAR, _("Period: year")),
    (TYPE, _("Type: contribution type")),
    (TIER, _("Type: project tier")),
    (STATE, _("Type: project state")),
    (SOURCE, _("Type: shortfall source")),
]
GROUPING_LABELS = dict(GROUPINGS)

# Filters beyond the unit and the period range, each applicable to some measures only.
FILTER_BRANCH, FILTER_SOURCE, FILTER_TYPE, FILTER_TIER, FILTER_STATE = (
    "branch",
    "source",
    "contribution_type",
    "tier",
    "state",
)

_DEC = DecimalField(max_digits=30, decimal_places=10)


def _achievement_ratio():
    """A reading's achievement as in targets.services.achievement: actual/target when higher is better,
    target/actual when lower is better; none without a positive target (or a positive actual, lower)."""
    return Case(
        When(indicator__direction=Direction.HIGHER, target__gt=0, then=F("value") * Decimal("1.0") / F("target")),
        When(
            indicator__direction=Direction.LOWER,
            target__gt=0,
            value__gt=0,
            then=F("target") * Decimal("1.0") / F("value"),
        ),
        default=None,
        output_field=_DEC,
    )


@dataclass(frozen=True)
class Measure:
    key: str
    choice: str  # the measure in the form's list, with what it counts
    label: str  # the figure's short name, for the table header and the chart
    help: str  # how it is counted, shown under the form
    model: type
    groupings: dict  # grouping → the expression or field grouped on
    filters: tuple  # which of the extra filters apply
    unit_field: str = "unit"  # the unit a row belongs to
    kind: str = "sum"  # "sum": Sum(value_field); "count": Count(rows); "average": Sum(ratio) / Count(ratio)
    value_field: str = ""
    suffix: str = ""  # shown after figures: "%", "CNY"
    scale: Decimal = Decimal(1)  # the figure as shown = stored × scale (a ratio as a percentage)
    places: int = 2
    period_kind: str = "date"  # "period": period_start/period_end; "date": date_field; "year": an integer year
    date_field: str = ""
    base_filter: Q = field(default_factory=Q)
    rows_label: str = ""  # what the rows behind a figure are ("readings"), when it is not itself a count
    # A filter that needs the tenant scope to be built (a subquery): called when the query runs.
    scoped_filter: object = None

    def queryset(self):
        rows = self.model.objects.filter(self.base_filter)
        if self.scoped_filter is not None:
            rows = rows.filter(self.scoped_filter())
        return rows.order_by()

    def value_expression(self):
        if self.kind == "count":
            return {"value": Count("pk"), "rows": Count("pk")}
        if self.kind == "average":
            ratio = _achievement_ratio()
            return {"total": Sum(ratio), "rows": Count(ratio)}
        return {"value": Sum(self.value_field), "rows": Count("pk")}


def _period_groupings(field_name: str) -> dict:
    return {MONTH: TruncMonth(field_name), QUARTER: TruncQuarter(field_name), YEAR: TruncYear(field_name)}


# A standing finance sign-off (财务核验) of the project: only those benefits count as verified. A project has at
# most one (a unique constraint), so the join repeats no row.
_SIGNED = Q(benefit_signoffs__status=BenefitSignoff.Status.SIGNED)

# The row sources: what the measures over the same rows share (the model, the groupings and filters that apply,
# how a period range applies), and the shapes of figure they share. A measure is these and what is its own.
_READINGS = {
    "model": Reading,
    "groupings": {UNIT: None, BRANCH: "indicator__node__branch", **_period_groupings("period_start")},
    "filters": (FILTER_BRANCH,),
    "period_kind": "period",
}
_OPEN_SHORTFALLS = {
    "model": Shortfall,
    "groupings": {**_READINGS["groupings"], SOURCE: "source"},
    "filters": (FILTER_BRANCH, FILTER_SOURCE),
    "period_kind": "period",
    "base_filter": Q(resolved=False),
}
_PROJECTS = {
    "model": Project,
    "groupings": {UNIT: None, YEAR: "year", TIER: "tier", STATE: "state"},
    "filters": (FILTER_TIER, FILTER_STATE),
    "period_kind": "year",
}
_COUNT = {"kind": "count", "places": 0}
# The verified benefits (CNY) the teams entered for their projects, signed off by finance or not yet.
_BENEFITS = {**_PROJECTS, "value_field": "verified_benefit", "suffix": _("CNY"), "rows_label": _("Projects counted")}

MEASURES = {
    measure.key: measure
    for measure in (
        Measure(
            key="achievement",
            choice=_("Achievement: average target achievement (%)"),
            label=_("Average achievement"),
            help=_(
                "The average, over the readings that have a target, of actual ÷ target (target ÷ actual when lower "
                "is better)."
            ),
            **_READINGS,
            kind="average",
            suffix="%",
            scale=Decimal(100),
            places=1,
            # Only the readings that have an achievement (the same condition as _achievement_ratio's cases).
            base_filter=Q(target__gt=0) & (Q(indicator__direction=Direction.HIGHER) | Q(value__gt=0)),
            rows_label=_("Readings counted"),
        ),
        Measure(
            key="gap",
            choice=_("Gap: number of open shortfalls"),
            label=_("Open shortfalls"),
            help=_(
                "How many indicator shortfalls are still open (not resolved): targets missed and benchmark worst "
                "quartiles. Gaps of different indicators have different units of measure, so they are counted, "
                "not added up."
            ),
            **_OPEN_SHORTFALLS,
            **_COUNT,
        ),
        Measure(
            key="uncovered",
            choice=_("Uncovered: number of open shortfalls no project covers"),
            label=_("Uncovered shortfalls"),
            help=_(
                "How many open shortfalls no approved or running project covers. A project covers the indicator of "
                "the shortfall it is linked to, for that unit, from its planned start (or approval) while it runs, "
                "and until its closing once closed; drafts, proposals waiting for approval, returned, rejected and "
                "merged ones cover nothing."
            ),
            **_OPEN_SHORTFALLS,
            **_COUNT,
            scoped_filter=uncovered,
        ),
        Measure(
            key="points",
            choice=_("Points: innovation points of verified contributions"),
            label=_("Innovation points"),
            help=_("The points of the verified contributions, by the date they happened."),
            model=Contribution,
            groupings={UNIT: None, **_period_groupings("occurred_on"), TYPE: "type"},
            filters=(FILTER_TYPE,),
            value_field="points",
            period_kind="date",
            date_field="occurred_on",
            base_filter=Q(status=Contribution.Status.VERIFIED),
            rows_label=_("Contributions counted"),
        ),
        Measure(
            key="projects",
            choice=_("Projects: number of projects (drafts not counted)"),
            label=_("Projects"),
            help=_("The lean projects filed by the units (every state but draft), by the project's year."),
            **_PROJECTS,
            **_COUNT,
            base_filter=~Q(state=State.DRAFT),
        ),
        Measure(
            key="benefits",
            choice=_("Benefits: verified benefits of projects signed off by finance (CNY)"),
            label=_("Verified benefits"),
            help=_(
                "The sum of the projects' verified benefits in CNY that finance signed off, by the project's year. "
                "The benefits finance has not verified yet are a measure of their own."
            ),
            **_BENEFITS,
            base_filter=Q(verified_benefit__isnull=False) & _SIGNED,
        ),
        Measure(
            key="benefits_unverified",
            choice=_("Benefits: not yet verified by finance (CNY)"),
            label=_("Not yet verified by finance"),
            help=_(
                "The sum of the verified benefits in CNY that the teams entered and finance has not signed off yet, "
                "by the project's year."
            ),
            **_BENEFITS,
            base_filter=Q(verified_benefit__isnull=False) & ~_SIGNED,
        ),
    )
}

MEASURE_CHOICES = [(key, measure.choice) for key, measure in MEASURES.items()]

# Labels of the choice groupings, in their defined order (the table follows it).
CHOICE_LABELS = {
    BRANCH: Branch.choices,
    SOURCE: Shortfall.Source.choices,
    TIER: Tier.choices,
    STATE: State.choices,
}
