"""The shortfall reports' pages, under the target tree's address (/t/<tenant>/targets/reports/) where people know
them."""

from django.urls import path

from .views import reports

urlpatterns = [
    path("reports/", reports.report_list_view, name="targets-reports"),
    path("reports/<int:shortfallreport_id>/", reports.report_detail_view, name="targets-report"),
    path("reports/<int:shortfallreport_id>/xlsx/", reports.report_xlsx_view, name="targets-report-xlsx"),
    path("reports/<int:shortfallreport_id>/pdf/", reports.report_pdf_view, name="targets-report-pdf"),
]
