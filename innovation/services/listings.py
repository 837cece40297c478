"""Public innovation listings (创新公示): open a period's listing, objections during the window, resolution by
the lean office, and finalization that locks the points."""

from datetime import date, timedelta

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_update_with_history

from lean.errors import ApplicationError, Forbidden
from lean.models import Membership
from lean.notify import notify
from lean.permissions import can, require
from lean.selectors import lean_office_members
from lean.tenancy import current_tenant

from ..models import Contribution, InnovationSettings, Listing, Objection
from ..signals import listing_finalized


def settings_get() -> InnovationSettings:
    settings, _created = InnovationSettings.objects.get_or_create(tenant=current_tenant())
    return settings


@transaction.atomic
def settings_update(*, actor: Membership, objection_days: int) -> InnovationSettings:
    require(actor, "innovation.listing.manage", message=_("Only the lean office changes these settings."))
    if not 1 <= int(objection_days) <= 60:
        raise ApplicationError(
            _("The window is 1 to 60 days."), code="invalid", field_errors={"objection_days": [_("1 to 60.")]}
        )
    settings = settings_get()
    settings.objection_days = int(objection_days)
    settings._history_user = actor.user
    settings.save()
    return settings


def _listable(period_end: date):
    """Verified contributions not yet listed (or taken off a listing by an upheld objection), up to the end of
    the period: a contribution verified late is listed in the next listing, not lost."""
    return Contribution.objects.filter(
        status=Contribution.Status.VERIFIED, listing__isnull=True, final=False, occurred_on__lte=period_end
    )


def _when(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def listing_url(listing: Listing) -> str:
    from django.urls import reverse

    return reverse("innovation-listing", kwargs={"tenant_slug": current_tenant().slug, "listing_id": listing.pk})


@transaction.atomic
def listing_open(
    *, actor: Membership | None, period_start: date, period_end: date, title: str = "", now=None
) -> Listing:
    """Open the listing of a period with the tenant's objection window. Idempotent: the period's listing, if it
    exists, is returned as it is (a scheduled job may run twice)."""
    if actor is not None and not can(actor, "innovation.listing.manage"):
        raise Forbidden(_("Only the lean office opens listings."))
    if period_end < period_start:
        raise ApplicationError(_("The period ends before it starts."), code="invalid", field_errors={"period_end": []})
    tenant = current_tenant()
    with connection.cursor() as cursor:  # a second opening at the same moment waits, then finds the listing
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext('innovation.listing_open'), %s)", [tenant.pk])
    existing = Listing.objects.filter(period_start=period_start, period_end=period_end).first()
    if existing is not None:
        return existing
    candidates = _listable(period_end)
    if not candidates.exists():
        raise ApplicationError(_("No verified contribution is waiting to be listed."), code="nothing_to_list")
    now = now or timezone.now()
    listing = Listing(
        tenant=tenant,
        title=title.strip()
        or _("Innovation points listing %(start)s – %(end)s") % {"start": period_start, "end": period_end},
        period_start=period_start,
        period_end=period_end,
        opened_at=now,
        closes_at=now + timedelta(days=settings_get().objection_days),
        opened_by=actor,
    )
    if actor is not None:
        listing._history_user = actor.user
    listing.save()
    rows = list(candidates.select_for_update())
    for row in rows:
        row.listing = listing
    bulk_update_with_history(rows, Contribution, ["listing"], default_user=actor.user if actor else None)
    people = Membership.objects.filter(innovation_credits__contribution__listing=listing).distinct()
    notify(
        recipients=people.select_related("user"),
        title=_("Your innovation points are listed: %(title)s") % {"title": listing.title},
        body=_("Objections are open until %(date)s.") % {"date": _when(listing.closes_at)},
        url=listing_url(listing),
    )
    return listing


@transaction.atomic
def objection_raise(*, actor: Membership, contribution: Contribution, text: str, now=None) -> Objection:
    """Any member but a leader (who only reads) may object to a listed contribution while its listing's window
    is open."""
    require(actor, "innovation.participate", message=_("Your role only reads: it changes nothing."))
    contribution = Contribution.objects.select_related("listing").get(pk=contribution.pk)
    listing = contribution.listing
    now = now or timezone.now()
    if listing is None or listing.state != Listing.State.OPEN:
        raise ApplicationError(_("This contribution is not on an open listing."), code="not_listed")
    if now >= listing.closes_at:
        raise ApplicationError(_("The objection window has closed."), code="window_closed")
    if not text.strip():
        raise ApplicationError(_("Say what is wrong."), code="invalid", field_errors={"text": [_("Required.")]})
    objection = Objection(
        tenant=current_tenant(), listing=listing, contribution=contribution, raised_by=actor, text=text.strip()
    )
    objection._history_user = actor.user
    objection.save()
    notify(
        recipients=lean_office_members(),
        title=_("Objection to %(title)s") % {"title": contribution.title},
        body=objection.text,
        url=listing_url(listing),
        exclude=actor,
    )
    return objection


@transaction.atomic
def objection_resolve(*, actor: Membership, objection: Objection, uphold: bool, resolution: str) -> Objection:
    """The lean office dismisses an objection, or upholds it: the contribution leaves the listing, to be
    corrected (re-scored or rejected) and listed again later."""
    objection = Objection.objects.select_for_update().select_related("contribution", "listing").get(pk=objection.pk)
    require(actor, "innovation.listing.manage", message=_("Only the lean office resolves objections."))
    if objection.state != Objection.State.OPEN:
        raise ApplicationError(_("This objection is already resolved."), code="wrong_state")
    if objection.listing.state != Listing.State.OPEN:
        raise ApplicationError(_("The listing is final."), code="final")
    if not resolution.strip():
        raise ApplicationError(
            _("Say how it was resolved."), code="invalid", field_errors={"resolution": [_("Required.")]}
        )
    objection.state = Objection.State.UPHELD if uphold else Objection.State.DISMISSED
    objection.resolution, objection.resolved_by, objection.resolved_at = resolution.strip(), actor, timezone.now()
    objection._history_user = actor.user
    objection.save()
    if uphold:
        contribution = objection.contribution
        contribution.listing = None
        contribution._history_user = actor.user
        contribution._change_reason = _("Objection upheld")
        contribution.save()
    notify(
        recipients=[objection.raised_by],
        title=_("Your objection to %(title)s: %(state)s")
        % {"title": objection.contribution.title, "state": objection.get_state_display()},
        body=objection.resolution,
        url=listing_url(objection.listing),
        exclude=actor,
    )
    return objection


@transaction.atomic
def listing_finalize(*, actor: Membership | None, listing: Listing, now=None) -> Listing:
    """Make a listing's points final once its window has closed and no objection is open: the contributions
    lock, and `listing_finalized` is sent after commit (HR hears of it)."""
    listing = Listing.objects.select_for_update().get(pk=listing.pk)
    if actor is not None and not can(actor, "innovation.listing.manage"):
        raise Forbidden(_("Only the lean office finalizes listings."))
    if listing.state == Listing.State.FINAL:
        return listing
    now = now or timezone.now()
    if now < listing.closes_at:
        raise ApplicationError(
            _("The objection window is open until %(date)s.") % {"date": _when(listing.closes_at)},
            code="window_open",
        )
    open_count = listing.objections.filter(state=Objection.State.OPEN).count()
    if open_count:
        raise ApplicationError(
            _("%(count)d objection(s) are still open: resolve them first.") % {"count": open_count},
            code="objections_open",
        )
    rows = list(listing.contributions.select_for_update())
    for row in rows:
        row.final = True
    bulk_update_with_history(rows, Contribution, ["final"], default_user=actor.user if actor else None)
    listing.state, listing.finalized_at, listing.finalized_by = Listing.State.FINAL, now, actor
    if actor is not None:
        listing._history_user = actor.user
    listing.save()
    transaction.on_commit(lambda: listing_finalized.send(sender=Listing, listing=listing))
    return listing
