"""(being written: placeholders so the URLconf imports meanwhile)"""

from django.http import Http404


def my_projects_view(request, *args, **kwargs):
    raise Http404


def project_new_view(request, *args, **kwargs):
    raise Http404


def project_edit_view(request, *args, **kwargs):
    raise Http404


def project_indicators_view(request, *args, **kwargs):
    raise Http404


def project_team_view(request, *args, **kwargs):
    raise Http404


def project_plan_view(request, *args, **kwargs):
    raise Http404


def project_closing_view(request, *args, **kwargs):
    raise Http404
