"""Demo step of single sign-on: huaxin's provider filled in but switched off, so the settings page shows what the
lean office enters. The issuer is on the reserved .example domain: the demo never calls an outside provider."""

from lean.models import Membership, Role, SsoSettings
from lean.sso import sso_settings_update
from lean.tenancy import tenant_scope

EXAMPLES = {
    "huaxin": {
        "button_label": "华信统一身份认证",
        "issuer": "https://sso.huaxin.example/realms/lean",
        "client_id": "lean-huaxin",
        "scopes": "openid profile employee",
        "employee_number_claim": "employee_number",
    },
}


def seed(tenant) -> bool:
    """The disabled example, once; False when the tenant has none or already has settings."""
    if tenant.slug not in EXAMPLES:
        return False
    with tenant_scope(tenant):
        if SsoSettings.objects.exists():
            return False
        office = Membership.objects.filter(roles__contains=[Role.LEAN_OFFICE], active=True).order_by("pk").first()
        if office is None:
            return False
        sso_settings_update(actor=office, enabled=False, **EXAMPLES[tenant.slug])
    return True
