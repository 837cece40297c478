"""The listing job (创新公示): open the listing of the period that just ended, and close the listings whose
objection window has closed.

- Opening: on the tenant's listing day and hour (its time zone), the previous month's or quarter's listing is
  opened by `listing_open(actor=None)`; with nothing to list the run simply finishes with {"listed": 0}.
- Closing runs on every dispatch: a listing whose window has closed with no open objection is finalized (points
  lock, HR hears of it); one with open objections waits for the lean office, who are reminded at most once a
  local day (`Listing.reminded_at`).
"""

from datetime import timedelta

from django.db.models import Count, Exists, OuterRef, Q
from django.utils.translation import gettext as _

from lean import periods
from lean.errors import ApplicationError
from lean.notify import notify
from lean.selectors import lean_office_members
from lean.tenancy import current_tenant
from scheduling import services as jobs
from scheduling.models import JobRun

from .models import Listing, Objection
from .services.listings import listing_finalize, listing_open, listing_url

JOB = "innovation_listing"  # its name in scheduling.registry


def _local_midnight(tenant, now):
    return jobs.local_now(tenant, now).replace(hour=0, minute=0, second=0, microsecond=0)


def opening_period(*, tenant, now) -> periods.Period | None:
    """The period whose listing the scheduler opens now, or None (cadence off, day not come, already done)."""
    period = jobs.scheduled_cycle(JOB, tenant=tenant, now=now)
    if period is None or jobs.finished(JOB, str(period)):
        return None
    return period


def _closable(*, tenant, now):
    """Open listings past their window that can be finalized, or whose lean office has not been reminded today."""
    open_objection = Objection.objects.filter(listing=OuterRef("pk"), state=Objection.State.OPEN)
    return Listing.objects.filter(state=Listing.State.OPEN, closes_at__lte=now).filter(
        ~Exists(open_objection) | Q(reminded_at=None) | Q(reminded_at__lt=_local_midnight(tenant, now))
    )


def listings_close(*, tenant, now) -> dict:
    """Finalize every listing whose window has closed with no open objection; remind the lean office of those held
    up by objections (once a local day each)."""
    finalized, waiting, reminded = [], [], []
    midnight = _local_midnight(tenant, now)
    listings = (
        Listing.objects.filter(state=Listing.State.OPEN, closes_at__lte=now)
        .annotate(open_objections=Count("objections", filter=Q(objections__state=Objection.State.OPEN)))
        .order_by("closes_at", "pk")
    )
    office = None
    for listing in listings:
        if not listing.open_objections:
            listing_finalize(actor=None, listing=listing, now=now)
            finalized.append(listing.pk)
            continue
        waiting.append(listing.pk)
        if listing.reminded_at is not None and listing.reminded_at >= midnight:
            continue
        if office is None:
            office = list(lean_office_members())
        notify(
            recipients=office,
            title=_("%(title)s waits for %(count)d open objection(s)")
            % {"title": listing.title, "count": listing.open_objections},
            body=_("Its objection window has closed. Resolve the objections so that the listing can be finalized."),
            url=listing_url(listing),
        )
        listing.reminded_at = now
        listing.save(update_fields=["reminded_at"])
        reminded.append(listing.pk)
    return {"finalized": finalized, "waiting": waiting, "reminded": reminded}


# ---------------------------------------------------------------- the job


def job_period(text, *, manual: bool, now, tenant) -> str:
    """The listing period to open: the one asked for; for a manual run without one, the period that just ended;
    for the scheduler, the period whose day has come ("" when none: the run only closes listings)."""
    if text:
        return str(jobs.parse_job_period(text))
    if manual:
        cadence = jobs.schedule_for(JOB).cadence
        return str(jobs.default_period(cadence=cadence, today=jobs.local_now(tenant, now).date()))
    period = opening_period(tenant=tenant, now=now)
    return str(period) if period else ""


def job_body(*, period: str, run: JobRun, now) -> dict:
    result = {"period": period}
    if period:
        p = periods.parse(period)
        try:
            listing = listing_open(actor=None, period_start=p.start, period_end=p.end - timedelta(days=1), now=now)
        except ApplicationError as error:
            if error.code != "nothing_to_list":
                raise
            result.update(listed=0, listing_id=None)
        else:
            result.update(listed=listing.contributions.count(), listing_id=listing.pk)
    result.update(listings_close(tenant=current_tenant(), now=now))
    return result


def is_due(tenant, now) -> bool:
    """Due when a listing is to be opened, or one is to be finalized or its lean office reminded (a cheap query
    on every dispatch)."""
    return opening_period(tenant=tenant, now=now) is not None or _closable(tenant=tenant, now=now).exists()
