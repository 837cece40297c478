from django import template

from ..permissions import can as can_check

register = template.Library()


@register.simple_tag(takes_context=True)
def can(context, perm, obj=None):
    """{% can "members.edit" membership as allowed %}: asks the same rules as views and the API."""
    request = context.get("request")
    return can_check(getattr(request, "membership", None), perm, obj)


@register.simple_tag(takes_context=True)
def tenant_url(context, url_name, **kwargs):
    """{% tenant_url "member-detail" membership_id=m.pk %}: a URL inside the current tenant."""
    from django.urls import reverse

    kwargs["tenant_slug"] = context["request"].tenant.slug
    return reverse(url_name, kwargs=kwargs)


@register.filter
def role_labels(roles):
    """Role codes as their labels in the active language: ["reviewer"] → "评审专家"."""
    from ..models import Role

    labels = dict(Role.choices)
    return "、".join(str(labels.get(role, role)) for role in roles or [])


@register.filter
def get(mapping, key):
    """`{{ scores|get:node.pk }}`: a dict lookup by a variable key (None when missing)."""
    return mapping.get(key) if mapping else None


@register.filter
def percent(value, digits=0):
    """0.9734 → "97%" (or with digits); empty for None."""
    if value is None or value == "":
        return ""
    return f"{float(value) * 100:.{int(digits)}f}%"


@register.filter
def num(value, places=4):
    """A stored decimal as people write it: 86.8000 → 86.8, 95 → 95, rounded to `places` (empty for None)."""
    if value is None or value == "":
        return ""
    from decimal import Decimal, InvalidOperation

    try:
        number = Decimal(str(value)).quantize(Decimal(1).scaleb(-int(places)))
    except (InvalidOperation, ValueError):
        return value
    text = f"{number:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
