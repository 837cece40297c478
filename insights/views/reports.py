"""Shortfall reports (短板报告): the list by period, a unit's report (or the tenant-wide summary for the lean
office) and its downloads. Who sees which report is insights.reports' rule (report_list / report_get)."""

import re
from decimal import Decimal, InvalidOperation

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header

from insights.report_files import report_pdf, report_xlsx
from insights.reports import report_get, report_periods
from lean.permissions import can, is_lean_office, require

PERIODS_PER_PAGE = 6
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _require_reader(request):
    # The lean office and unit managers read reports; everyone else has none to read.
    require(request, "shortfalls.analyse")


def report_list_view(request, tenant_slug):
    """The periods, newest first, each with the summary (lean office) and the units' rows the viewer may see."""
    _require_reader(request)
    page, groups = report_periods(viewer=request.membership, page=request.GET.get("page"), per_page=PERIODS_PER_PAGE)
    context = {"page": page, "groups": groups, "may_jobs": is_lean_office(request.membership)}
    return render(request, "targets/report_list.html", context)


def _decimal(value):
    try:
        return Decimal(value) if value is not None else None
    except (InvalidOperation, TypeError, ValueError):
        return None


def sparkline(points: list, width: int = 96, height: int = 24) -> str:
    """An SVG polyline's points for the values (None leaves a gap, as the next segment starts fresh)."""
    values = [_decimal(p) for p in points]
    known = [v for v in values if v is not None]
    if len(known) < 2:
        return ""
    low, high = min(known), max(known)
    spread = (high - low) or Decimal(1)
    step = Decimal(width - 4) / max(len(values) - 1, 1)
    coords = []
    for i, value in enumerate(values):
        if value is None:
            continue
        x = 2 + step * i
        y = Decimal(height - 3) - (value - low) / spread * Decimal(height - 6)
        coords.append(f"{x:.1f},{y:.1f}")
    return " ".join(coords)


def _prepare(rows: list) -> list:
    for row in rows:
        trend = row.get("trend") or []
        row["spark"] = sparkline([point.get("actual") for point in trend])
        row["trend_text"] = " · ".join(f"{point['period']}: {point.get('actual') or '—'}" for point in trend)
        row["last_actuals"] = [point.get("actual") for point in trend]
    return rows


def report_detail_view(request, tenant_slug, shortfallreport_id):
    """A unit's report: its target and benchmark shortfalls with NEW and UNCOVERED, each with its trend; or the
    tenant-wide summary (lean office)."""
    _require_reader(request)
    report = report_get(viewer=request.membership, report_id=shortfallreport_id)
    content = report.content or {}
    context = {
        "report": report,
        "content": content,
        "target_rows": _prepare(list(content.get("target", []))),
        "benchmark_rows": _prepare(list(content.get("benchmark", []))),
        "may_assess": can(request.membership, "shortfalls.assess"),
    }
    return render(request, "targets/report_detail.html", context)


def _filename(report, extension: str) -> str:
    who = report.unit.code if report.unit_id else "summary"
    who = re.sub(r"[^\w-]+", "-", who).strip("-") or str(report.unit_id)
    return f"shortfall-report-{report.period}-{who}.{extension}"


def _download(request, shortfallreport_id, *, extension: str, content_type: str, make):
    _require_reader(request)
    report = report_get(viewer=request.membership, report_id=shortfallreport_id)
    response = HttpResponse(make(report), content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, _filename(report, extension))
    response["Cache-Control"] = "private, no-store"
    return response


def report_xlsx_view(request, tenant_slug, shortfallreport_id):
    return _download(request, shortfallreport_id, extension="xlsx", content_type=XLSX, make=report_xlsx)


def report_pdf_view(request, tenant_slug, shortfallreport_id):
    return _download(request, shortfallreport_id, extension="pdf", content_type="application/pdf", make=report_pdf)
