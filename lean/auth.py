"""Sign-in with the tenant and an employee number (or username) and password."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db.models import Q

from .models import Membership, Tenant
from .tenancy import tenant_scope

SEPARATOR = "/"


def tenant_login_name(tenant_slug: str, login: str) -> str:
    """The name a login attempt is recorded under: per tenant and account, so throttling is per person."""
    return f"{tenant_slug.strip().lower()}{SEPARATOR}{login.strip()}"


class TenantLoginBackend(ModelBackend):
    """Authenticates `<tenant-slug>/<employee number or username>`; plain usernames fall to ModelBackend."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if not username or SEPARATOR not in username or password is None:
            return None
        slug, login = username.split(SEPARATOR, 1)
        tenant = Tenant.objects.filter(slug=slug, active=True).first()
        if tenant is None or not login:
            return None
        with tenant_scope(tenant):
            membership = (
                Membership.objects.select_related("user")
                .filter(Q(employee_number=login) | Q(user__username=login), active=True)
                .first()
            )
        if membership is None:
            # Run the hasher anyway so a missing account takes as long as a wrong password.
            get_user_model()().set_password(password)
            return None
        user = membership.user
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
