"""Reads of the dynamic query: one GROUP BY per query (plus at most one lookup of the groups' names), whatever
the size of the tenant. The scope (a unit subtree) is given by the caller, already narrowed to the viewer."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import F
from django.db.models.functions import Substr
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from innovation.models import ContributionType
from insights.models import SavedQuery
from insights.query import measures as m
from lean import periods
from lean.models import Membership, Role, Unit

PATH_STEP = 11  # one level of a unit path: ten digits and a slash


@dataclass
class QueryRow:
    key: object
    label: str
    value: Decimal | None
    rows: int
    drill_unit: int | None = None  # grouped by unit: the unit to narrow the query to (one level down)


@dataclass
class QueryResult:
    measure: m.Measure
    grouping: str
    rows: list[QueryRow]
    total: Decimal | None
    total_rows: int

    @property
    def group_label(self) -> str:
        return str(m.GROUPING_LABELS[self.grouping])

    @property
    def show_rows(self) -> bool:
        return bool(self.measure.rows_label)

    def headers(self) -> list[str]:
        headers = [self.group_label, str(self.measure.label)]
        if self.show_rows:
            headers.append(str(self.measure.rows_label))
        return headers

    def table(self) -> list[list]:
        """The rows as plain values (for exports), the total last."""
        body = [[row.label, row.value, *([row.rows] if self.show_rows else [])] for row in self.rows]
        body.append([_("Total"), self.total, *([self.total_rows] if self.show_rows else [])])
        return body

    def chart(self) -> dict:
        return {
            "measure": self.measure.key,
            "value_label": str(self.measure.label),
            "group_label": self.group_label,
            "suffix": str(self.measure.suffix),
            "labels": [row.label for row in self.rows],
            "values": [float(row.value) if row.value is not None else None for row in self.rows],
        }


def scope_root_default(*, viewer: Membership) -> Unit | None:
    """Where a viewer's queries start: a unit manager's own unit; for the lean office the top of the tree when
    it has a single top (else the whole tenant, None)."""
    if not viewer.has_role(Role.LEAN_OFFICE):
        return viewer.unit
    tops = list(Unit.objects.filter(parent=None).order_by("path")[:2])
    return tops[0] if len(tops) == 1 else None


def _shown(measure: m.Measure, value) -> Decimal | None:
    if value is None:
        return None
    quantum = Decimal(1).scaleb(-measure.places)
    return (Decimal(value) * measure.scale).quantize(quantum, rounding=ROUND_HALF_UP)


def _period_filter(measure: m.Measure, period_from, period_to) -> dict:
    lookups = {}
    if measure.period_kind == "period":
        if period_from:
            lookups["period_start__gte"] = period_from.start
        if period_to:
            lookups["period_end__lte"] = period_to.end
    elif measure.period_kind == "date":
        if period_from:
            lookups[f"{measure.date_field}__gte"] = period_from.start
        if period_to:
            lookups[f"{measure.date_field}__lt"] = period_to.end
    else:
        if period_from:
            lookups["year__gte"] = period_from.year
        if period_to:
            lookups["year__lte"] = (period_to.end - timedelta(days=1)).year
    return lookups


FILTER_FIELDS = {
    m.FILTER_BRANCH: "indicator__node__branch",
    m.FILTER_SOURCE: "source",
    m.FILTER_TYPE: "type",
    m.FILTER_TIER: "tier",
    m.FILTER_STATE: "state",
}


def query_run(
    *,
    measure: m.Measure,
    grouping: str,
    root: Unit | None,
    period_from: periods.Period | None = None,
    period_to: periods.Period | None = None,
    filters: dict | None = None,
) -> QueryResult:
    """The measure grouped by `grouping` over the subtree of `root` (the whole tenant when None). The grouping
    and the filters must be the measure's own (the form checks it)."""
    if grouping not in measure.groupings:
        raise ValueError(f"{measure.key} cannot be grouped by {grouping}")
    rows = measure.queryset().filter(**_period_filter(measure, period_from, period_to))
    unit_path = f"{measure.unit_field}__path"
    if root is not None:
        rows = rows.filter(**{f"{unit_path}__startswith": root.path})
    for name, value in (filters or {}).items():
        if name not in measure.filters:
            raise ValueError(f"{measure.key} cannot be filtered by {name}")
        if value not in (None, ""):
            rows = rows.filter(**{FILTER_FIELDS[name]: value})
    if grouping == m.UNIT:
        # Each row counts for the unit one level below the root that holds it (or for the root itself).
        depth = len(root.path) if root is not None else 1
        key = Substr(unit_path, 1, depth + PATH_STEP)
    else:
        key = measure.groupings[grouping]
        key = F(key) if isinstance(key, str) else key
    aggregates = measure.value_expression()
    found = list(rows.annotate(key=key).values("key").annotate(**aggregates).values("key", *aggregates))
    groups = [(item["key"], _raw_value(measure, item), item["rows"]) for item in found]
    labelled = _labelled(grouping, groups, root)
    total_rows = sum(item["rows"] for item in found)
    if measure.kind == "average":
        total_sum = sum((item["total"] or 0) for item in found)
        total = total_sum / total_rows if total_rows else None
    else:
        total = sum((item["value"] or 0) for item in found) if found else None
    return QueryResult(
        measure=measure,
        grouping=grouping,
        rows=[
            QueryRow(key, label, _shown(measure, value), count, _drill(grouping, key, root))
            for key, label, value, count in labelled
        ],
        total=_shown(measure, total),
        total_rows=total_rows,
    )


def _drill(grouping: str, key, root: Unit | None) -> int | None:
    if grouping != m.UNIT or not isinstance(key, int) or (root is not None and key == root.pk):
        return None
    return key


def _raw_value(measure: m.Measure, item: dict):
    if measure.kind == "average":
        return item["total"] / item["rows"] if item["rows"] else None
    return item["value"]


def _labelled(grouping: str, groups: list, root: Unit | None) -> list:
    """(key, label, value, rows) per group, in the grouping's natural order. At most one query (unit or type
    names)."""
    if grouping == m.UNIT:
        units = {unit.path: unit for unit in Unit.objects.filter(path__in=[key for key, _v, _r in groups])}
        out = []
        for key, value, count in groups:
            unit = units.get(key)
            name = unit.name if unit else key
            if root is not None and key == root.path:
                name = _("%(unit)s (itself)") % {"unit": name}
            out.append((unit.pk if unit else key, name, value, count, key))
        return [row[:4] for row in sorted(out, key=lambda row: row[4])]
    if grouping in m.PERIOD_GROUPINGS:
        out = []
        for key, value, count in groups:
            start = date(key, 1, 1) if isinstance(key, int) else (key.date() if hasattr(key, "date") else key)
            period = periods.Period(start, grouping)
            out.append((str(period), period.label, value, count, start))
        return [row[:4] for row in sorted(out, key=lambda row: row[4])]
    if grouping == m.TYPE:
        types = ContributionType.objects.in_bulk([key for key, _v, _r in groups])
        out = [
            (key, types[key].name if key in types else str(key), value, count, (types[key].position, key))
            for key, value, count in groups
        ]
        return [row[:4] for row in sorted(out, key=lambda row: row[4])]
    choices = list(m.CHOICE_LABELS[grouping])
    order = {value: index for index, (value, _label) in enumerate(choices)}
    labels = dict(choices)
    out = [(key, str(labels.get(key, key)), value, count) for key, value, count in groups]
    return sorted(out, key=lambda row: order.get(row[0], len(order)))


def saved_query_list():
    """The tenant's saved queries, newest first, with who saved them: one query."""
    return SavedQuery.objects.select_related("created_by__user").order_by("-created_at", "-id")


def saved_query_get(*, saved_query_id: int) -> SavedQuery:
    """A saved query of the current tenant; another tenant's id is "not found"."""
    return get_object_or_404(SavedQuery.objects.select_related("created_by__user"), pk=saved_query_id)
