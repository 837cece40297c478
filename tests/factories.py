"""Test data built through the services, the way the product builds it."""

import csv
import io
from dataclasses import dataclass, field
from itertools import count

from django.core.files.uploadedfile import SimpleUploadedFile

from lean.models import Membership, Role, Tenant, Unit, User
from lean.services import member_create, tenant_create, unit_create
from lean.tenancy import tenant_scope

PASSWORD = "test-pass-2026"
_seq = count(1)


@dataclass
class TenantSet:
    """A tenant with HQ, a unit with a team, and one member per role."""

    tenant: Tenant
    hq: Unit
    unit: Unit
    team: Unit
    lean_office: Membership
    manager: Membership
    reviewer: Membership
    employee: Membership
    extra: dict = field(default_factory=dict)

    def members(self):
        return [self.lean_office, self.manager, self.reviewer, self.employee]


def make_user(name: str = "") -> User:
    n = next(_seq)
    user = User(username=f"user{n}", full_name=name or f"测试用户{n}")
    user.set_password(PASSWORD)
    user.save()
    return user


def make_member(unit: Unit, roles, number: str | None = None, user: User | None = None, name: str = "") -> Membership:
    return member_create(
        user=user or make_user(name),
        unit=unit,
        employee_number=number or f"E{next(_seq):05d}",
        roles=roles,
        position="工程师",
    )


def make_tenant_set(slug: str, name: str) -> TenantSet:
    tenant = tenant_create(name=name, slug=slug)
    with tenant_scope(tenant):
        hq = unit_create(name=f"{name}总部", code="HQ", kind=Unit.Kind.HQ)
        unit = unit_create(name=f"{name}一分公司", code="U1", parent=hq)
        team = unit_create(name=f"{name}一班组", code="U1-T1", kind=Unit.Kind.TEAM, parent=unit)
        return TenantSet(
            tenant=tenant,
            hq=hq,
            unit=unit,
            team=team,
            lean_office=make_member(hq, [Role.LEAN_OFFICE, Role.EMPLOYEE], number=f"{slug.upper()}-LO"),
            manager=make_member(unit, [Role.UNIT_MANAGER, Role.EMPLOYEE], number=f"{slug.upper()}-UM"),
            reviewer=make_member(hq, [Role.REVIEWER], number=f"{slug.upper()}-RV"),
            employee=make_member(team, [Role.EMPLOYEE], number=f"{slug.upper()}-EM"),
        )


def analyze() -> None:
    """Fresh statistics after a bulk insert, as autovacuum would have in production (rows of the test's own
    transaction count): without them the planner takes the just-filled tables for empty ones."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def populate(tenant_set: TenantSet) -> TenantSet:
    """Give the tenant a little of every app's data, so it has a row in every tenant table."""
    from tests.benchmarking.factories import make_benchmarking
    from tests.innovation.factories import make_innovation
    from tests.projects.factories import make_projects
    from tests.targets.factories import make_targets

    with tenant_scope(tenant_set.tenant):
        make_targets(tenant_set)
        make_benchmarking(tenant_set)
        make_projects(tenant_set)
        make_innovation(tenant_set)
        make_integrations(tenant_set)
        make_channels(tenant_set)
        make_saved_query(tenant_set)
        make_jobs(tenant_set)
        make_sso(tenant_set)
        make_settings_change(tenant_set)
    return tenant_set


def make_settings_change(ts) -> None:
    """Rankings switched on and off again by the lean office (a row in the audit events; the setting stays off)."""
    from lean.services import tenant_settings_update

    tenant_settings_update(actor=ts.lean_office, ranking_enabled=True)
    tenant_settings_update(actor=ts.lean_office, ranking_enabled=False)


def make_jobs(ts) -> None:
    """The job schedules (their creation is their first history row), and a run of the shortfall report job for a
    month long past, with its reports (a row in each jobs table)."""
    from scheduling import services as jobs

    jobs.schedules()
    run = jobs.run_job(job="shortfall_report", tenant=ts.tenant, period="2020-01", actor=ts.lean_office)
    assert run.status == run.Status.FINISHED, run.error
    ts.extra.update(job_run=run)


def make_saved_query(ts) -> None:
    """A saved dynamic query of the lean office (a row in the saved-query tables)."""
    from insights.query.services import saved_query_create

    saved = saved_query_create(
        actor=ts.lean_office, name="各单位目标达成率", params={"measure": "achievement", "group_by": "unit"}
    )
    ts.extra.update(saved_query=saved)


def make_channels(ts) -> None:
    """A WeCom group robot (paused: the tests' notifications post nothing) with one logged delivery."""
    from lean.channels.services import channel_create, channel_set_active
    from lean.models import ChannelDelivery

    channel = channel_create(
        actor=ts.lean_office, kind="wecom", name="精益群", webhook_url="http://127.0.0.1:9/send?key=k"
    )
    channel_set_active(actor=ts.lean_office, channel=channel, active=False)
    ChannelDelivery.objects.create(tenant=ts.tenant, channel=channel, title="测试")
    ts.extra.update(channel=channel)


def make_integrations(ts) -> None:
    """An API key, a webhook endpoint with one delivery, and an idempotency record (a row in each table)."""
    from integrations.models import IdempotencyRecord, WebhookDelivery, WebhookEvent
    from integrations.webhooks import endpoint_create
    from lean.apikeys import api_key_create
    from lean.models import ApiScope

    key, token = api_key_create(actor=ts.lean_office, name="HR", scopes=ApiScope.values)
    endpoint = endpoint_create(actor=ts.lean_office, url="http://127.0.0.1:9/hook", events=WebhookEvent.values)
    WebhookDelivery.objects.create(
        tenant=ts.tenant, endpoint=endpoint, event=WebhookEvent.LISTING_FINALIZED, event_id="e-1", payload={}
    )
    IdempotencyRecord.objects.create(
        tenant=ts.tenant, key="k-1", api_key=key, request_hash="0" * 64, status=200, body={}
    )
    ts.extra.update(api_key=key, token=token, endpoint=endpoint)


def make_sso(ts) -> None:
    """Single sign-on settings, filled in and off (a row in the SSO tables; its pages answer 404 while off)."""
    from lean.sso import sso_settings_update

    sso = sso_settings_update(
        actor=ts.lean_office,
        enabled=False,
        button_label="统一认证",
        issuer="https://sso.example.com/realms/lean",
        client_id=f"lean-{ts.tenant.slug}",
        client_secret="s3cret-of-the-fixture",
        scopes="openid profile",
        employee_number_claim="employee_number",
    )
    ts.extra.update(sso=sso)


def csv_upload(rows, header, name: str, encoding: str = "utf-8-sig") -> SimpleUploadedFile:
    """An uploaded CSV file as Excel saves it (with the BOM unless another `encoding` is named); no header row
    when `header` is empty."""
    out = io.StringIO()
    writer = csv.writer(out)
    if header:
        writer.writerow(header)
    writer.writerows(rows)
    return SimpleUploadedFile(name, out.getvalue().encode(encoding), content_type="text/csv")


def xlsx_upload(rows, header, name: str) -> SimpleUploadedFile:
    """An uploaded workbook, its first sheet holding `header` (none when empty) and the rows."""
    from openpyxl import Workbook

    workbook = Workbook()
    if header:
        workbook.active.append(header)
    for row in rows:
        workbook.active.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return SimpleUploadedFile(name, out.getvalue())
