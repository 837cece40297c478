"""Outside peers' values imported from a file (导入): every row checked, a preview, stored on confirm.

The file rules are every import's (lean/imports.py: type by name and content, size, empty or header-only files,
line numbers as in Excel); the row rules are the services' own (services.value_errors), so the
form, the import and the API refuse the same values in the same words. A file with any bad row stores nothing.

No table keeps the file between the steps: the checked rows travel in a token signed for the tenant and the
member (django.core.signing, good for an hour) that the preview's Confirm button posts back. Confirming checks
the rows again and stores them through services.peer_values_save, all or nothing. A file is checked in a
constant number of queries, whatever its length.
"""

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.core import signing
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lean import periods
from lean.errors import ApplicationError, BadRow, BatchRejected
from lean.imports import FileLayout, cell_display, number_text, period_cell, value_cell
from lean.models import Membership
from lean.permissions import require
from lean.tenancy import current_tenant
from targets.import_files import parse_period, parse_value

from . import selectors, services
from .models import BenchmarkIndicator, Confidence, Peer, PeerValue

SOURCE_MAX = PeerValue._meta.get_field("source").max_length
TOKEN_MAX_AGE = 60 * 60  # seconds a preview may be confirmed
TEMPLATE_MAX_ROWS = 2000

HEADERS = {
    "zh": {
        "indicator": "指标编码",
        "indicator_name": "指标名称",
        "peer": "对标对象",
        "period": "期间",
        "value": "数值",
        "source": "来源",
        "source_date": "数据日期",
        "confidence": "可信度",
    },
    "en": {
        "indicator": "Indicator code",
        "indicator_name": "Indicator name",
        "peer": "Peer",
        "period": "Period",
        "value": "Value",
        "source": "Source",
        "source_date": "Date of the figure",
        "confidence": "Confidence",
    },
}
REQUIRED = ("indicator", "peer", "period", "value", "source")
TEMPLATE_COLUMNS = ("indicator", "indicator_name", "peer", "period", "value", "source", "source_date", "confidence")
TEMPLATE_WIDTHS = {"indicator": 14, "indicator_name": 30, "peer": 24, "period": 12, "value": 12, "source_date": 14}
_ALIASES = {
    "indicator": {"指标编码", "指标代码", "indicatorcode", "indicator"},
    "peer": {"对标对象", "对标单位", "peer", "peername"},
    "period": {"期间", "period"},
    "value": {"数值", "值", "value"},
    "source": {"来源", "数据来源", "source"},
    "source_date": {"数据日期", "日期", "dateofthefigure", "sourcedate", "date"},
    "confidence": {"可信度", "confidence"},
}
CONFIDENCE_WORDS = {
    "高": Confidence.HIGH,
    "中": Confidence.MEDIUM,
    "低": Confidence.LOW,
    "high": Confidence.HIGH,
    "medium": Confidence.MEDIUM,
    "low": Confidence.LOW,
}


@dataclass
class RawValueRow:
    """One data row as found in the file; `line` is its row number in Excel (the header is line 1)."""

    line: int
    indicator: str
    peer: str
    period: object  # text, or a date when Excel stored a date
    value: object  # text or a number, as the file had it
    source: str
    source_date: object  # text or a date
    confidence: str


VALUES = FileLayout(
    row=RawValueRow,
    headers=HEADERS,
    aliases=_ALIASES,
    required=REQUIRED,
    template_columns=TEMPLATE_COLUMNS,
    template_widths=TEMPLATE_WIDTHS,
    cells={"period": period_cell, "value": value_cell, "source_date": period_cell},
    no_rows=gettext_lazy("The file has a header row but no values below it."),
)


# What a bad row of the file holds, next to its reasons in the problems table.
PROBLEM_COLUMNS = [
    (gettext_lazy("Indicator code"), False),
    (gettext_lazy("Peer"), False),
    (gettext_lazy("Period"), False),
    (gettext_lazy("Value"), True),
]


def _bad_row(line: int, indicator: str, peer: str, period: str, value: str, errors: list[str]) -> BadRow:
    """A bad row as the person sees it in their file (by its line), with every reason it was refused."""
    return BadRow(line, errors, cells=(indicator, peer, period, value))


def _rejected(problems: list[BadRow], total: int) -> BatchRejected:
    """Some rows are bad, so nothing is stored."""
    return BatchRejected(problems, total=total, columns=PROBLEM_COLUMNS)


def read_file(upload) -> list[RawValueRow]:
    """The rows of an uploaded .csv or .xlsx file; ApplicationError when the file as a whole is no good."""
    rows, _format = VALUES.read(upload)
    return rows


# ---------------------------------------------------------------- cells

_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T].*)?$")


def parse_date(cell) -> date | None:
    """The date of a figure: an Excel date, 2025-06-30, 2025/6/30, 2025.6.30 or 2025年6月30日; blank is None."""
    if isinstance(cell, datetime):
        return cell.date()
    if isinstance(cell, date):
        return cell
    text = unicodedata.normalize("NFKC", str(cell)).strip()
    if not text:
        return None
    match = _DATE.match(text)
    try:
        if match:
            return date(*(int(group) for group in match.groups()))
    except ValueError:
        pass
    raise ValueError(_("%(value)s is not a date (use 2026-03-31).") % {"value": text})


def parse_confidence(cell: str) -> str:
    """高/中/低 or high/medium/low (any case); blank is medium."""
    text = unicodedata.normalize("NFKC", cell).strip().lower()
    if not text:
        return Confidence.MEDIUM
    if text not in CONFIDENCE_WORDS:
        raise ValueError(_("The confidence %(value)s is not one of 高, 中, 低 (high, medium, low).") % {"value": cell})
    return CONFIDENCE_WORDS[text]


# ---------------------------------------------------------------- checking a file


def check_rows(*, rows: list[RawValueRow]) -> tuple[list[tuple[int, services.ValueInput]], list[int]]:
    """The values of the file, each with its line, and the lines skipped for having no value (the template has a
    row for every indicator and peer; people fill in those they have). Any other problem of any row refuses the
    whole file: BatchRejected lists every bad row with all its reasons. Two queries, whatever the length."""
    benchmarks = {b.code: b for b in BenchmarkIndicator.objects.filter(code__in={r.indicator for r in rows})}
    peers = {p.name: p for p in Peer.objects.filter(name__in={r.peer for r in rows})}
    problems, items, skipped, seen = [], [], [], {}
    for row in rows:
        if row.value == "":
            skipped.append(row.line)
            continue
        errors, item = [], None
        period = value = source_date = confidence = None
        try:
            period = parse_period(row.period)
        except periods.PeriodError as error:
            errors.append(str(error))
        try:
            value = parse_value(row.value)
        except ValueError as error:
            errors.append(str(error))
        try:
            source_date = parse_date(row.source_date)
        except ValueError as error:
            errors.append(str(error))
        try:
            confidence = parse_confidence(row.confidence)
        except ValueError as error:
            errors.append(str(error))
        benchmark, peer = benchmarks.get(row.indicator), peers.get(row.peer)
        if not row.indicator:
            errors.append(_("The indicator code is missing."))
        elif benchmark is None:
            errors.append(_("%(code)s is not a benchmark indicator.") % {"code": row.indicator})
        if not row.peer:
            errors.append(_("The peer is missing."))
        elif peer is None:
            errors.append(_("There is no peer named %(name)s.") % {"name": row.peer})
        if len(row.source) > SOURCE_MAX:
            errors.append(_("The source is longer than %(max)s characters.") % {"max": SOURCE_MAX})
        if benchmark and peer and period and value is not None:
            item = services.ValueInput(
                benchmark=benchmark,
                peer=peer,
                period=period,
                value=value,
                source=row.source,
                source_date=source_date,
                confidence=confidence or Confidence.MEDIUM,
            )
            # The services' own rules: the period kind, an inactive peer, no source, a date in the future.
            errors += services.value_errors(item)
            key = (benchmark.pk, peer.pk, period.start)
            if key in seen:
                errors.append(_("The same value is already on line %(line)s.") % {"line": seen[key]})
            seen.setdefault(key, row.line)
        elif not row.source:
            errors.append(_("Say where the figure comes from."))
        if errors:
            problems.append(
                _bad_row(row.line, row.indicator, row.peer, cell_display(row.period), cell_display(row.value), errors)
            )
        else:
            items.append((row.line, item))
    if problems:
        raise _rejected(problems, total=len(rows) - len(skipped))
    return items, skipped


def value_import_check(*, actor: Membership, upload) -> tuple[list[tuple[int, services.ValueInput]], list[int]]:
    """Read and check an uploaded file: its values with their lines, and the lines skipped (no value).

    Raises ApplicationError for a file that cannot be read, BatchRejected when any row is bad.
    """
    require(actor, "benchmarking.manage")
    items, skipped = check_rows(rows=read_file(upload))
    if not items:
        raise ApplicationError(
            _("No row of the file has a value. Fill in the value column and upload the file again."),
            code="no_values",
            field_errors={"file": []},
        )
    return items, skipped


# ---------------------------------------------------------------- the preview and its signed token


def _salt(actor: Membership) -> str:
    # A token is good only in the tenant and for the member it was made for.
    return f"benchmarking.value_import:{current_tenant().pk}:{actor.pk}"


def rows_token(*, actor: Membership, items: list[tuple[int, services.ValueInput]]) -> str:
    rows = [
        [
            line,
            item.benchmark.pk,
            item.peer.pk,
            str(item.period),
            number_text(item.value),
            item.source,
            item.source_date.isoformat() if item.source_date else "",
            item.confidence,
        ]
        for line, item in items
    ]
    return signing.dumps({"rows": rows}, salt=_salt(actor), compress=True)


def _items_from_token(actor: Membership, token: str) -> list[tuple[int, services.ValueInput]]:
    """The checked rows back from a token; one the server did not sign, or an old one, is refused."""
    try:
        rows = signing.loads(token, salt=_salt(actor), max_age=TOKEN_MAX_AGE)["rows"]
    except signing.SignatureExpired as error:
        raise ApplicationError(
            _("This preview is more than an hour old. Upload the file again."), code="expired"
        ) from error
    except (signing.BadSignature, KeyError, TypeError) as error:
        raise ApplicationError(
            _("This preview cannot be confirmed: it was changed or is not yours. Upload the file again."),
            code="bad_token",
        ) from error
    benchmarks = BenchmarkIndicator.objects.in_bulk({row[1] for row in rows})
    peers = Peer.objects.in_bulk({row[2] for row in rows})
    problems, items = [], []
    for line, benchmark_id, peer_id, period, value, source, source_date, confidence in rows:
        benchmark, peer = benchmarks.get(benchmark_id), peers.get(peer_id)
        if benchmark is None or peer is None:
            problems.append(
                _bad_row(
                    line,
                    benchmark.code if benchmark else "",
                    peer.name if peer else "",
                    period,
                    value,
                    [_("The benchmark indicator or the peer of this row no longer exists.")],
                )
            )
            continue
        item = services.ValueInput(
            benchmark=benchmark,
            peer=peer,
            period=periods.parse(period),
            value=Decimal(value),
            source=source,
            source_date=date.fromisoformat(source_date) if source_date else None,
            confidence=confidence,
        )
        items.append((line, item))
    if problems:
        raise _rejected(problems, total=len(rows))
    return items


@dataclass
class PreviewRow:
    line: int
    item: services.ValueInput
    old: PeerValue | None

    @property
    def value_text(self) -> str:
        return number_text(self.item.value)

    @property
    def old_text(self) -> str:
        return number_text(self.old.value) if self.old else ""

    @property
    def confidence_label(self) -> str:
        return Confidence(self.item.confidence).label

    @property
    def state(self) -> str:
        if self.old is None:
            return "new"
        item, old = self.item, self.old
        same = (old.value, old.source, old.source_date, old.confidence) == (
            item.value,
            item.source.strip(),
            item.source_date,
            item.confidence,
        )
        return "unchanged" if same else "correction"


def preview(*, items: list[tuple[int, services.ValueInput]]) -> list[PreviewRow]:
    """What confirming would store, row by row, next to the value it would correct (one query)."""
    existing = {
        (v.benchmark_id, v.peer_id, v.period_start): v
        for v in PeerValue.objects.filter(
            benchmark__in={item.benchmark.pk for _line, item in items},
            peer__in={item.peer.pk for _line, item in items},
            period_start__in={item.period.start for _line, item in items},
        )  # a superset of the rows' keys, in one query; the dict picks the exact ones
    }
    return [
        PreviewRow(line, item, existing.get((item.benchmark.pk, item.peer.pk, item.period.start)))
        for line, item in items
    ]


@transaction.atomic
def value_import_confirm(*, actor: Membership, token: str) -> int:
    """Store the values of a previewed file, all or nothing, checked again (things may have changed since the
    upload). Returns the number of values stored."""
    require(actor, "benchmarking.manage")
    items = _items_from_token(actor, token)
    try:
        services.peer_values_save(actor=actor, items=[item for _line, item in items])
    except BatchRejected as error:
        problems = []
        for index, messages in sorted(error.field_errors.items(), key=lambda pair: int(pair[0])):
            line, item = items[int(index)]
            problems.append(
                _bad_row(line, item.benchmark.code, item.peer.name, str(item.period), number_text(item.value), messages)
            )
        raise _rejected(problems, total=len(items)) from error
    return len(items)


# ---------------------------------------------------------------- the template


def template_rows() -> list[list]:
    """One row per active benchmark indicator and active peer, for the indicator's latest complete period, the
    value and its source left for the lean office to fill in (two queries, at most TEMPLATE_MAX_ROWS rows)."""
    benchmarks = list(BenchmarkIndicator.objects.filter(active=True).order_by("code"))
    peers = list(Peer.objects.filter(active=True).order_by("name"))
    rows = []
    for benchmark in benchmarks:
        period = str(selectors.latest_period(benchmark.frequency))
        for peer in peers:
            rows.append([benchmark.code, benchmark.name, peer.name, period, "", "", "", ""])
    return rows[:TEMPLATE_MAX_ROWS]
