"""Writes of the tenancy core: one transaction each, keyword-only, audited through simple-history."""

from django.db import transaction
from django.utils.translation import gettext as _

from .errors import ApplicationError
from .models import AuditEvent, Membership, Role, Tenant, Unit, User
from .permissions import require
from .tenancy import current_tenant


def tenant_create(*, name: str, slug: str, time_zone: str = "Asia/Shanghai", default_language: str = "zh-hans"):
    """Platform operator's door: a new enterprise. Tenants live outside row-level security."""
    if Tenant.objects.filter(slug=slug).exists():
        raise ApplicationError(_("A tenant with this slug already exists."), code="duplicate")
    return Tenant.objects.create(name=name, slug=slug, time_zone=time_zone, default_language=default_language)


@transaction.atomic
def unit_create(*, name: str, code: str, kind: str = Unit.Kind.UNIT, parent: Unit | None = None) -> Unit:
    tenant = current_tenant()
    if Unit.objects.filter(code=code).exists():
        raise ApplicationError(_("A unit with code %(code)s already exists.") % {"code": code}, code="duplicate")
    unit = Unit.objects.create(tenant=tenant, name=name, code=code, kind=kind, parent=parent, path="")
    # Zero-padded, so ordering by path is tree order with siblings in creation order.
    unit.path = f"{parent.path if parent else '/'}{unit.pk:010d}/"
    unit.save(update_fields=["path"])
    return unit


def _clean_roles(roles) -> list[str]:
    valid = set(Role.values)
    cleaned = [r for r in dict.fromkeys(roles) if r]
    unknown = [r for r in cleaned if r not in valid]
    if unknown:
        raise ApplicationError(_("Unknown role: %(roles)s") % {"roles": ", ".join(unknown)}, code="invalid_role")
    if not cleaned:
        raise ApplicationError(_("A member needs at least one role."), code="no_role", field_errors={"roles": []})
    return cleaned


@transaction.atomic
def member_create(
    *,
    user: User,
    unit: Unit,
    employee_number: str,
    roles,
    position: str = "",
) -> Membership:
    tenant = current_tenant()
    if Membership.objects.filter(employee_number=employee_number).exists():
        raise ApplicationError(
            _("Employee number %(number)s is already in use.") % {"number": employee_number}, code="duplicate"
        )
    return Membership.objects.create(
        tenant=tenant,
        user=user,
        unit=unit,
        employee_number=employee_number,
        roles=_clean_roles(roles),
        position=position,
    )


@transaction.atomic
def member_update(*, actor: Membership, membership: Membership, unit: Unit, roles, position: str, active: bool):
    """The lean office moves a person, changes their roles or deactivates them (history keeps the old values)."""
    require(actor, "members.edit", membership)
    roles = _clean_roles(roles)
    if membership.pk == actor.pk and (not active or Role.LEAN_OFFICE not in roles):
        raise ApplicationError(
            _("You cannot remove your own lean office role or deactivate yourself."), code="self_lockout"
        )
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    membership.unit = unit
    membership.roles = roles
    membership.position = position
    membership.active = active
    membership.save()
    return membership


@transaction.atomic
def tenant_settings_update(*, actor: Membership, ranking_enabled: bool) -> Tenant:
    """The lean office's choices for the whole tenant. Rankings of people are off unless the tenant turns them
    on (the seed paper moved away from ranking by counts)."""
    require(actor, "tenant.settings")
    tenant = Tenant.objects.select_for_update().get(pk=current_tenant().pk)
    if tenant.ranking_enabled != ranking_enabled:
        # The Tenant row keeps no history: the audit log reads this record instead (insights/audit/log/).
        AuditEvent.objects.create(
            tenant=tenant,
            kind="tenant.settings",
            actor=actor,
            changes={"ranking_enabled": [tenant.ranking_enabled, ranking_enabled]},
        )
    tenant.ranking_enabled = ranking_enabled
    tenant.save(update_fields=["ranking_enabled"])
    return tenant
