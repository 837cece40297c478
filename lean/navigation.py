"""The navigation bar: each entry shows only to the members whose permissions allow it.

Apps append their entries in their AppConfig.ready() with `register(...)`.
"""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .permissions import can


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    perm: str
    icon: str = "circle"


NAV: list[NavItem] = [
    NavItem(_("Home"), "home", "tenant.view", "house"),
    NavItem(_("Organisation"), "unit-list", "units.view", "diagram-3"),
    NavItem(_("Members"), "member-list", "members.list", "people"),
    NavItem(_("Integrations"), "integrations", "apikeys.manage", "plug"),
]


def register(item: NavItem) -> None:
    NAV.append(item)


def nav_items(request):
    slug = request.tenant.slug
    current = request.resolver_match.url_name if request.resolver_match else None
    return [
        {
            "label": item.label,
            "url": reverse(item.url_name, kwargs={"tenant_slug": slug}),
            "icon": item.icon,
            "active": item.url_name == current,
        }
        for item in NAV
        if can(request.membership, item.perm)
    ]
