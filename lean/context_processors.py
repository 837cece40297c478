from .navigation import nav_items
from .selectors import unread_count


def tenancy(request):
    member = getattr(request, "membership", None)
    return {
        "tenant": getattr(request, "tenant", None),
        "member": member,
        "nav_items": nav_items(request) if member is not None else [],
        "unread_count": unread_count(member) if member is not None else 0,
    }
