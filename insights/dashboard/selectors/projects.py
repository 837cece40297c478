"""The projects' tiles: the funnel of the year's projects by state and tier with the average days spent in each
state, and the verified benefits of the closed and filed projects (only what finance signed off), all within the
member's portfolio narrowed to the scope."""

from decimal import Decimal

from django.db import connection
from django.db.models import Count, F, Q, Sum, Window
from django.db.models.functions import Coalesce, Lag

from insights.dashboard.scope import Scope
from lean.models import Membership, Unit
from projects.finance import signed_q
from projects.models import State, Tier, Transition
from projects.selectors.portfolio import portfolio_filter, portfolio_scope
from projects.workflow import BOARD

from .rows import ZERO, _fold, _key

BENEFIT_STATES = (State.CLOSED, State.FILED)  # verified benefits count once a project is closed and released


FUNNEL_STATES = [*BOARD, State.REJECTED, State.MERGED]  # the board's lifecycle order, then the dead ends


def scope_projects(member: Membership, scope: Scope):
    """The projects of the scope: the member's portfolio (projects.selectors.portfolio.portfolio_scope), narrowed to the
    scope's unit like the portfolio table's unit filter does."""
    return portfolio_filter(portfolio_scope(member), unit=scope.unit)


_STAGE_SQL = """
SELECT from_state, AVG(EXTRACT(EPOCH FROM (created_at - entered))) / 86400.0 AS days, COUNT(*) AS n
FROM ({inner}) AS t
GROUP BY from_state
"""


def project_funnel(member: Membership, scope: Scope) -> dict:
    """The year's projects by state and tier, and the average days spent in each state (from entering it to
    the transition out of it, over the transitions of those projects). Two queries."""
    projects = scope_projects(member, scope).filter(year=scope.year)
    counts = {
        (row["state"], row["tier"]): row["n"]
        for row in projects.order_by().values("state", "tier").annotate(n=Count("id"))
    }
    transitions = (
        Transition.objects.filter(project__in=projects.values("pk"))
        .annotate(
            entered=Coalesce(
                Window(Lag("created_at"), partition_by=[F("project_id")], order_by=[F("created_at"), F("id")]),
                F("project__created_at"),
            )
        )
        .values("from_state", "created_at", "entered")
        .order_by()
    )
    inner, params = transitions.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(_STAGE_SQL.format(inner=inner), params)
        days = {state: (Decimal(str(round(d, 1))), n) for state, d, n in cursor.fetchall()}
    labels = dict(State.choices)
    rows = [
        {
            "state": state,
            "label": labels[state],
            "hq": counts.get((state, Tier.HQ), 0),
            "unit": counts.get((state, Tier.UNIT), 0),
            "days": days.get(state, (None, 0))[0],
            "left": days.get(state, (None, 0))[1],
        }
        for state in FUNNEL_STATES
    ]
    for row in rows:
        row["total"] = row["hq"] + row["unit"]
    return {"rows": rows, "total": sum(row["total"] for row in rows)}


def verified_benefits(member: Membership, scope: Scope, units: list[Unit]) -> dict:
    """Verified benefits (CNY) to date of the closed and filed projects, per unit and state. Only the benefits
    finance signed off (财务核验) count; the others — above all those of projects in their closing review, which
    cannot close before the sign-off — are summed apart as not yet verified by finance. One query."""
    signed = Q(signed=True)
    rows = list(
        scope_projects(member, scope)
        .filter(state__in=[*BENEFIT_STATES, State.CLOSING])
        .annotate(key=_key("unit__path", scope), signed=signed_q())
        .values("key", "state")
        .annotate(
            n=Count("id"),
            benefit=Sum("verified_benefit", filter=signed, default=ZERO),
            pending_n=Count("id", filter=~signed & Q(verified_benefit__isnull=False)),
            pending=Sum("verified_benefit", filter=~signed, default=ZERO),
        )
        .order_by()
    )
    grouped: dict = {}
    for row in rows:
        bucket = grouped.setdefault(row["key"], {"key": row["key"], "pending": ZERO})
        if row["state"] in BENEFIT_STATES:
            bucket[row["state"]] = {"n": row["n"], "benefit": row["benefit"]}
        bucket["pending"] += row["pending"]
    by_state = {
        state: {
            "n": sum(r["n"] for r in rows if r["state"] == state),
            "benefit": sum((r["benefit"] for r in rows if r["state"] == state), ZERO),
        }
        for state in BENEFIT_STATES
    }
    return {
        "rows": _fold(list(grouped.values()), units, scope),
        "by_state": by_state,
        "total": sum((s["benefit"] for s in by_state.values()), ZERO),
        "projects": sum(s["n"] for s in by_state.values()),
        "pending": sum((r["pending"] for r in rows), ZERO),
        "pending_projects": sum(r["pending_n"] for r in rows),
    }
