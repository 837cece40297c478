"""The HR sync of 5,000 employees over HTTP (POST …/api/v1/hr/sync/ with the API key), undone afterwards so that
every run does the same work.

The batch: up to half are existing employees (everyone but the benchmark's own logins) sent with everything as it
is but a new position (an update each), the rest are new employees `BSYNC00001…` spread over the teams. After the
request its effect is taken back in-process: the positions are put back and the new people (memberships and
logins) are deleted. Leftovers of an interrupted run are deleted before the run. The history rows the sync wrote
stay, as they would in production.
"""

import time

import requests
from django.db.models import Q

from lean.models import Membership, Role, Unit, User
from lean.tenancy import tenant_scope

from .server import parse_timing

PREFIX = "BSYNC"
POSITION = "基准测试岗位"  # the change every existing employee gets


def _remove_new(tenant) -> int:
    with tenant_scope(tenant):
        members = Membership.objects.filter(employee_number__startswith=PREFIX)
        user_ids = list(members.values_list("user_id", flat=True))
        removed = members.delete()[0]
        User.objects.filter(pk__in=user_ids).delete()
    return removed


def _batch(tenant, size: int, keep: set[str]) -> tuple[list[dict], dict[int, str]]:
    with tenant_scope(tenant):
        existing = list(
            Membership.objects.select_related("user", "unit")
            .filter(active=True, roles=[Role.EMPLOYEE])
            .exclude(Q(employee_number__in=keep) | Q(employee_number__startswith=PREFIX))
            .order_by("employee_number")[: size // 2]
        )
        teams = list(Unit.objects.filter(active=True, kind=Unit.Kind.TEAM).values_list("code", flat=True))
        teams = teams or list(Unit.objects.filter(active=True).values_list("code", flat=True))
    records = [
        {
            "employee_number": m.employee_number,
            "name": m.user.full_name or m.employee_number,
            "unit_code": m.unit.code,
            "position": POSITION,
            "email": m.email,
            "phone": m.phone,
            "active": True,
        }
        for m in existing
    ]
    records += [
        {
            "employee_number": f"{PREFIX}{i:05d}",
            "name": f"基准员工{i}",
            "unit_code": teams[i % len(teams)],
            "position": "操作员",
            "active": True,
        }
        for i in range(1, size - len(existing) + 1)
    ]
    return records, {m.pk: m.position for m in existing}


def _restore(tenant, positions: dict[int, str]) -> None:
    with tenant_scope(tenant):
        members = list(Membership.objects.filter(pk__in=positions).only("id", "position"))
        for member in members:
            member.position = positions[member.pk]
        Membership.objects.bulk_update(members, ["position"], batch_size=1000)
    _remove_new(tenant)


def run(tenant, base: str, token: str, *, size: int, keep: set[str]) -> dict:
    _remove_new(tenant)
    records, positions = _batch(tenant, size, keep)
    url = f"{base}/t/{tenant.slug}/api/v1/hr/sync/"
    try:
        started = time.perf_counter()
        response = requests.post(
            url, json={"employees": records}, headers={"Authorization": f"Bearer {token}"}, timeout=600
        )
        wall = (time.perf_counter() - started) * 1000
    finally:
        _restore(tenant, positions)
    timing = parse_timing(response.headers.get("Server-Timing"))
    body = response.json() if response.headers.get("Content-Type", "").startswith("application/json") else {}
    return {
        "name": f"HR sync of {len(records):,} employees",
        "status": response.status_code,
        "records": len(records),
        "updates_sent": len(positions),
        "new_sent": len(records) - len(positions),
        "result": body.get("employees", body),
        "wall": wall,
        "server": timing[0] if timing else None,
        "db": timing[1] if timing else None,
        "queries": timing[2] if timing else None,
    }
