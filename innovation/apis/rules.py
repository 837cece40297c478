"""SCAFFOLD: replaced by the real API."""

from django.http import Http404
from rest_framework.views import APIView


class TypeListApi(APIView):
    def get(self, request, **kwargs):
        raise Http404


class RuleVersionListApi(APIView):
    def get(self, request, **kwargs):
        raise Http404


class RuleVersionDetailApi(APIView):
    def get(self, request, **kwargs):
        raise Http404

