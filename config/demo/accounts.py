"""Demo step of sign-in: a newcomer HR has just synced, with no password and no email yet, so the lean office can
show how an activation link (on screen, with a QR code) lets them in."""

from django.contrib.auth.hashers import make_password

from lean.models import Membership, Role, Unit, User
from lean.services import member_create
from lean.tenancy import tenant_scope

# tenant slug → (employee number, name, unit code, position)
NEWCOMERS = {
    "huaxin": ("H0112", "吴新宇", "GEN1-1", "见习技术员"),
    "lvyuan": ("L0020", "钱晓雨", "PLANT1", "化验员"),
}


def seed(tenant) -> bool:
    """The newcomer, once; False when they are already there (or the tenant has no such unit)."""
    if tenant.slug not in NEWCOMERS:
        return False
    number, name, unit_code, position = NEWCOMERS[tenant.slug]
    with tenant_scope(tenant):
        if Membership.objects.filter(employee_number=number).exists():
            return False
        unit = Unit.objects.filter(code=unit_code).first()
        if unit is None:
            return False
        # As the HR sync makes people: a login with an unusable password, set by the person with a link.
        user, _created = User.objects.get_or_create(
            username=f"{tenant.slug}-{number.lower()}", defaults={"full_name": name, "password": make_password(None)}
        )
        member_create(user=user, unit=unit, employee_number=number, roles=[Role.EMPLOYEE], position=position)
    return True
