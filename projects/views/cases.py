"""The case library (优秀案例): excellent closed projects, searchable by every member."""

from django.shortcuts import render

from lean.models import Unit
from lean.paging import paginate
from lean.permissions import require

from ..forms_reviews import CaseFilterForm
from ..selectors import library

CASES_PAGE = 12


def case_library_view(request, tenant_slug):
    require(request, "projects.view")
    form = CaseFilterForm(
        request.GET or None,
        years=library.case_years(),
        units=Unit.objects.filter(active=True).order_by("path"),
        indicators=library.case_indicators(),
    )
    cases = library.case_list(request.membership, **form.filters())
    page, query = paginate(request, cases, CASES_PAGE)
    context = {"form": form, "page": page, "query": query}
    template = "projects/case_library.html#case-list" if request.htmx else "projects/case_library.html"
    response = render(request, template, context)
    response.headers["Vary"] = "HX-Request"
    return response
