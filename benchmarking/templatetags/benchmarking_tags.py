"""Small display helpers of the benchmarking pages."""

from django import template

register = template.Library()


@register.filter
def quartile_class(position):
    """The colour class of a unit's position: lean-bm-q1 … q4, lean-bm-nq (a value but too few participants for
    quartiles), lean-bm-none (no value)."""
    if position is None:
        return "lean-bm-none"
    if position.quartile is None:
        return "lean-bm-nq"
    return f"lean-bm-q{position.quartile}"
