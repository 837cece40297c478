"""SCAFFOLD: replaced by the real API."""

from django.http import Http404
from rest_framework.views import APIView


class SuggestionListApi(APIView):
    def get(self, request, **kwargs):
        raise Http404


class SuggestionDetailApi(APIView):
    def get(self, request, **kwargs):
        raise Http404

