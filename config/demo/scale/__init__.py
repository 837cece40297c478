"""Scale data (issue 15): one large tenant and many small ones, reproducible from a seed, all bulk inserted.

The large tenant `scale` (规模测试集团) has HQ and 20 units with 14 teams each (300 units), 30,000 people, five
yearly target trees (2022–2026) of 2,000 indicators each applying to 5 units, with monthly targets, readings
(600,000) and the shortfalls they imply; 60 benchmark indicators against 5 peers; 5,000 projects in every state
with their transitions, teams, shortfall links, reviews, scores and sign-offs; 300,000 contributions with their
credits, 20,000 suggestions and a public listing per month. The small tenants `scale-001` … have HQ, 2 units
with 2 teams, 20 people, a tree of 8 indicators with its readings, 4 projects and 40 contributions. Then ANALYZE,
as autovacuum would have done in production.

Named logins, password PASSWORD (`lean-scale-2026`), in the tenant's login form:
- `SC-LO` lean office at HQ, `SC-FI` finance verifier at HQ, and `SC-M01` … the managers of the units: in every
  tenant;
- in the large tenant, `SC-UM` the manager of unit U07 (and an employee), and `SC-EM` an employee of its first
  team U07-01, with a few hundred credits and places on its projects' teams.

`python manage.py seed_scale [--seed 2026] [--scale 1] [--small-tenants 200]` builds it (`make seed-scale`, on
.data/bench); bench/dashboard.py builds its tenant with the same code. The same seed gives the same data (ids and
the moment of the run aside); the data's calendar ends at AS_OF, whatever the day it is built.

How it stays within minutes: everything runs in one transaction as the tables' owner, with the foreign keys checked
once at the end (base.keys_checked_at_the_end) and the plain indexes of the largest tables built at the end
(base.indexes_built_at_the_end); rows go in through INSERT … SELECT FROM unnest (base.insert_rows), every tenant's
inside its tenant_scope. The tables are locked until it commits: run it on benchmark data, not a live database.
"""

import random
from collections.abc import Callable

from config.demo.scale.base import (
    AS_OF,
    LARGE,
    PASSWORD,
    SMALL,
    Sizes,
    Steps,
    analyze,
    drop_tenant,
    indexes_built_at_the_end,
    keys_checked_at_the_end,
)
from config.demo.scale.innovation import build_innovation
from config.demo.scale.org import EMPLOYEE, FINANCE, MANAGER, OFFICE, build_org
from config.demo.scale.projects import build_projects
from config.demo.scale.trees import build_benchmarks, build_targets
from innovation.models import Contribution, Credit
from lean.models import Membership, Tenant
from lean.services import tenant_create
from lean.tenancy import tenant_scope
from targets.models import IndicatorTarget, IndicatorUnit, Reading, Shortfall

__all__ = [
    "AS_OF",
    "EMPLOYEE",
    "FINANCE",
    "LARGE",
    "MANAGER",
    "OFFICE",
    "PASSWORD",
    "SMALL",
    "Sizes",
    "Steps",
    "analyze",
    "build",
    "build_large",
    "build_tenant",
    "drop_tenant",
    "keys_checked_at_the_end",
]

SLUG, NAME = "scale", "规模测试集团"
SMALL_SLUG = "scale-{:03d}"


def build_tenant(slug: str, name: str, sizes: Sizes, rng: random.Random, steps: Steps) -> Tenant:
    """One tenant of `sizes`, in one transaction (its tenant scope), a step at a time. An earlier one with the
    slug is dropped first."""
    drop_tenant(slug)
    tenant = tenant_create(name=name, slug=slug)
    with tenant_scope(tenant):
        with steps.step("units and people") as made:
            org = build_org(tenant, sizes)
            made.update(units=len(org.units) + 1, people=Membership.objects.count())
        with steps.step("targets") as made:
            indicators, counts = build_targets(tenant, org.units, sizes, rng)
            made.update(counts)
        with steps.step("benchmarks") as made:
            made.update(build_benchmarks(tenant, indicators, sizes, rng))
        with steps.step("projects") as made:
            counts, awards = build_projects(tenant, org, sizes, rng)
            made.update(counts)
        with steps.step("innovation") as made:
            made.update(build_innovation(tenant, org, sizes, rng, awards))
    return tenant


def build_large(slug: str, name: str, sizes: Sizes, rng: random.Random, steps: Steps) -> Tenant:
    """A large tenant: build_tenant with the plain indexes of its largest tables built once at the end."""
    drop_tenant(slug)
    with indexes_built_at_the_end(steps, [IndicatorUnit, IndicatorTarget, Reading, Shortfall, Contribution, Credit]):
        return build_tenant(slug, name, sizes, rng, steps)


def build(*, seed: int = 2026, scale: float = 1.0, small_tenants: int = 200, out: Callable = print) -> Tenant:
    """The large tenant at `scale` and `small_tenants` small ones (earlier ones dropped first, also those beyond
    the number asked for now), then fresh statistics. Prints each step's time and what it made."""
    steps = Steps(out)
    with keys_checked_at_the_end(steps):
        with steps.step("drop the earlier run") as made:
            earlier = Tenant.objects.filter(slug__regex=r"^scale-[0-9]+$").order_by("slug")
            made["tenants"] = sum(drop_tenant(slug) for slug in [SLUG, *earlier.values_list("slug", flat=True)])
        out(f"large tenant {SLUG}:")
        tenant = build_large(SLUG, NAME, LARGE.scaled(scale), random.Random(seed), steps)
        with steps.step(f"{small_tenants} small tenants") as made:
            quiet = Steps(out=lambda line: None)
            for k in range(1, small_tenants + 1):
                name, rng = f"规模测试{k:03d}号公司", random.Random(f"{seed}/{k}")
                build_tenant(SMALL_SLUG.format(k), name, SMALL, rng, quiet)
            made.update(quiet.made)
    with steps.step("analyze"):
        analyze()
    out(f"total {steps.total():.1f} s")
    return tenant
