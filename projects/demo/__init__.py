"""Demo projects for the demo tenants (see config/demo/seed.py). `seed(tenant)` fills a tenant that has its target
tree and no project (nor guide) yet, and does nothing otherwise, so it can run on every start."""

from django.utils import translation

from lean.tenancy import tenant_scope
from projects.models import Guide, Project
from targets.models import TargetTree

from . import huaxin, lvyuan
from .build import seed_plan

PLANS = {"huaxin": huaxin.PLAN, "lvyuan": lvyuan.PLAN}


def seed(tenant) -> bool:
    """True when the projects were created now, False when the tenant already had some (or has no plan, or no
    target tree of the plan's year)."""
    plan = PLANS.get(tenant.slug)
    if plan is None:
        return False
    # The notifications and timelines the services write are in the tenant's language, as in real use.
    with tenant_scope(tenant), translation.override(tenant.default_language):
        if Project.objects.exists() or Guide.objects.exists():
            return False
        if not TargetTree.objects.filter(year=plan.year).exists():
            return False
        seed_plan(plan, tenant)
    return True
