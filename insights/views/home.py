"""The tenant's home page: the welcome header, then the panel of the member's role (insights/dashboard/home.py)."""

from django.shortcuts import render

from insights.dashboard.home import home_panels
from lean.selectors import unit_ancestors


def home_view(request, tenant_slug):
    """The home page: the welcome header, then the panel of the member's role (insights/dashboard/home.py)."""
    member = request.membership
    context = {"member": member, "unit_path": unit_ancestors(unit=member.unit)}
    context.update(home_panels(member=member, slug=tenant_slug))
    return render(request, "lean/home.html", context)
