"""The portfolio of the lean office and the unit managers: a kanban board by state and a filterable, sortable
table of the same projects."""

from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from lean.paging import paginate
from lean.permissions import require

from ..forms_reviews import PortfolioFilterForm, PortfolioTableForm
from ..selectors import portfolio

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
    scope = portfolio.portfolio_scope(request.membership)
    form = form_class(
        request.GET or None,
        years=portfolio.portfolio_years(scope),
        units=portfolio.portfolio_units(request.membership),
        directions=portfolio.directions(),
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
        "board": portfolio.board(portfolio.portfolio_filter(scope, **filters)),
        "query": _query(request, drop=("page", "state", "sort")),
        "cap": portfolio.BOARD_CAP,
    }
    return _render(request, "projects/board_kanban.html", "board-body", context)


def table_view(request, tenant_slug):
    require(request, "projects.portfolio")
    scope, form = _form(request, PortfolioTableForm)
    sort = form.sort_key()
    rows = portfolio.table(portfolio.portfolio_filter(scope, **form.filters()), sort=sort)
    page, query = paginate(request, rows, TABLE_PAGE)
    portfolio.mark_days(page.object_list)
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
