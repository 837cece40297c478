"""The audit log (审计日志): every sensitive change of the tenant, for the lean office (insights/audit/log/)."""

from django.shortcuts import render
from django.utils.cache import patch_vary_headers

from insights.audit.forms import AuditFilterForm
from insights.audit.log import audit_filtered, audit_page
from lean.paging import paginate
from lean.permissions import require

ENTRIES_PER_PAGE = 50


def audit_view(request, tenant_slug):
    """The merged history, newest first, filtered by kind, person and days, 50 a page."""
    require(request, "audit.view")
    filters = AuditFilterForm(request.GET or None)
    chosen = filters.cleaned_data if filters.is_valid() else {}
    rows = audit_filtered(
        kind=chosen.get("kind") or "",
        person=chosen.get("person") or "",
        date_from=chosen.get("date_from"),
        date_to=chosen.get("date_to"),
    )
    page, query = paginate(request, rows, ENTRIES_PER_PAGE)
    entries = audit_page(viewer=request.membership, rows=page.object_list)
    context = {"page": page, "entries": entries, "filters": filters, "query": query}
    template = "lean/audit.html#audit-entries" if request.htmx else "lean/audit.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response
