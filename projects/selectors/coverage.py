"""Which shortfalls the projects cover (honest coverage).

Rules:
- Only a project that was approved covers: approved, in progress, at its midterm or closing review (live), or
  closed and filed (only within their span). Drafts, submitted, returned, rejected and merged proposals cover
  nothing: a merged proposal's shortfalls moved to the integrated project, which covers them once approved.
- A project's link to a shortfall covers that indicator (by its code, so across the yearly target trees) for
  that unit over the project's span, not just the linked row: a shortfall of the same indicator code and unit
  whose period overlaps the span is covered.
- The span starts at the project's planned start, or when there is none, at its approval; and never later than
  the linked shortfall's own period (the shortfall a project was filed for is always one it attacks).
- The span of a live project has no end: a project still running past its planned end still attacks the
  shortfall. A closed or filed project's span ends on the day it was closed (its planned end when no closing
  is recorded), and never before the end of the linked shortfall's period.

Set-based: one query reads the spans of every covering link (few: one per project and linked shortfall), merged
per indicator code and unit; the caller's query then filters its shortfall rows with them, with no subquery per
row and no query per row. The shortfall list and its badges, the shortfall reports, the dashboard tile and the
dynamic query all use `covered()` / `uncovered()`; the shortfall page asks `covering_projects()`.
"""

import json

from django.db.models import BooleanField, Expression, F, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce, Greatest, Least, TruncDate

from projects.models import ProjectShortfall, State, Transition

LIVE = [State.APPROVED, State.IN_PROGRESS, State.MIDTERM, State.CLOSING]
DONE = [State.CLOSED, State.FILED]
COVERING = LIVE + DONE


def _transition_date(action: str, *, latest: bool):
    """The day (in the active time zone) the project first or last took `action`."""
    when = Transition.objects.filter(project=OuterRef("project_id"), action=action)
    when = when.order_by("-created_at" if latest else "created_at").annotate(day=TruncDate("created_at"))
    return Subquery(when.values("day")[:1])


def covering_links():
    """The links of covering projects, each with the days its span covers, both included: `span_start` and
    `span_end` (which only counts for closed and filed projects)."""
    start = Coalesce("project__planned_start", _transition_date("approve", latest=False))
    end = Coalesce(_transition_date("close", latest=True), "project__planned_end")
    return ProjectShortfall.objects.filter(project__state__in=COVERING).annotate(
        span_start=Least("shortfall__period_start", Coalesce(start, "shortfall__period_start")),
        span_end=Greatest("shortfall__period_start", Coalesce(end, "shortfall__period_start")),
    )


def _covering(code, unit_id, period_start, period_end):
    """The covering links of indicator `code` and unit `unit_id` whose span overlaps the period (values or
    OuterRefs; a period's end is the first day after it)."""
    return covering_links().filter(
        Q(project__state__in=LIVE) | Q(span_end__gte=period_start),
        shortfall__indicator__node__code=code,
        shortfall__unit_id=unit_id,
        span_start__lt=period_end,
    )


def spans() -> dict:
    """(indicator code, unit id) → the merged spans [(first day, last day or None: open)] the covering projects
    cover. One query."""
    found = {}
    rows = covering_links().values_list(
        "shortfall__indicator__node__code", "shortfall__unit_id", "project__state", "span_start", "span_end"
    )
    for code, unit_id, state, start, end in rows:
        found.setdefault((code, unit_id), []).append((start, None if state in LIVE else end))
    return {key: _merge(intervals) for key, intervals in found.items()}


def _merge(intervals):
    merged = []
    for start, end in sorted(intervals, key=lambda i: i[0]):
        if merged and (merged[-1][1] is None or start <= merged[-1][1]):
            last_start, last_end = merged[-1]
            merged[-1] = (last_start, None if last_end is None or end is None else max(last_end, end))
        else:
            merged.append((start, end))
    return merged


class _InSpans(Expression):
    """True when a Shortfall row's indicator code and unit have a span that its period overlaps (a period's end
    is the first day after it). The spans go to the database as one JSON object, "code:unit id" → [[first day,
    last day or null], ...]: each row looks up its own key (a binary search in the object) and checks its few
    spans, in a WHERE clause as in an aggregate's FILTER. One OR term per span (the first version) cost rows ×
    spans, and took minutes for a large tenant's shortfall report and its dashboard tile."""

    output_field = BooleanField()

    def __init__(self, spans_by_key: dict):
        super().__init__()
        self.spans_by_key = spans_by_key
        self.columns = [F("indicator__node__code"), F("unit_id"), F("period_start"), F("period_end")]

    def get_source_expressions(self):
        return self.columns

    def set_source_expressions(self, exprs):
        self.columns = list(exprs)

    def as_sql(self, compiler, connection):
        compiled = [compiler.compile(column) for column in self.columns]
        (code, _p1), (unit, _p2), (start, _p3), (end, _p4) = compiled
        sql = (
            f"EXISTS (SELECT 1 FROM jsonb_array_elements(%s::jsonb -> ({code} || ':' || {unit}::text)) AS span"
            f" WHERE {end} > (span ->> 0)::date AND (span ->> 1 IS NULL OR {start} <= (span ->> 1)::date))"
        )
        params = [param for _sql, column_params in compiled for param in column_params]
        return sql, [json.dumps(self.spans_by_key), *params]


def _covered_expression():
    """The _InSpans expression of the current spans, or None when nothing is covered."""
    spans_by_key = {
        f"{code}:{unit_id}": [[start.isoformat(), end.isoformat() if end else None] for start, end in intervals]
        for (code, unit_id), intervals in spans().items()
    }
    return _InSpans(spans_by_key) if spans_by_key else None


def covered():
    """An expression on Shortfall rows (to annotate or filter): some project covers it."""
    condition = _covered_expression()
    return Value(False, output_field=BooleanField()) if condition is None else condition


def uncovered() -> Q:
    """A filter on Shortfall rows: no project covers it."""
    condition = _covered_expression()
    return Q() if condition is None else ~Q(condition)


def covering_projects(shortfall):
    """The ids of the projects covering `shortfall`, as a subquery."""
    links = _covering(shortfall.indicator.node.code, shortfall.unit_id, shortfall.period_start, shortfall.period_end)
    return links.values("project_id")


def attacking(viewer, shortfall):
    """The projects covering `shortfall` that `viewer` may open (for the shortfall's page)."""
    from projects.selectors import visible_projects

    return visible_projects(viewer).filter(pk__in=covering_projects(shortfall)).order_by("code").distinct()


def proposed(viewer, shortfall):
    """The projects linked to `shortfall` that do not cover it and `viewer` may open: drafts, proposals waiting
    for approval, returned, rejected or merged ones."""
    from projects.selectors import visible_projects

    return (
        visible_projects(viewer)
        .filter(shortfall_links__shortfall=shortfall)
        .exclude(pk__in=covering_projects(shortfall))
        .order_by("code")
        .distinct()
    )
