"""SCAFFOLD: replaced by the real views."""

from django.http import Http404


def suggestion_list_view(request, **kwargs):
    raise Http404


def suggestion_new_view(request, **kwargs):
    raise Http404


def suggestion_detail_view(request, **kwargs):
    raise Http404


def suggestion_act_view(request, **kwargs):
    raise Http404

