"""(being written: placeholders so the URLconf imports meanwhile)"""

from django.http import Http404


def board_view(request, *args, **kwargs):
    raise Http404


def table_view(request, *args, **kwargs):
    raise Http404
