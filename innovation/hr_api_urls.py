"""The HR system's API, mounted under /t/<tenant>/api/v1/hr/ (scope hr:read / hr:write)."""

from django.urls import path

from lean.hr_apis import HrSyncApi
from targets.hr_apis import HrAssessmentListApi

from .hr_apis import HrEmployeeApi, HrPointsApi, HrUnitTotalsApi

urlpatterns = [
    path("sync/", HrSyncApi.as_view(), name="api-hr-sync"),
    path("points/", HrPointsApi.as_view(), name="api-hr-points"),
    path("points/units/", HrUnitTotalsApi.as_view(), name="api-hr-unit-points"),
    path("employees/<str:employee_number>/", HrEmployeeApi.as_view(), name="api-hr-employee"),
    path("assessments/", HrAssessmentListApi.as_view(), name="api-hr-assessments"),
]
