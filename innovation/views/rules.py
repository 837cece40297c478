"""SCAFFOLD: replaced by the real views."""

from django.http import Http404


def rules_view(request, **kwargs):
    raise Http404


def rule_version_new_view(request, **kwargs):
    raise Http404


def rules_preview_view(request, **kwargs):
    raise Http404


def rule_version_view(request, **kwargs):
    raise Http404


def type_new_view(request, **kwargs):
    raise Http404


def tuning_view(request, **kwargs):
    raise Http404

