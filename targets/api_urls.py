"""REST API of the target tree, mounted under /t/<tenant>/api/v1/targets/."""

from django.urls import path

from .apis import indicators, readings, shortfalls, trees

urlpatterns = [
    path("trees/", trees.TreeListApi.as_view(), name="api-target-tree-list"),
    path("trees/<int:target_tree_id>/", trees.TreeDetailApi.as_view(), name="api-target-tree-detail"),
    path("indicators/", indicators.IndicatorListApi.as_view(), name="api-indicator-list"),
    path("indicators/<int:indicator_id>/", indicators.IndicatorDetailApi.as_view(), name="api-indicator-detail"),
    path("readings/", readings.ReadingListApi.as_view(), name="api-reading-list"),
    path("readings/bulk/", readings.ReadingBulkApi.as_view(), name="api-reading-bulk"),
    path("readings/<int:reading_id>/", readings.ReadingDetailApi.as_view(), name="api-reading-detail"),
    path("shortfalls/", shortfalls.ShortfallListApi.as_view(), name="api-shortfall-list"),
    path("shortfalls/<int:shortfall_id>/", shortfalls.ShortfallDetailApi.as_view(), name="api-shortfall-detail"),
]
