"""Pages of the target tree, mounted under /t/<tenant>/targets/."""

from django.urls import path

from .views import imports, indicators, readings, shortfalls, tree

urlpatterns = [
    path("", tree.tree_view, name="targets-tree"),
    path("trees/new/", tree.tree_new_view, name="targets-tree-new"),
    path("nodes/<int:target_node_id>/children/", tree.node_children_view, name="targets-node-children"),
    path("nodes/<int:target_node_id>/edit/", tree.node_edit_view, name="targets-node-edit"),
    path("nodes/<int:target_node_id>/add/", tree.node_add_view, name="targets-node-add"),
    path("nodes/<int:target_node_id>/delete/", tree.node_delete_view, name="targets-node-delete"),
    path("indicators/<int:indicator_id>/", indicators.indicator_detail_view, name="targets-indicator"),
    path("indicators/<int:indicator_id>/edit/", indicators.indicator_edit_view, name="targets-indicator-edit"),
    path("indicators/<int:indicator_id>/targets/", indicators.target_edit_view, name="targets-indicator-targets"),
    path("readings/", readings.reading_entry_view, name="targets-readings"),
    path("readings/<int:reading_id>/edit/", readings.reading_edit_view, name="targets-reading-edit"),
    path("readings/import/", imports.import_upload_view, name="targets-import"),
    # The format is fixed per route (not a URL argument): every URL argument is an object id.
    path(
        "readings/import/template.csv", imports.import_template_view, {"file_format": "csv"}, name="targets-import-csv"
    ),
    path(
        "readings/import/template.xlsx",
        imports.import_template_view,
        {"file_format": "xlsx"},
        name="targets-import-xlsx",
    ),
    path("readings/import/<int:reading_import_id>/", imports.import_preview_view, name="targets-import-preview"),
    path("shortfalls/", shortfalls.shortfall_list_view, name="targets-shortfalls"),
    path("shortfalls/<int:shortfall_id>/", shortfalls.shortfall_detail_view, name="targets-shortfall"),
    path("shortfalls/<int:shortfall_id>/assess/", shortfalls.shortfall_assess_view, name="targets-shortfall-assess"),
]
