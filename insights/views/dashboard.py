"""The lean office's dashboard (数据中台) and the JSON endpoint of each tile, which its charts are drawn from."""

from decimal import Decimal, InvalidOperation
from urllib.parse import urlencode

from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.urls import reverse

from insights.dashboard import tiles
from insights.dashboard.scope import base_unit, scope_for
from lean.access import in_subtree
from lean.exports import table_response
from lean.models import Unit
from lean.permissions import require
from targets.models import TargetTree


def _scope(request):
    require(request, "dashboard.view")
    return scope_for(request.membership, unit_id=request.GET.get("unit"), year=request.GET.get("year"))


def _query(scope) -> str:
    query = {"year": scope.year}
    if scope.picked:
        query["unit"] = scope.unit_id
    return urlencode(query)


def dashboard_view(request, tenant_slug):
    scope = _scope(request)
    ctx = tiles.context(member=request.membership, scope=scope, slug=tenant_slug)
    query = _query(scope)
    built = []
    for name in tiles.TILES:
        tile = tiles.build(name, ctx)
        tile["json_url"] = f"{reverse(f'dashboard-tile-{name}', kwargs={'tenant_slug': tenant_slug})}?{query}"
        for table in tile["tables"]:
            table["exports"] = {
                fmt: f"{reverse(f'dashboard-tile-{name}-{fmt}', kwargs={'tenant_slug': tenant_slug})}"
                f"?{query}&{urlencode({'table': table['id']})}"
                for fmt in ("xlsx", "csv")
            }
        built.append(tile)
    base = base_unit(request.membership)
    units = in_subtree(Unit.objects.filter(active=True).order_by("path"), base, field="")
    context = {
        "scope": scope,
        "tiles": built,
        "unit_options": [(unit.pk, f"{'— ' * max(unit.depth, 0)}{unit.name}") for unit in units],
        "may_tenant": base is None,
        "years": list(TargetTree.objects.order_by("-year").values_list("year", flat=True)),
    }
    return render(request, "lean/dashboard.html", context)


def tile_view(request, tenant_slug, tile):
    scope = _scope(request)
    ctx = tiles.context(member=request.membership, scope=scope, slug=tenant_slug)
    return JsonResponse(tiles.build(tile, ctx), encoder=DjangoJSONEncoder, json_dumps_params={"ensure_ascii": False})


def tile_export_view(request, tenant_slug, tile, fmt):
    """One table of a tile (`?table=` its id, the first by default) as xlsx or CSV, in the same scope."""
    scope = _scope(request)
    built = tiles.build(tile, tiles.context(member=request.membership, scope=scope, slug=tenant_slug))
    chosen = request.GET.get("table")
    table = next((t for t in built["tables"] if t["id"] == chosen), None) if chosen else built["tables"][0]
    if table is None:
        raise Http404
    rows = [[export_value(c["text"]) for c in row] for row in table["rows"]]
    filename = f"{built['title']} - {table['caption']} - {scope.year}"
    return table_response(fmt=fmt, filename=filename, headers=[str(c) for c in table["columns"]], rows=rows)


def export_value(text: str):
    """A figure the tile wrote for reading ("1,200,000", "12") back as a number for the spreadsheet; anything
    else ("96.4%", "—", a name) stays text."""
    plain = text.replace(",", "")
    try:
        return Decimal(plain) if plain and plain[0] in "0123456789" else text
    except InvalidOperation:
        return text
