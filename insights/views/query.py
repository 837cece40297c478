"""Pages of the dynamic query (动态查询): the query page, its chart data, its exports and the saved queries.

The query comes from the query string (or a saved query), the tenant from the URL only, and the scope from the
viewer: a unit manager's queries never reach past their own units.
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from insights.query.forms import DEFAULTS, QueryForm, SaveQueryForm, measure_groupings
from insights.query.selectors import query_run, saved_query_get, saved_query_list, scope_root_default
from insights.query.services import saved_query_create, saved_query_delete
from lean import exports
from lean.errors import ApplicationError
from lean.forms import flash_error
from lean.models import Role
from lean.permissions import can, require


def _query_form(request, params=None):
    data = params if params is not None else (request.GET if request.GET else DEFAULTS)
    return QueryForm(data, viewer=request.membership)


def _run(request, form):
    return query_run(**form.query_kwargs(root_default=scope_root_default(viewer=request.membership)))


def _page(request, form, *, saved=None, save_form=None, status=None):
    result = None
    querystring = drill_querystring = ""
    if form.is_valid():
        result = _run(request, form)
        querystring = urlencode(form.params())
        drill_querystring = urlencode({k: v for k, v in form.params().items() if k != "unit"})
    slug = request.tenant.slug
    saved_queries = list(saved_query_list())
    context = {
        "form": form,
        "result": result,
        "querystring": querystring,
        "drill_querystring": drill_querystring,
        "save_form": save_form or SaveQueryForm(),
        "saved": saved,
        "saved_queries": saved_queries,
        "data_url": reverse("query-data", kwargs={"tenant_slug": slug}) + "?" + querystring,
        "scope_note": _scope_note(request),
        "groupings": measure_groupings(),
        "may_delete": {q.pk for q in saved_queries if can(request.membership, "query.saved.delete", q)},
    }
    if status is None:
        status = 200 if result is not None else 400
    return render(request, "lean/query.html", context, status=status)


def _scope_note(request):
    member = request.membership
    if member.has_role(Role.LEAN_OFFICE):
        return ""
    return _("Your queries cover %(unit)s and the units below it.") % {"unit": member.unit.name}


@require_GET
def query_view(request, tenant_slug):
    require(request, "query.use")
    return _page(request, _query_form(request))


@require_GET
def query_data_view(request, tenant_slug):
    """The chart's data: the same query as the page, as JSON."""
    require(request, "query.use")
    form = _query_form(request)
    if not form.is_valid():
        return JsonResponse({"errors": form.errors.get_json_data()}, status=400)
    return JsonResponse(_run(request, form).chart())


@require_GET
def query_export_view(request, tenant_slug, fmt):
    require(request, "query.use")
    form = _query_form(request)
    if not form.is_valid():
        return _page(request, form)
    result = _run(request, form)
    prefix = _("query")  # the file's name starts with the word, in the reader's language
    filename = f"{prefix}-{form.chosen_measure.key}-{form.cleaned_data['group_by']}"
    return exports.table_response(fmt=fmt, filename=filename, headers=result.headers(), rows=result.table())


@require_POST
def query_save_view(request, tenant_slug):
    require(request, "query.use")
    form = QueryForm(request.POST, viewer=request.membership)
    save_form = SaveQueryForm(request.POST)
    if form.is_valid() and save_form.is_valid():
        try:
            saved = saved_query_create(
                actor=request.membership, name=save_form.cleaned_data["name"], params=form.params()
            )
        except ApplicationError as error:
            save_form.add_error("name", error.message)
        else:
            messages.success(request, _("The query “%(name)s” was saved.") % {"name": saved.name})
            return redirect("query-saved", tenant_slug=tenant_slug, saved_query_id=saved.pk)
    return _page(request, form, save_form=save_form, status=400)


@require_GET
def saved_query_view(request, tenant_slug, saved_query_id):
    """A saved query, run for whoever opens it, within their own scope."""
    saved = saved_query_get(saved_query_id=saved_query_id)
    require(request, "query.use")
    params = dict(saved.params)
    form = QueryForm(params, viewer=request.membership)
    if not form.is_valid() and "unit" in form.errors and "unit" in params:
        # A unit outside the viewer's scope: the query runs over the viewer's own units instead.
        params.pop("unit")
        form = QueryForm(params, viewer=request.membership)
        messages.info(request, _("This query was narrowed to your own units."))
    return _page(request, form, saved=saved)


@require_POST
def saved_query_delete_view(request, tenant_slug, saved_query_id):
    saved = saved_query_get(saved_query_id=saved_query_id)
    require(request, "query.saved.delete", saved)
    try:
        saved_query_delete(actor=request.membership, saved_query=saved)
    except ApplicationError as error:
        flash_error(request, error)
    else:
        messages.success(request, _("The saved query “%(name)s” was deleted.") % {"name": saved.name})
    return redirect("query", tenant_slug=tenant_slug)
