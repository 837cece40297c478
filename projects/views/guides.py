"""(being written: placeholders so the URLconf imports meanwhile)"""

from django.http import Http404


def guide_list_view(request, *args, **kwargs):
    raise Http404


def guide_detail_view(request, *args, **kwargs):
    raise Http404


def direction_new_view(request, *args, **kwargs):
    raise Http404


def direction_edit_view(request, *args, **kwargs):
    raise Http404


def direction_from_shortfall_view(request, *args, **kwargs):
    raise Http404
