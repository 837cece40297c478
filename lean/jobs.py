"""Running the tenants' scheduled jobs (shortfall reports, innovation listings, reminders) and recording each run.

A job is registered twice by its app: its TenantJob (lean.scheduling: when it is due, which Celery task starts it)
and its body here (`job_body_register`: which period a run is for, and the work). `run_job` is the one way a job
runs — from its Celery task, a manual run from the UI (`job_enqueue`) or the `run_job` management command:

- a JobRun row records it: started → finished with the result, or failed with the error;
- the work runs in its own transaction (a savepoint): a failure leaves nothing of it behind, and the failed JobRun
  is saved after that rollback;
- database and broker errors are re-raised, so the task retries with backoff (TenantTask), and the whole attempt
  (its JobRun included) rolls back;
- texts the job writes (notifications, titles) are in the tenant's language.
"""

import logging
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import datetime, time
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from targets import periods

from .errors import ApplicationError, Forbidden
from .models import JobRun, JobSettings, Membership, Tenant
from .permissions import is_lean_office
from .scheduling import JOBS
from .tenancy import current_tenant, tenant_scope

logger = logging.getLogger(__name__)

SHORTFALL_REPORT, INNOVATION_LISTING, REMINDERS = "shortfall_report", "innovation_listing", "reminders"

JOB_LABELS = {
    SHORTFALL_REPORT: gettext_lazy("Shortfall reports"),
    INNOVATION_LISTING: gettext_lazy("Public innovation listings"),
    REMINDERS: gettext_lazy("Reminders"),
}


@dataclass(frozen=True)
class JobBody:
    # (period text or None, *, manual, now, tenant) -> the period label the run is for ("" when none); raises
    # ApplicationError for a period the job cannot run for.
    period: Callable[..., str]
    # (*, period: str, run: JobRun, now) -> the result, a JSON-able dict
    body: Callable[..., dict]


BODIES: dict[str, JobBody] = {}


def job_body_register(name: str, *, period: Callable[..., str], body: Callable[..., dict]) -> None:
    BODIES[name] = JobBody(period=period, body=body)


def _retryable() -> tuple:
    from .tasks import TenantTask

    return TenantTask.autoretry_for


def _error_text(error: Exception) -> str:
    text = str(getattr(error, "message", "") or error) or type(error).__name__
    return f"{type(error).__name__}: {text}"[:2000]


def _scope(tenant: Tenant):
    active = current_tenant()
    return nullcontext() if active is not None and active.pk == tenant.pk else tenant_scope(tenant)


def run_job(
    *,
    job: str,
    tenant: Tenant,
    period: str | None = None,
    actor: Membership | None = None,
    run: JobRun | None = None,
    manual: bool | None = None,
    now: datetime | None = None,
) -> JobRun:
    """Run `job` for `tenant` now, synchronously, and return its JobRun (finished or failed).

    `period`: "2026-10", "2026-Q3", … (the job's default when empty). `run`: a JobRun made by `job_enqueue`, to
    continue; one already finished is returned as it is (a task delivered twice). `manual`: a person asked for
    it (by default: when there is an actor or the run says so), which some jobs treat differently from the
    scheduler (the listing job opens a listing on a scheduled run only once its day has come)."""
    spec = BODIES.get(job)
    if spec is None:
        raise ApplicationError(_("There is no job called %(job)s.") % {"job": job}, code="unknown_job")
    with _scope(tenant):
        now = now or timezone.now()
        if run is None:
            run = JobRun.objects.create(
                tenant=tenant,
                job=job,
                period=str(period or "")[:20],
                manual=bool(manual) or actor is not None,
                triggered_by=actor,
            )
        else:
            run = JobRun.objects.select_for_update().get(pk=run.pk)
            if run.status == JobRun.Status.FINISHED:
                return run
        if manual is None:
            manual = run.manual
        try:
            with transaction.atomic(), translation.override(tenant.default_language):
                run.period = spec.period(period or None, manual=manual, now=now, tenant=tenant)[:20]
                result = spec.body(period=run.period, run=run, now=now)
        except _retryable():
            raise
        except Exception as error:
            logger.exception("job %s for tenant %s failed", job, tenant.pk)
            run.status, run.error, run.finished_at = JobRun.Status.FAILED, _error_text(error), timezone.now()
            run.save(update_fields=["period", "status", "error", "finished_at"])
            return run
        run.status, run.error, run.result, run.finished_at = JobRun.Status.FINISHED, "", result, timezone.now()
        run.save(update_fields=["period", "status", "error", "result", "finished_at"])
        return run


def job_enqueue(*, actor: Membership, job: str, period: str | None = None) -> JobRun:
    """A manual run asked for from the UI: a JobRun (manual, started) now, and the job's task sent with its id
    once this transaction commits. The period is checked here, so a wrong one is a form error, not a failed run."""
    if not is_lean_office(actor):
        raise Forbidden(_("Only the lean office runs jobs."))
    spec, scheduled = BODIES.get(job), JOBS.get(job)
    if spec is None or scheduled is None:
        raise ApplicationError(_("There is no job called %(job)s.") % {"job": job}, code="unknown_job")
    tenant = current_tenant()
    label = spec.period(period or None, manual=True, now=timezone.now(), tenant=tenant)
    with transaction.atomic():
        run = JobRun.objects.create(tenant=tenant, job=job, period=label, manual=True, triggered_by=actor)
        kwargs = {"run_id": run.pk}
        if label and job != REMINDERS:
            kwargs["period"] = label

        def send():
            from celery import current_app

            current_app.send_task(scheduled.task_name, args=[tenant.pk], kwargs=kwargs)

        transaction.on_commit(send)
    return run


# ---------------------------------------------------------------- settings


def job_settings_get() -> JobSettings:
    settings, _created = JobSettings.objects.get_or_create(tenant=current_tenant())
    return settings


SETTINGS_FIELDS = ("report_cadence", "report_day", "report_hour", "listing_cadence", "listing_day", "listing_hour")


@transaction.atomic
def job_settings_update(*, actor: Membership, **fields) -> JobSettings:
    """The lean office sets when the jobs run: cadence, day of the month (1–28, so every month has it) and hour
    (0–23, in the tenant's time zone)."""
    if not is_lean_office(actor):
        raise Forbidden(_("Only the lean office changes when jobs run."))
    unknown = set(fields) - set(SETTINGS_FIELDS)
    if unknown:
        raise ApplicationError(_("Unknown setting: %(names)s.") % {"names": ", ".join(sorted(unknown))})
    errors = {}
    cleaned = {}
    for name, value in fields.items():
        if name.endswith("_cadence"):
            if value not in JobSettings.Cadence.values:
                errors[name] = [_("Choose off, monthly or quarterly.")]
            cleaned[name] = value
            continue
        low, high = (1, 28) if name.endswith("_day") else (0, 23)
        try:
            number = int(value)
        except (TypeError, ValueError):
            number = None
        if number is None or not low <= number <= high:
            errors[name] = [_("%(low)d to %(high)d.") % {"low": low, "high": high}]
        cleaned[name] = number
    if errors:
        raise ApplicationError(_("Please correct the settings."), code="invalid", field_errors=errors)
    settings = JobSettings.objects.select_for_update().get(pk=job_settings_get().pk)
    for name, value in cleaned.items():
        setattr(settings, name, value)
    settings._history_user = actor.user
    settings.save()
    return settings


# ---------------------------------------------------------------- when a job is due


def local_now(tenant: Tenant, now: datetime) -> datetime:
    return now.astimezone(ZoneInfo(tenant.time_zone or "UTC"))


def cycle_period(*, cadence: str, day: int, hour: int, tenant: Tenant, now: datetime) -> periods.Period | None:
    """The period whose cycle has come, in the tenant's time zone: monthly → the previous month once this month's
    day and hour have passed; quarterly → the previous quarter once that day and hour of the quarter's first month
    have passed. None when the cadence is off or this cycle's moment has not come yet."""
    if cadence not in (JobSettings.Cadence.MONTHLY, JobSettings.Cadence.QUARTERLY):
        return None
    local = local_now(tenant, now)
    kind = periods.MONTH if cadence == JobSettings.Cadence.MONTHLY else periods.QUARTER
    current = periods.parse(local.date()).containing(kind)
    moment = datetime.combine(current.start.replace(day=min(max(day, 1), 28)), time(min(max(hour, 0), 23)))
    if local.replace(tzinfo=None) < moment:
        return None
    return current.previous()


def next_run_at(*, cadence: str, day: int, hour: int, time_zone: str, now: datetime) -> datetime | None:
    """The next moment the dispatcher starts the job (cycle_period above): day and hour of each month, or of
    each quarter's first month, in the tenant's time zone. None when the cadence is off."""
    if cadence not in (JobSettings.Cadence.MONTHLY, JobSettings.Cadence.QUARTERLY):
        return None
    zone = ZoneInfo(time_zone or "UTC")
    local = now.astimezone(zone)
    kind = periods.MONTH if cadence == JobSettings.Cadence.MONTHLY else periods.QUARTER
    period = periods.parse(local.date()).containing(kind)
    while True:
        moment = datetime.combine(period.start.replace(day=day), time(hour), tzinfo=zone)
        if moment > local:
            return moment
        period = period.next()


def default_period(*, cadence: str, today) -> periods.Period:
    """The previous complete month, or quarter for a quarterly cadence (off: the previous month)."""
    kind = periods.QUARTER if cadence == JobSettings.Cadence.QUARTERLY else periods.MONTH
    return periods.parse(today).containing(kind).previous()


def parse_job_period(text: str) -> periods.Period:
    """A month or quarter a job may run for; anything else is the user's mistake."""
    try:
        period = periods.parse(text)
    except periods.PeriodError as error:
        raise ApplicationError(str(error), code="invalid_period", field_errors={"period": [str(error)]}) from None
    if period.kind not in (periods.MONTH, periods.QUARTER):
        message = _("Choose a month (2026-10) or a quarter (2026-Q3).")
        raise ApplicationError(message, code="invalid_period", field_errors={"period": [message]})
    return period


def job_runs(*, job: str = "", status: str = ""):
    """The tenant's job runs, newest first, optionally of one job and one status."""
    runs = JobRun.objects.select_related("triggered_by__user").order_by("-started_at", "-id")
    if job:
        runs = runs.filter(job=job)
    if status:
        runs = runs.filter(status=status)
    return runs


def finished(job: str, period: str) -> bool:
    return JobRun.objects.filter(job=job, period=period, status=JobRun.Status.FINISHED).exists()
