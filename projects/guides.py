"""Writes of the yearly improvement guide (《精益改善指引》): drafted by the lean office, read-only once published."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from lean.errors import ApplicationError, Forbidden
from lean.models import Membership, Role
from lean.tenancy import current_tenant
from targets.models import Shortfall, TargetNode

from .models import Direction, DirectionSource, Guide


def _office(actor: Membership) -> None:
    if Role.LEAN_OFFICE not in actor.roles:
        raise Forbidden


def _draft(guide: Guide) -> Guide:
    guide = Guide.objects.select_for_update().get(pk=guide.pk)
    if guide.is_published:
        raise ApplicationError(_("A published guide cannot be changed."), code="published")
    return guide


@transaction.atomic
def guide_create(*, actor: Membership, year: int, title: str = "", introduction: str = "") -> Guide:
    _office(actor)
    if Guide.objects.filter(year=year).exists():
        raise ApplicationError(
            _("There is already a guide for %(year)s.") % {"year": year}, code="duplicate", field_errors={"year": []}
        )
    return Guide.objects.create(
        tenant=current_tenant(),
        year=year,
        title=title or _("%(year)s lean improvement guide") % {"year": year},
        introduction=introduction,
    )


@transaction.atomic
def guide_update(*, actor: Membership, guide: Guide, title: str, introduction: str) -> Guide:
    _office(actor)
    guide = _draft(guide)
    guide.title, guide.introduction = title, introduction
    guide.save()
    return guide


@transaction.atomic
def guide_publish(*, actor: Membership, guide: Guide) -> Guide:
    _office(actor)
    guide = _draft(guide)
    if not guide.directions.exists():
        raise ApplicationError(_("A guide needs at least one direction before it is published."), code="empty")
    guide.published_at, guide.published_by = timezone.now(), actor
    guide._history_user = actor.user
    guide.save()
    return guide


def _set_sources(direction: Direction, nodes) -> None:
    for link in DirectionSource.objects.filter(direction=direction).exclude(node__in=list(nodes)):
        link.delete()
    have = set(DirectionSource.objects.filter(direction=direction).values_list("node_id", flat=True))
    bulk_create_with_history(
        [DirectionSource(tenant=direction.tenant, direction=direction, node=n) for n in nodes if n.pk not in have],
        DirectionSource,
    )


@transaction.atomic
def direction_save(
    *,
    actor: Membership,
    guide: Guide,
    direction: Direction | None = None,
    code: str,
    title: str,
    description: str,
    requirements: str = "",
    sources=(),
    from_shortfall: Shortfall | None = None,
) -> Direction:
    """Add or change a direction; `sources` are annual-priority nodes or shortfall indicators' nodes."""
    _office(actor)
    guide = _draft(guide)
    clash = Direction.objects.filter(guide=guide, code=code)
    if direction is not None:
        clash = clash.exclude(pk=direction.pk)
    if clash.exists():
        raise ApplicationError(
            _("Code %(code)s is already used in this guide.") % {"code": code}, field_errors={"code": []}
        )
    wrong_year = [n for n in sources if n.tree.year != guide.year]
    if wrong_year:
        raise ApplicationError(
            _("%(code)s belongs to another year's target tree.") % {"code": wrong_year[0].code},
            field_errors={"sources": []},
        )
    direction = direction or Direction(tenant=guide.tenant, guide=guide, position=guide.directions.count())
    direction.code, direction.title, direction.description = code, title.strip(), description.strip()
    direction.requirements = requirements.strip()
    if from_shortfall is not None:
        direction.from_shortfall = from_shortfall
    direction.save()
    _set_sources(direction, list(sources))
    return direction


@transaction.atomic
def direction_from_shortfall(*, actor: Membership, guide: Guide, shortfall: Shortfall) -> Direction:
    """One action: a direction drafted from a shortfall, linked to its indicator, to be edited afterwards."""
    indicator = shortfall.indicator
    node = TargetNode.objects.select_related("tree").get(pk=indicator.node_id)
    code = f"D{guide.directions.count() + 1:02d}"
    while Direction.objects.filter(guide=guide, code=code).exists():
        code += "a"
    text = _("%(unit)s missed %(indicator)s in %(period)s: %(actual)s against %(target)s.") % {
        "unit": shortfall.unit.name,
        "indicator": node.name,
        "period": shortfall.period.label,
        "actual": shortfall.actual.normalize(),
        "target": shortfall.target.normalize(),
    }
    sources = [node] if node.tree.year == guide.year else []
    return direction_save(
        actor=actor,
        guide=guide,
        code=code,
        title=_("Improve %(indicator)s") % {"indicator": node.name},
        description=f"{text}\n{shortfall.analysis}".strip(),
        requirements=shortfall.actions,
        sources=sources,
        from_shortfall=shortfall,
    )


@transaction.atomic
def direction_delete(*, actor: Membership, direction: Direction) -> None:
    _office(actor)
    _draft(direction.guide)
    direction.delete()
