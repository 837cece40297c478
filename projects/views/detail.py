"""(being written: placeholders so the URLconf imports meanwhile)"""

from django.http import Http404


def project_detail_view(request, *args, **kwargs):
    raise Http404


def project_transition_view(request, *args, **kwargs):
    raise Http404


def project_note_view(request, *args, **kwargs):
    raise Http404


def attachment_upload_view(request, *args, **kwargs):
    raise Http404


def attachment_download_view(request, *args, **kwargs):
    raise Http404
