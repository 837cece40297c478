"""Demo benchmarking for the demo tenants (see config/demo/seed.py). `seed(tenant)` fills a tenant that has its
target trees and no benchmark indicator yet, and does nothing otherwise, so it can run on every start."""

from benchmarking.models import BenchmarkIndicator
from lean.tenancy import tenant_scope
from targets.models import TargetTree

from . import huaxin, lvyuan
from .build import seed_plan

PLANS = {"huaxin": huaxin.PLAN, "lvyuan": lvyuan.PLAN}


def seed(tenant) -> bool:
    """True when the benchmarking was created now, False when the tenant already had some (or has no plan, or
    no target tree to benchmark)."""
    plan = PLANS.get(tenant.slug)
    if plan is None:
        return False
    with tenant_scope(tenant):
        if BenchmarkIndicator.objects.exists() or not TargetTree.objects.filter(year=plan.year).exists():
            return False
        seed_plan(plan)
    return True
