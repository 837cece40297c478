"""(being written: placeholders so the URLconf imports meanwhile)"""

from django.http import Http404


def review_queue_view(request, *args, **kwargs):
    raise Http404


def review_view(request, *args, **kwargs):
    raise Http404


def criteria_view(request, *args, **kwargs):
    raise Http404
