"""(being written: placeholders so the URLconf imports meanwhile)"""

from django.http import Http404


def case_library_view(request, *args, **kwargs):
    raise Http404
