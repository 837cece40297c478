"""The merged, paged query of the audit log: one UNION ALL over every source of a kind (the history tables and the
append-only logs), filtered by person and by the tenant's local days, newest first; `audit_filtered` is the page's
and the API's one entry point."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import models
from django.db.models import F, Value

from lean.models import Membership, Tenant
from lean.tenancy import current_tenant
from projects.workflow import ACTIONS

from .sources import SOURCES, Source


def _decisions():
    return [name for name, action in ACTIONS.items() if action.who != "applicant"]


def _branch(source: Source, *, tenant: Tenant, user_ids, since, until):
    """The source's rows as (src, row id, at, history type, user id, object id), filtered."""
    table = source.table
    if source.log:
        at, user, obj = "created_at", "actor__user_id", "project_id"
        if source.model == "lean.AuditEvent":
            at, obj = "at", "tenant_id"
        rows = table._default_manager.filter(tenant=tenant)
        if source.key == "transition":
            rows = rows.filter(action__in=_decisions())
        elif source.key == "tenant_settings":
            rows = rows.filter(kind="tenant.settings")
        columns = {
            "a_id": F("pk"),
            "a_at": F(at),
            "a_type": Value("~", output_field=models.CharField()),
            "a_user": F(user),
            "a_obj": F(obj),
        }
    else:
        at = "history_date"
        rows = table._default_manager.filter(tenant=tenant)
        columns = {
            "a_id": F("history_id"),
            "a_at": F(at),
            "a_type": F("history_type"),
            "a_user": F("history_user_id"),
            "a_obj": F("id"),
        }
    if user_ids is not None:
        rows = rows.filter(**{f"{'actor__user_id' if source.log else 'history_user_id'}__in": user_ids})
    if since is not None:
        rows = rows.filter(**{f"{at}__gte": since})
    if until is not None:
        rows = rows.filter(**{f"{at}__lt": until})
    return rows.annotate(a_src=Value(source.key, output_field=models.CharField()), **columns).values(
        "a_src", "a_id", "a_at", "a_type", "a_user", "a_obj"
    )


def day_bounds(tenant: Tenant, date_from, date_to):
    """The tenant-local days [from, to] as aware datetimes [since, until)."""
    zone = ZoneInfo(tenant.time_zone)
    since = datetime.combine(date_from, time.min, zone) if date_from else None
    until = datetime.combine(date_to + timedelta(days=1), time.min, zone) if date_to else None
    return since, until


def audit_entries(*, tenant: Tenant, kind: str = "", user_ids=None, since=None, until=None):
    """The merged rows of every source of `kind` (all when empty), newest first: a queryset to page."""
    sources = [s for s in SOURCES if not kind or s.kind == kind]
    branches = [_branch(s, tenant=tenant, user_ids=user_ids, since=since, until=until) for s in sources]
    first, *rest = branches
    merged = first.union(*rest, all=True) if rest else first
    return merged.order_by("-a_at", "-a_src", "-a_id")


def person_user_ids(*, employee_number: str):
    """The users behind an employee number of the tenant (a person filter); [] when nobody has it."""
    return list(Membership.objects.filter(employee_number=employee_number.strip()).values_list("user_id", flat=True))


def audit_filtered(*, kind: str = "", person: str = "", date_from=None, date_to=None):
    """The page's and the API's one entry point: the current tenant's merged rows for the filters as the form
    cleans them."""
    tenant = current_tenant()
    user_ids = person_user_ids(employee_number=person) if person else None
    since, until = day_bounds(tenant, date_from, date_to)
    return audit_entries(tenant=tenant, kind=kind, user_ids=user_ids, since=since, until=until)
