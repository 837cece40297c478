"""The HR system's API, mounted under /t/<tenant>/api/v1/hr/ (scope hr:read / hr:write)."""

from django.urls import path

from integrations.hr.assessments import HrAssessmentListApi
from integrations.hr.points import HrEmployeeApi, HrPointsApi, HrUnitTotalsApi
from integrations.hr.sync_api import HrSyncApi

urlpatterns = [
    path("sync/", HrSyncApi.as_view(), name="api-hr-sync"),
    path("points/", HrPointsApi.as_view(), name="api-hr-points"),
    path("points/units/", HrUnitTotalsApi.as_view(), name="api-hr-unit-points"),
    path("employees/<str:employee_number>/", HrEmployeeApi.as_view(), name="api-hr-employee"),
    path("assessments/", HrAssessmentListApi.as_view(), name="api-hr-assessments"),
]
