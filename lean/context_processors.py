from .navigation import nav_items


def tenancy(request):
    member = getattr(request, "membership", None)
    return {
        "tenant": getattr(request, "tenant", None),
        "member": member,
        "nav_items": nav_items(request) if member is not None else [],
    }
