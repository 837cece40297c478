"""SCAFFOLD: replaced by the real views."""

from django.http import Http404


def listing_list_view(request, **kwargs):
    raise Http404


def listing_new_view(request, **kwargs):
    raise Http404


def settings_view(request, **kwargs):
    raise Http404


def listing_detail_view(request, **kwargs):
    raise Http404


def listing_finalize_view(request, **kwargs):
    raise Http404


def objection_resolve_view(request, **kwargs):
    raise Http404

