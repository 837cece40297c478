"""Per-tenant scheduled jobs. Apps register a job with a rule that says when it is due for a tenant
(from the tenant's own settings), and the dispatcher that beat wakes starts each due job as a task
with the tenant id. Adding a tenant needs no deploy: the dispatcher reads the tenants table each time.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class TenantJob:
    name: str
    task_name: str
    # (tenant, now) -> bool, evaluated inside the tenant's scope
    is_due: Callable[[object, datetime], bool]


JOBS: dict[str, TenantJob] = {}


def register_job(job: TenantJob) -> None:
    JOBS[job.name] = job
