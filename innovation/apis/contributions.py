"""SCAFFOLD: replaced by the real API."""

from django.http import Http404
from rest_framework.views import APIView


class ContributionListApi(APIView):
    def get(self, request, **kwargs):
        raise Http404


class ContributionDetailApi(APIView):
    def get(self, request, **kwargs):
        raise Http404


class ContributionVerifyApi(APIView):
    def get(self, request, **kwargs):
        raise Http404


class ContributionRejectApi(APIView):
    def get(self, request, **kwargs):
        raise Http404

