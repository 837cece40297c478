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
    # Items of a group share one dropdown (ADMIN: the organisation and the settings), so that the bar stays one
    # line on a laptop however many apps register entries.
    group: str = ""


ADMIN = "admin"
GROUP_LABELS = {ADMIN: _("Administration")}

NAV: list[NavItem] = [
    NavItem(_("Home"), "home", "tenant.view", "house"),
    NavItem(_("Organisation"), "unit-list", "units.view", "diagram-3", ADMIN),
    NavItem(_("Members"), "member-list", "members.list", "people", ADMIN),
    NavItem(_("Integrations"), "integrations", "apikeys.manage", "plug", ADMIN),
    NavItem(_("Single sign-on"), "sso-settings", "sso.manage", "shield-lock", ADMIN),
    NavItem(_("Notification channels"), "integrations-channels", "channels.manage", "megaphone", ADMIN),
    NavItem(_("Scheduled jobs"), "jobs-runs", "jobs.manage", "clock-history", ADMIN),
    NavItem(_("Enterprise settings"), "tenant-settings", "tenant.settings", "sliders", ADMIN),
    NavItem(_("Audit log"), "audit", "audit.view", "journal-text", ADMIN),
]


def register(item: NavItem, *, after: str = "") -> None:
    """Append the entry, or put it right after the entry of URL name `after` (an app registered later that
    wants its entry earlier in the bar)."""
    names = [entry.url_name for entry in NAV]
    if after in names:
        NAV.insert(names.index(after) + 1, item)
    else:
        NAV.append(item)


def nav_items(request):
    """The entries the member may use, in order: top-level entries as they are, a group's entries as one entry
    {"label", "icon", "group", "children", "active"} where the group's first entry would have been."""
    slug = request.tenant.slug
    current = request.resolver_match.url_name if request.resolver_match else None
    entries, groups = [], {}
    for item in NAV:
        if not can(request.membership, item.perm):
            continue
        entry = {
            "label": item.label,
            "url": reverse(item.url_name, kwargs={"tenant_slug": slug}),
            "icon": item.icon,
            "active": item.url_name == current,
        }
        if not item.group:
            entries.append(entry)
            continue
        if item.group not in groups:
            groups[item.group] = {"label": GROUP_LABELS[item.group], "group": item.group, "children": []}
            entries.append(groups[item.group])
        groups[item.group]["children"].append(entry)
    for group in groups.values():
        group["active"] = any(child["active"] for child in group["children"])
    return entries
