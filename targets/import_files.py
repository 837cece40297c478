"""Readings files: what a readings file holds (its columns, in both languages) and how its period and value
cells read.

The file handling itself (type by name and content, size, empty or header-only files, line numbers as in
Excel, the template as a download) is lean/imports.py's, shared with the import of outside peers' values
(benchmarking/imports.py), which also reads its periods and values with parse_period and parse_value. Problems
of single rows are for targets/imports.py.
"""

import re
import unicodedata
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lean import periods
from lean.imports import FileLayout, period_cell, value_cell

VALUE_LIMIT = Decimal(10) ** 14  # readings are numeric(18, 4): 14 digits before the point
REQUIRED = ("indicator", "unit", "period", "value")

# Headers are part of the file format, not of the interface: both languages are always accepted, whatever the
# language of the person uploading, so a file made by a colleague in the other language still imports.
HEADERS = {
    "zh": {
        "indicator": "指标编码",
        "indicator_name": "指标名称",
        "unit": "单位编码",
        "unit_name": "单位名称",
        "period": "期间",
        "value": "实际值",
        "note": "备注",
    },
    "en": {
        "indicator": "Indicator code",
        "indicator_name": "Indicator name",
        "unit": "Unit code",
        "unit_name": "Unit name",
        "period": "Period",
        "value": "Value",
        "note": "Note",
    },
}
TEMPLATE_COLUMNS = ("indicator", "indicator_name", "unit", "unit_name", "period", "value", "note")
_ALIASES = {
    "indicator": {"指标编码", "指标代码", "indicatorcode", "indicator"},
    "unit": {"单位编码", "单位代码", "unitcode", "unit"},
    "period": {"期间", "period"},
    "value": {"实际值", "value", "actualvalue", "actual"},
    "note": {"备注", "note", "notes"},
}


@dataclass
class RawRow:
    """One data row as found in the file; `line` is its row number in Excel (the header is line 1)."""

    line: int
    indicator: str
    unit: str
    period: object  # text, or a date when Excel stored a date
    value: object  # text or a number, as the file had it
    note: str


READINGS = FileLayout(
    row=RawRow,
    headers=HEADERS,
    aliases=_ALIASES,
    required=REQUIRED,
    template_columns=TEMPLATE_COLUMNS,
    template_widths={"indicator": 14, "indicator_name": 30, "unit": 14, "unit_name": 24, "period": 12, "value": 12},
    cells={"period": period_cell, "value": value_cell},
    no_rows=gettext_lazy("The file has a header row but no readings below it."),
)


# ---------------------------------------------------------------- cells


_PERIOD_FORMS = [
    # What Excel makes of "2026-03" once it has taken it for a date: 2026/3/1, 2026-03-01 00:00:00, 2026年3月.
    (re.compile(r"^(\d{4})\s*[-/年]\s*(\d{1,2})\s*(?:[-/月]\s*(?:\d{1,2}\s*日?)?)?(?:[ T].*)?$"), "{0}-{1}"),
    (re.compile(r"^(\d{4})\s*年?\s*-?\s*[Qq]\s*([1-4])$"), "{0}-Q{1}"),
    (re.compile(r"^(\d{4})\s*年\s*第?\s*([1-4一二三四])\s*季度?$"), "{0}-Q{1}"),
    (re.compile(r"^(\d{4})\s*年度?$"), "{0}"),
]
_CHINESE_DIGITS = str.maketrans("一二三四", "1234")


def parse_period(cell) -> periods.Period:
    """A period from a cell: 2026-03, 2026-Q1, 2026, an Excel date (its month), or the forms Excel writes."""
    try:
        return periods.parse(cell)
    except periods.PeriodError:
        text = unicodedata.normalize("NFKC", str(cell)).strip()
        for pattern, form in _PERIOD_FORMS:
            match = pattern.match(text)
            if match:
                return periods.parse(form.format(*(g.translate(_CHINESE_DIGITS) for g in match.groups())))
        raise


def parse_value(cell) -> Decimal:
    """A number from a cell; full-width digits and thousands separators are fine, units of measure are not."""
    text = unicodedata.normalize("NFKC", str(cell)).strip().replace(",", "").replace(" ", "")
    try:
        value = Decimal(text)
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite():
        raise ValueError(_("%(value)s is not a number.") % {"value": str(cell).strip()})
    if abs(value) >= VALUE_LIMIT:
        raise ValueError(_("%(value)s is too large.") % {"value": str(cell).strip()})
    return value.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
