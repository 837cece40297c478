"""How a tile shows its figures: table cells, numbers grouped by thousands, percentages, the colour band of an
achievement, a row's unit label, and the drill-down links, which carry the filters the tile used."""

from decimal import Decimal
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext as _

from insights.dashboard.scope import Scope


class Links:
    def __init__(self, slug: str, scope: Scope):
        self.slug, self.scope = slug, scope

    def url(self, name: str, query: dict | None = None, **kwargs) -> str:
        url = reverse(name, kwargs={"tenant_slug": self.slug, **kwargs})
        query = {k: v for k, v in (query or {}).items() if v not in (None, "")}
        return f"{url}?{urlencode(query)}" if query else url

    def unit(self, unit=None):
        """The unit a link narrows to: a row's unit, else the scope's (when one was picked or imposed)."""
        if unit is not None:
            return unit.pk
        return self.scope.unit_id


def cell(text, href=None, **extra) -> dict:
    return {"text": str(text), "href": href, **extra}


def num(value, places=0) -> str:
    """1200000 → "1,200,000" (grouped by thousands, as both languages write figures)."""
    return f"{Decimal(value or 0):,.{places}f}"


def percent(value) -> str:
    return "—" if value is None else f"{Decimal(value) * 100:.1f}%"


def _f(value) -> float | None:
    return None if value is None else round(float(value), 4)


def _unit_label(row) -> str:
    return _("%(unit)s (itself)") % {"unit": row["unit"].name} if row["own"] else row["unit"].name


def level(value) -> str:
    """The colour band of an achievement (as on the target tree page)."""
    if value is None:
        return "none"
    shown = round(Decimal(value), 3)
    if shown >= 1:
        return "good"
    if shown >= Decimal("0.9"):
        return "warn"
    return "bad"
