"""Reporting periods: a month, a quarter or a year, written "2026-03", "2026-Q1" and "2026".

A period is the half-open date range [start, end). Readings and targets store both ends, so "every reading
inside this quarter" is a plain range comparison in SQL, and a reading of 31 March never lands in Q2.
"""

import re
from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

MONTH, QUARTER, YEAR = "month", "quarter", "year"
KIND_CHOICES = [(MONTH, gettext_lazy("Month")), (QUARTER, gettext_lazy("Quarter")), (YEAR, gettext_lazy("Year"))]
MONTHS_IN = {MONTH: 1, QUARTER: 3, YEAR: 12}

_PATTERNS = [
    (re.compile(r"^(\d{4})-(\d{1,2})$"), MONTH),
    (re.compile(r"^(\d{4})-?[Qq]([1-4])$"), QUARTER),
    (re.compile(r"^(\d{4})$"), YEAR),
]


class PeriodError(ValueError):
    pass


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True, order=True)
class Period:
    start: date
    kind: str

    @property
    def end(self) -> date:
        return _add_months(self.start, MONTHS_IN[self.kind])

    @property
    def year(self) -> int:
        return self.start.year

    def __str__(self) -> str:
        if self.kind == MONTH:
            return f"{self.start.year}-{self.start.month:02d}"
        if self.kind == QUARTER:
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        return str(self.start.year)

    @property
    def label(self) -> str:
        if self.kind == MONTH:
            return _("%(year)s-%(month)02d") % {"year": self.start.year, "month": self.start.month}
        if self.kind == QUARTER:
            return _("Q%(quarter)s %(year)s") % {"quarter": (self.start.month - 1) // 3 + 1, "year": self.start.year}
        return _("Year %(year)s") % {"year": self.start.year}

    def contains(self, other: "Period") -> bool:
        return self.start <= other.start and other.end <= self.end

    def split(self, kind: str) -> list["Period"]:
        """The periods of `kind` that make up this one (a year into 12 months or 4 quarters)."""
        step = MONTHS_IN[kind]
        if step > MONTHS_IN[self.kind]:
            labels = dict(KIND_CHOICES)
            raise PeriodError(
                _("A %(small)s cannot be split into %(big)s.") % {"small": labels[self.kind], "big": labels[kind]}
            )
        return [Period(_add_months(self.start, i), kind) for i in range(0, MONTHS_IN[self.kind], step)]

    def previous(self, count: int = 1) -> "Period":
        return Period(_add_months(self.start, -MONTHS_IN[self.kind] * count), self.kind)

    def next(self) -> "Period":
        return Period(self.end, self.kind)

    def containing(self, kind: str) -> "Period":
        """The period of `kind` that holds this one's start (month → its quarter or year)."""
        if kind == YEAR:
            return Period(date(self.start.year, 1, 1), YEAR)
        if kind == QUARTER:
            return Period(date(self.start.year, (self.start.month - 1) // 3 * 3 + 1, 1), QUARTER)
        return Period(self.start.replace(day=1), MONTH)


def parse(text, kind: str | None = None) -> Period:
    """Parse "2026-03", "2026-Q1" or "2026" (and a date or datetime, taken as its month)."""
    if isinstance(text, date):
        return Period(date(text.year, text.month, 1), MONTH).containing(kind or MONTH)
    value = str(text or "").strip()
    for pattern, found_kind in _PATTERNS:
        match = pattern.match(value)
        if not match:
            continue
        year = int(match.group(1))
        if found_kind == MONTH:
            month = int(match.group(2))
            if not 1 <= month <= 12:
                break
            period = Period(date(year, month, 1), MONTH)
        elif found_kind == QUARTER:
            period = Period(date(year, (int(match.group(2)) - 1) * 3 + 1, 1), QUARTER)
        else:
            period = Period(date(year, 1, 1), YEAR)
        if kind and period.kind != kind:
            raise PeriodError(_("%(value)s is not a %(kind)s.") % {"value": value, "kind": dict(KIND_CHOICES)[kind]})
        return period
    raise PeriodError(_("%(value)s is not a period (use 2026-03, 2026-Q1 or 2026).") % {"value": value or "—"})


def of(start: date, kind: str) -> Period:
    return Period(start, kind)


def months_back(last: Period, count: int) -> list[Period]:
    """`count` periods of last's kind, oldest first, ending with `last`."""
    return [last.previous(i) for i in range(count - 1, -1, -1)]
