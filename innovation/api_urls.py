"""REST API of innovation, mounted under /t/<tenant>/api/v1/innovation/."""

from django.urls import path

from .apis import archives, contributions, listings, rules, suggestions

urlpatterns = [
    path("types/", rules.TypeListApi.as_view(), name="api-innovation-type-list"),
    path("rules/", rules.RuleVersionListApi.as_view(), name="api-innovation-rule-list"),
    path("rules/<int:ruleversion_id>/", rules.RuleVersionDetailApi.as_view(), name="api-innovation-rule-detail"),
    path("contributions/", contributions.ContributionListApi.as_view(), name="api-innovation-contribution-list"),
    path(
        "contributions/<int:contribution_id>/",
        contributions.ContributionDetailApi.as_view(),
        name="api-innovation-contribution-detail",
    ),
    path(
        "contributions/<int:contribution_id>/verify/",
        contributions.ContributionVerifyApi.as_view(),
        name="api-innovation-contribution-verify",
    ),
    path(
        "contributions/<int:contribution_id>/reject/",
        contributions.ContributionRejectApi.as_view(),
        name="api-innovation-contribution-reject",
    ),
    path("suggestions/", suggestions.SuggestionListApi.as_view(), name="api-innovation-suggestion-list"),
    path(
        "suggestions/<int:suggestion_id>/",
        suggestions.SuggestionDetailApi.as_view(),
        name="api-innovation-suggestion-detail",
    ),
    path(
        "archives/employees/<str:employee_number>/",
        archives.EmployeeArchiveApi.as_view(),
        name="api-innovation-employee-archive",
    ),
    path("archives/units/<int:unit_id>/", archives.UnitArchiveApi.as_view(), name="api-innovation-unit-archive"),
    path("listings/", listings.ListingListApi.as_view(), name="api-innovation-listing-list"),
    path("listings/<int:listing_id>/", listings.ListingDetailApi.as_view(), name="api-innovation-listing-detail"),
]
