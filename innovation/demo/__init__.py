"""Demo innovation data for the demo tenants (see config/demo/seed.py). `seed(tenant)` fills a tenant that has its
people and no contribution yet (but those of its closed projects, which the projects demo may already have
made), and does nothing otherwise, so it can run on every start."""

from django.utils import translation

from lean.models import Membership
from lean.tenancy import tenant_scope

from ..models import Contribution
from . import huaxin, lvyuan
from .build import seed_plan

PLANS = {"huaxin": huaxin.PLAN, "lvyuan": lvyuan.PLAN}


def seed(tenant) -> bool:
    """True when the innovation data was created now, False when the tenant already had contributions of its
    own (or has no plan, or not its demo people)."""
    plan = PLANS.get(tenant.slug)
    if plan is None:
        return False
    # Notes, notifications and history in the tenant's language, as in real use.
    with tenant_scope(tenant), translation.override(tenant.default_language):
        if Contribution.objects.filter(project__isnull=True).exists():
            return False
        if not Membership.objects.filter(employee_number=plan.lean_office).exists():
            return False
        seed_plan(plan, tenant)
    return True
