"""The lean office's dashboard (数据中台) and the JSON endpoint of each tile, which its charts are drawn from."""

from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.http import JsonResponse
from django.shortcuts import render
from django.urls import reverse

from targets.models import TargetTree

from ..dashboard import tiles
from ..dashboard.scope import base_unit, scope_for
from ..models import Unit
from ..permissions import can


def _scope(request):
    if not can(request.membership, "dashboard.view"):
        raise PermissionDenied
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
        built.append(tile)
    units = Unit.objects.filter(active=True).order_by("path")
    base = base_unit(request.membership)
    if base is not None:
        units = units.filter(path__startswith=base.path)
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
