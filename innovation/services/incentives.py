"""Incentives (激励): honours, titles, innovation studios (创新工作室) and performance bonus points for HR."""

from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _

from lean.errors import ApplicationError
from lean.models import Membership, Unit
from lean.notify import notify
from lean.permissions import require
from lean.tenancy import current_tenant

from ..models import Incentive, Studio


@transaction.atomic
def studio_create(
    *, actor: Membership, name: str, unit: Unit, leader: Membership, established_on, description: str = ""
) -> Studio:
    require(actor, "innovation.incentive.manage", unit, message=_("You may not record incentives for this unit."))
    if not name.strip():
        raise ApplicationError(_("Give it a name."), code="invalid", field_errors={"name": [_("Required.")]})
    studio = Studio(
        tenant=current_tenant(),
        name=name.strip(),
        unit=unit,
        leader=leader,
        established_on=established_on,
        description=description.strip(),
    )
    studio._history_user = actor.user
    studio.save()
    return studio


@transaction.atomic
def incentive_create(
    *,
    actor: Membership,
    member: Membership,
    kind: str,
    name: str,
    reason: str,
    awarded_on,
    bonus_points=None,
    studio: Studio | None = None,
) -> Incentive:
    """Record an incentive against a person, with a reason. Bonus points need a positive amount; a studio
    place needs the studio."""
    require(
        actor, "innovation.incentive.manage", member.unit, message=_("You may not record incentives for this person.")
    )
    errors = {}
    if kind not in Incentive.Kind.values:
        errors["kind"] = [_("Choose a kind.")]
    if not name.strip():
        errors["name"] = [_("Required.")]
    if not reason.strip():
        errors["reason"] = [_("Give a reason.")]
    amount = None
    if kind == Incentive.Kind.BONUS:
        try:
            amount = Decimal(str(bonus_points))
            if amount <= 0 or amount.as_tuple().exponent < -2:
                raise InvalidOperation
        except (InvalidOperation, TypeError):
            errors["bonus_points"] = [_("Enter points above zero, with at most two decimals.")]
    if kind == Incentive.Kind.STUDIO and studio is None:
        errors["studio"] = [_("Choose the studio.")]
    if errors:
        raise ApplicationError(_("Check the highlighted fields."), code="invalid", field_errors=errors)
    incentive = Incentive(
        tenant=current_tenant(),
        member=member,
        kind=kind,
        name=name.strip(),
        reason=reason.strip(),
        awarded_on=awarded_on,
        bonus_points=amount,
        studio=studio if kind == Incentive.Kind.STUDIO else None,
        awarded_by=actor,
    )
    incentive._history_user = actor.user
    incentive.save()
    notify(
        recipients=[member],
        title=_("You received: %(name)s") % {"name": incentive.name},
        body=incentive.reason,
        exclude=actor,
    )
    return incentive
