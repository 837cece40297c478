"""REST API of projects, mounted under /t/<tenant>/api/v1/projects/."""

urlpatterns = []
