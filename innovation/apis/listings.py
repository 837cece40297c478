"""SCAFFOLD: replaced by the real API."""

from django.http import Http404
from rest_framework.views import APIView


class ListingListApi(APIView):
    def get(self, request, **kwargs):
        raise Http404


class ListingDetailApi(APIView):
    def get(self, request, **kwargs):
        raise Http404

