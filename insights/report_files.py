"""A shortfall report as a file: xlsx (openpyxl) and PDF (reportlab, with its built-in Chinese CID font, so no
font file is needed). Both show the same tables as the report page: title, period and unit, the target
shortfalls, the benchmark shortfalls, the new, uncovered and assessed (纳入年度绩效考核) marks and the trend as
numbers; the summary shows its units and worst indicators.

The workbook is written through lean.exports, whose guard writes text from the tenant's data that a spreadsheet
would read as a formula (starting with = + - @ …) as text.
"""

import io
from decimal import Decimal

from django.utils.translation import gettext as _

from insights.models import ShortfallReport
from lean import periods
from lean.exports import xlsx_book, xlsx_bytes, xlsx_put
from lean.pdf import font as _font
from lean.pdf import pdf_text as _pdf


def _title(report: ShortfallReport) -> tuple[str, str, str]:
    period = periods.parse(report.content.get("period") or str(report.period)).label
    if report.unit_id is None:
        return _("Shortfall report: summary"), period, _("All units")
    unit = report.content.get("unit") or {}
    return _("Shortfall report"), period, unit.get("name") or str(report.unit)


def _dec(value):
    return None if value in (None, "") else Decimal(value)


def _mark(flag) -> str:
    return _("yes") if flag else ""


def _sections(report: ShortfallReport):
    """(heading, column headers, rows, note) of each table; rows hold str, Decimal or None."""
    content = report.content
    if report.unit_id is None:
        totals = content.get("totals", {})
        units = [
            [u["code"], u["name"], u["shortfalls"], u["target"], u["benchmark"], u["new"], u["uncovered"]]
            + [_("All on target") if u["all_on_target"] else ""]
            for u in content.get("units", [])
        ]
        units.append(
            [
                _("Total"),
                _("%(count)d unit(s)") % {"count": totals.get("units", 0)},
                totals.get("shortfalls", 0),
                totals.get("target", 0),
                totals.get("benchmark", 0),
                totals.get("new", 0),
                totals.get("uncovered", 0),
                _("%(count)d all on target") % {"count": totals.get("units_on_target", 0)},
            ]
        )
        worst = [
            [r["unit"], f"{r['code']} {r['name']}", r["measure_unit"], r["period"]]
            + [_dec(r["actual"]), _dec(r["target"]), _dec(r["gap"]), _dec(r["achievement"])]
            + [_mark(r.get("assessed"))]
            for r in content.get("worst", [])
        ]
        return [
            (
                _("Units"),
                [_("Code"), _("Unit"), _("Shortfalls"), _("Target"), _("Benchmark"), _("New"), _("Uncovered"), ""],
                units,
                "",
            ),
            (
                _("Worst indicators"),
                [_("Unit"), _("Indicator"), _("Unit of measure"), _("Period")]
                + [_("Actual"), _("Target"), _("Gap"), _("Achievement"), _("In the assessment")],
                worst,
                "",
            ),
        ]
    trend_periods = content.get("trend_periods", [])
    target = [
        [f"{r['code']} {r['name']}", r["measure_unit"], r["period"]]
        + [_dec(r["actual"]), _dec(r["target"]), _dec(r["gap"]), _dec(r["achievement"])]
        + [_mark(r["new"]), _mark(r["uncovered"]), _mark(r.get("assessed"))]
        + [_dec(point["achievement"]) for point in r.get("trend", [])]
        for r in content.get("target", [])
    ]
    benchmark = [
        [f"{r['code']} {r['name']}", r["measure_unit"], r["period"], r["quartile"]]
        + [_dec(r["actual"]), _dec(r["median"]), _dec(r["gap_to_median"]), _dec(r["best"]), _dec(r["gap_to_best"])]
        + [_mark(r["new"]), _mark(r["uncovered"]), _mark(r.get("assessed"))]
        + [_dec(point["actual"]) for point in r.get("trend", [])]
        for r in content.get("benchmark", [])
    ]
    note = "" if content.get("best_available", True) else _("The best value was not available for this report.")
    sections = [
        (
            _("Target shortfalls"),
            [_("Indicator"), _("Unit of measure"), _("Period")]
            + [_("Actual"), _("Target"), _("Gap"), _("Achievement"), _("New"), _("Uncovered"), _("In the assessment")]
            + [_("Achievement %(period)s") % {"period": p} for p in trend_periods],
            target,
            "",
        ),
        (
            _("Benchmark shortfalls"),
            [_("Indicator"), _("Unit of measure"), _("Period"), _("Quartile")]
            + [_("Actual"), _("Median"), _("Gap to median"), _("Best"), _("Gap to best"), _("New"), _("Uncovered")]
            + [_("In the assessment")]
            + [_("Actual %(period)s") % {"period": p} for p in trend_periods],
            benchmark,
            note,
        ),
    ]
    return sections


# ---------------------------------------------------------------- xlsx


def report_xlsx(report: ShortfallReport) -> bytes:
    from openpyxl.styles import Font

    title, period, unit = _title(report)
    book, sheet = xlsx_book(_("Report"))
    bold = Font(bold=True)
    xlsx_put(sheet, 1, 1, title).font = Font(bold=True, size=14)
    xlsx_put(sheet, 2, 1, _("Period"))
    xlsx_put(sheet, 2, 2, period)
    xlsx_put(sheet, 3, 1, _("Unit"))
    xlsx_put(sheet, 3, 2, unit)
    row = 5
    if report.all_on_target and report.unit_id is not None:
        xlsx_put(sheet, row, 1, _("All indicators on target."))
        row += 2
    for heading, headers, rows, note in _sections(report):
        if report.unit_id is not None and not rows:
            continue
        xlsx_put(sheet, row, 1, heading).font = bold
        row += 1
        for column, header in enumerate(headers, start=1):
            xlsx_put(sheet, row, column, header).font = bold
        row += 1
        for values in rows:
            for column, value in enumerate(values, start=1):
                xlsx_put(sheet, row, column, value)
            row += 1
        if note:
            xlsx_put(sheet, row, 1, note)
            row += 1
        row += 1
    sheet.column_dimensions["A"].width = 36
    return xlsx_bytes(book)


# ---------------------------------------------------------------- pdf


def _cell_text(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value else "0"
    return str(value)


def report_pdf(report: ShortfallReport) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    font = _font()
    title, period, unit = _title(report)
    heading = ParagraphStyle("heading", fontName=font, fontSize=16, leading=20)
    sub = ParagraphStyle("sub", fontName=font, fontSize=11, leading=15)
    small = ParagraphStyle("small", fontName=font, fontSize=7, leading=9)
    line = f"{_('Period')}: {period} · {_('Unit')}: {unit}"
    story = [Paragraph(_pdf(title), heading), Paragraph(_pdf(line), sub)]
    story.append(Spacer(1, 4 * mm))
    if report.all_on_target and report.unit_id is not None:
        story.append(Paragraph(_pdf(_("All indicators on target.")), sub))
    for section, headers, rows, note in _sections(report):
        if report.unit_id is not None and not rows:
            continue
        story.append(Paragraph(_pdf(section), sub))
        data = [[Paragraph(_pdf(str(h)), small) for h in headers]]
        data += [[Paragraph(_pdf(_cell_text(v)), small) for v in values] for values in rows]
        table = Table(data, repeatRows=1)
        table.setStyle(
            TableStyle(
                [
                    ("FONTNAME", (0, 0), (-1, -1), font),
                    ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]
            )
        )
        story.append(table)
        if note:
            story.append(Paragraph(_pdf(note), small))
        story.append(Spacer(1, 4 * mm))
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer, pagesize=landscape(A4), leftMargin=10 * mm, rightMargin=10 * mm, topMargin=10 * mm, bottomMargin=10 * mm
    )
    doc.title = f"{title} {period} {unit}"
    doc.build(story)
    return buffer.getvalue()
