"""Pages of benchmarking, mounted under /t/<tenant>/benchmarking/."""

from django.urls import path

from .views import board, imports, indicators, peers, practices, proposals

urlpatterns = [
    path("", board.board_view, name="benchmarking-board"),
    path("indicators/new/", indicators.benchmark_new_view, name="benchmarking-new"),
    path("indicators/<int:benchmark_indicator_id>/", indicators.benchmark_detail_view, name="benchmarking-indicator"),
    path("indicators/<int:benchmark_indicator_id>/edit/", indicators.benchmark_edit_view, name="benchmarking-edit"),
    path("peers/", peers.peer_list_view, name="benchmarking-peers"),
    path("peers/<int:peer_id>/", peers.peer_detail_view, name="benchmarking-peer"),
    path("values/new/", peers.value_new_view, name="benchmarking-value-new"),
    path("values/import/", imports.value_import_view, name="benchmarking-import"),
    path(
        "values/import/template.csv",
        imports.value_template_view,
        {"file_format": "csv"},
        name="benchmarking-import-csv",
    ),
    path(
        "values/import/template.xlsx",
        imports.value_template_view,
        {"file_format": "xlsx"},
        name="benchmarking-import-xlsx",
    ),
    path("proposals/", proposals.proposal_list_view, name="benchmarking-proposals"),
    path("proposals/new/", proposals.proposal_new_view, name="benchmarking-proposal-new"),
    path("proposals/<int:proposal_id>/", proposals.proposal_detail_view, name="benchmarking-proposal"),
    path("practices/new/", practices.practice_new_view, name="benchmarking-practice-new"),
    path("practices/<int:practice_id>/", practices.practice_detail_view, name="benchmarking-practice"),
]
