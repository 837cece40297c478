"""备案 that HQ receives: the lean office's inbox of filed unit-tier projects (acknowledge, or return for
correction), and the filing package of a project as a PDF or a ZIP with its attachments."""

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header

from lean.permissions import require

from .. import filings, selectors


def filing_inbox_view(request, tenant_slug):
    require(request, "projects.filings")
    inbox = filings.filing_inbox(viewer=request.membership)
    return render(request, "projects/filing_inbox.html", {"inbox": inbox, "shown": filings.ACKNOWLEDGED_SHOWN})


def _package_project(request, project_id):
    """The project, to those who may see it only (404 to anyone else, as for another tenant's id)."""
    require(request, "projects.view")
    project = selectors.project_get(viewer=request.membership, project_id=project_id)
    return filings.package_project(project.pk)


def _download(content: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    return response


def package_pdf_view(request, tenant_slug, project_id):
    project = _package_project(request, project_id)
    return _download(filings.package_pdf(project), f"{project.code}-filing.pdf", "application/pdf")


def package_zip_view(request, tenant_slug, project_id):
    project = _package_project(request, project_id)
    return _download(filings.package_zip(project), f"{project.code}-filing.zip", "application/zip")
