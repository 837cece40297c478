"""REST API of projects, mounted under /t/<tenant>/api/v1/projects/."""

from django.urls import path

from .apis import cases, finance, guides, projects, reviews

urlpatterns = [
    path("guides/", guides.GuideListApi.as_view(), name="api-guide-list"),
    path("guides/<int:guide_id>/", guides.GuideDetailApi.as_view(), name="api-guide-detail"),
    path("projects/", projects.ProjectListApi.as_view(), name="api-project-list"),
    path("projects/<int:project_id>/", projects.ProjectDetailApi.as_view(), name="api-project-detail"),
    path(
        "projects/<int:project_id>/transitions/",
        projects.ProjectTransitionApi.as_view(),
        name="api-project-transition",
    ),
    path("projects/<int:project_id>/signoffs/", finance.BenefitSignoffApi.as_view(), name="api-project-signoffs"),
    path(
        "projects/<int:project_id>/signoffs/return/",
        finance.BenefitSignoffReturnApi.as_view(),
        name="api-project-signoff-return",
    ),
    path("finance/", finance.FinanceQueueApi.as_view(), name="api-finance-queue"),
    path("reviews/", reviews.ReviewListApi.as_view(), name="api-review-list"),
    path("reviews/<int:review_id>/", reviews.ReviewDetailApi.as_view(), name="api-review-detail"),
    path("cases/", cases.CaseListApi.as_view(), name="api-case-list"),
]
