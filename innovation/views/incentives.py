"""SCAFFOLD: replaced by the real views."""

from django.http import Http404


def incentive_list_view(request, **kwargs):
    raise Http404


def incentive_new_view(request, **kwargs):
    raise Http404


def studio_new_view(request, **kwargs):
    raise Http404

