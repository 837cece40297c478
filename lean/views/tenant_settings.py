"""The lean office's settings of the tenant (企业设置)."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from ..forms_tenant import TenantSettingsForm
from ..permissions import require
from ..services import tenant_settings_update


def tenant_settings_view(request, tenant_slug):
    require(request, "tenant.settings")
    tenant = request.tenant
    form = TenantSettingsForm(
        request.POST if request.method == "POST" else None, initial={"ranking_enabled": tenant.ranking_enabled}
    )
    if request.method == "POST" and form.is_valid():
        tenant_settings_update(actor=request.membership, **form.cleaned_data)
        messages.success(request, _("The settings are saved."))
        return redirect("tenant-settings", tenant_slug=tenant_slug)
    return render(request, "lean/tenant_settings.html", {"form": form, "tenant": tenant})
