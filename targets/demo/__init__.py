"""Demo target trees for the demo tenants (see config/demo/seed.py). `seed(tenant)` fills a tenant that has no
target tree yet and does nothing otherwise, so it can run on every start."""

from lean.tenancy import tenant_scope
from targets.models import TargetTree

from . import huaxin, lvyuan
from .build import seed_plan

PLANS = {"huaxin": huaxin.PLAN, "lvyuan": lvyuan.PLAN}


def seed(tenant) -> bool:
    """True when the target trees were created now, False when the tenant already had one (or has no plan)."""
    plan = PLANS.get(tenant.slug)
    if plan is None:
        return False
    with tenant_scope(tenant):
        if TargetTree.objects.exists():
            return False
        seed_plan(plan)
    return True
