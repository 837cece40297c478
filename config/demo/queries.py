"""Demo step of the dynamic query (动态查询): a few saved queries of the lean office that show what it answers."""

from insights.models import SavedQuery
from insights.query.services import saved_query_create
from lean.models import Membership, Role
from lean.tenancy import tenant_scope

QUERIES = [
    (
        "2026年各单位目标达成率",
        {"measure": "achievement", "group_by": "unit", "period_from": "2026-01", "period_to": "2026-10"},
    ),
    ("2026年各月短板数", {"measure": "gap", "group_by": "month", "period_from": "2026-01", "period_to": "2026-10"}),
    (
        "各类创新成果积分（2026年）",
        {"measure": "points", "group_by": "type", "period_from": "2026", "period_to": "2026"},
    ),
    ("课题效益按层级", {"measure": "benefits", "group_by": "tier"}),
]


def seed(tenant) -> bool:
    """The saved queries, once; False when the tenant already has saved queries."""
    with tenant_scope(tenant):
        if SavedQuery.objects.exists():
            return False
        office = Membership.objects.filter(roles__contains=[Role.LEAN_OFFICE], active=True).order_by("pk").first()
        if office is None:
            return False
        for name, params in QUERIES:
            saved_query_create(actor=office, name=name, params=params)
    return True
