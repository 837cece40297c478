"""Writes of the dynamic query: saving and deleting a query. The history records who and when."""

from django.db import transaction
from django.utils.translation import gettext as _

from insights.models import SavedQuery
from lean.errors import ApplicationError
from lean.models import Membership
from lean.permissions import require
from lean.tenancy import current_tenant


def saved_query_create(*, actor: Membership, name: str, params: dict) -> SavedQuery:
    """Keep the query's parameters (as the query form reads them) under a name."""
    name = (name or "").strip()
    if not name:
        raise ApplicationError(_("Give the query a name to save it."), code="name_required")
    require(actor, "query.use", message=_("You may not save queries."))
    with transaction.atomic():
        return SavedQuery.objects.create(tenant=current_tenant(), name=name[:100], params=params, created_by=actor)


def saved_query_delete(*, actor: Membership, saved_query: SavedQuery) -> None:
    """Delete a saved query: its owner or the lean office."""
    require(
        actor,
        "query.saved.delete",
        saved_query,
        message=_("Only whoever saved this query or the lean office may delete it."),
    )
    with transaction.atomic():
        saved_query.delete()
