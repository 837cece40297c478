"""SCAFFOLD: replaced by the real views."""

from django.http import Http404


def my_archive_view(request, **kwargs):
    raise Http404


def member_archive_view(request, **kwargs):
    raise Http404


def tenant_archive_view(request, **kwargs):
    raise Http404


def unit_archive_view(request, **kwargs):
    raise Http404

