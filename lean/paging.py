"""One way to page a list on a page: the page the request asks for, and the list's query string for the pager's
links (templates/lean/_pager.html), so that moving to another page keeps the filters."""

from django.core.paginator import Page, Paginator


def paginate(request, rows, per_page: int) -> tuple[Page, str]:
    """The page of `rows` that `?page=` asks for (the first when it is not a number, the last when past the end),
    and the request's query string without `page`, urlencoded."""
    page = Paginator(rows, per_page).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return page, query.urlencode()
