"""Pages of projects, mounted under /t/<tenant>/projects/."""

from django.urls import path

from .views import board, cases, detail, filing, filings, finance, guides, reviews

urlpatterns = [
    path("", filing.my_projects_view, name="projects-mine"),
    path("new/", filing.project_new_view, name="projects-new"),
    path("<int:project_id>/", detail.project_detail_view, name="projects-detail"),
    path("<int:project_id>/edit/", filing.project_edit_view, name="projects-edit"),
    path("<int:project_id>/indicators/", filing.project_indicators_view, name="projects-indicators"),
    path("<int:project_id>/team/", filing.project_team_view, name="projects-team"),
    path("<int:project_id>/plan/", filing.project_plan_view, name="projects-plan"),
    path("<int:project_id>/closing/", filing.project_closing_view, name="projects-closing"),
    path("<int:project_id>/transition/", detail.project_transition_view, name="projects-transition"),
    path("<int:project_id>/notes/", detail.project_note_view, name="projects-note"),
    path("<int:project_id>/attachments/", detail.attachment_upload_view, name="projects-attachment-upload"),
    path("attachments/<int:attachment_id>/", detail.attachment_download_view, name="projects-attachment"),
    path("<int:project_id>/package.pdf", filings.package_pdf_view, name="projects-package-pdf"),
    path("<int:project_id>/package.zip", filings.package_zip_view, name="projects-package-zip"),
    path("filings/", filings.filing_inbox_view, name="projects-filings"),
    path("<int:project_id>/benefits/signoff/", finance.benefit_signoff_view, name="projects-signoff"),
    path("finance/", finance.finance_queue_view, name="projects-finance"),
    path("portfolio/", board.board_view, name="projects-board"),
    path("portfolio/table/", board.table_view, name="projects-table"),
    path("reviews/", reviews.review_queue_view, name="projects-reviews"),
    path("reviews/<int:review_id>/", reviews.review_view, name="projects-review"),
    path("criteria/", reviews.criteria_view, name="projects-criteria"),
    path("cases/", cases.case_library_view, name="projects-cases"),
    path("guides/", guides.guide_list_view, name="projects-guides"),
    path("guides/<int:guide_id>/", guides.guide_detail_view, name="projects-guide"),
    path("guides/<int:guide_id>/directions/new/", guides.direction_new_view, name="projects-direction-new"),
    path("directions/<int:direction_id>/edit/", guides.direction_edit_view, name="projects-direction-edit"),
    path(
        "shortfalls/<int:shortfall_id>/direction/", guides.direction_from_shortfall_view, name="projects-from-shortfall"
    ),
]
