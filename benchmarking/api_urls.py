"""REST API of benchmarking, mounted under /t/<tenant>/api/v1/benchmarking/."""

from django.urls import path

from .apis import comparisons, indicators, peers, proposals, values

urlpatterns = [
    path("indicators/", indicators.BenchmarkListApi.as_view(), name="api-benchmark-list"),
    path(
        "indicators/<int:benchmark_indicator_id>/",
        indicators.BenchmarkDetailApi.as_view(),
        name="api-benchmark-detail",
    ),
    path("peers/", peers.PeerListApi.as_view(), name="api-peer-list"),
    path("peers/<int:peer_id>/", peers.PeerDetailApi.as_view(), name="api-peer-detail"),
    path("values/", values.ValueListApi.as_view(), name="api-peer-value-list"),
    path("values/bulk/", values.ValueBulkApi.as_view(), name="api-peer-value-bulk"),
    path("comparisons/", comparisons.ComparisonApi.as_view(), name="api-benchmark-comparison"),
    path("proposals/", proposals.ProposalListApi.as_view(), name="api-proposal-list"),
    path("proposals/<int:proposal_id>/", proposals.ProposalDetailApi.as_view(), name="api-proposal-detail"),
    path("proposals/<int:proposal_id>/accept/", proposals.ProposalAcceptApi.as_view(), name="api-proposal-accept"),
    path("proposals/<int:proposal_id>/decline/", proposals.ProposalDeclineApi.as_view(), name="api-proposal-decline"),
]
