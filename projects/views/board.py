"""The portfolio of the lean office and the unit managers: a kanban board by state and a filterable, sortable
table of the same projects."""

from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from lean.paging import paginate
from lean.permissions import require

from .. import queries
from ..forms_reviews import PortfolioFilterForm, PortfolioTableForm

TABLE_PAGE = 50
TABLE_COLUMNS = [
    ("code", _("Code")),
    ("title", _("Title")),
    ("unit", _("Unit")),
    ("tier", _("Tier")),
    ("state", _("State")),
    ("year", _("Year")),
    ("days", _("Days in state")),
]


def _form(request, form_class):
    scope = queries.portfolio_scope(request.membership)
    form = form_class(
        request.GET or None,
        years=queries.portfolio_years(scope),
        units=queries.portfolio_units(request.membership),
        directions=queries.directions(),
    )
    return scope, form


def _render(request, template, partial, context):
    response = render(request, f"{template}#{partial}" if request.htmx else template, context)
    response.headers["Vary"] = "HX-Request"
    return response


def board_view(request, tenant_slug):
    require(request, "projects.portfolio")
    scope, form = _form(request, PortfolioFilterForm)
    filters = form.filters()
    context = {
        "form": form,
        "board": queries.board(queries.portfolio_filter(scope, **filters)),
        "query": _query(request, drop=("page", "state", "sort")),
        "cap": queries.BOARD_CAP,
    }
    return _render(request, "projects/board_kanban.html", "board-body", context)


def table_view(request, tenant_slug):
    require(request, "projects.portfolio")
    scope, form = _form(request, PortfolioTableForm)
    sort = form.sort_key()
    rows = queries.table(queries.portfolio_filter(scope, **form.filters()), sort=sort)
    page, query = paginate(request, rows, TABLE_PAGE)
    queries.mark_days(page.object_list)
    base = _query(request, drop=("page", "sort"))
    columns = []
    for key, label in TABLE_COLUMNS:
        active = sort.lstrip("-") == key
        descending = active and sort.startswith("-")
        target = f"-{key}" if active and not descending else key
        columns.append(
            {"key": key, "label": label, "active": active, "descending": descending, "url": f"?{base}&sort={target}"}
        )
    context = {
        "form": form,
        "page": page,
        "columns": columns,
        "query": query,
    }
    return _render(request, "projects/board_table.html", "table-body", context)


def _query(request, drop=()):
    query = request.GET.copy()
    for name in drop:
        query.pop(name, None)
    return query.urlencode()
