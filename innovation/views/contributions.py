"""SCAFFOLD: replaced by the real views."""

from django.http import Http404


def contribution_list_view(request, **kwargs):
    raise Http404


def contribution_new_view(request, **kwargs):
    raise Http404


def contribution_detail_view(request, **kwargs):
    raise Http404


def contribution_verify_view(request, **kwargs):
    raise Http404


def contribution_reject_view(request, **kwargs):
    raise Http404


def contribution_rescore_view(request, **kwargs):
    raise Http404


def objection_new_view(request, **kwargs):
    raise Http404

