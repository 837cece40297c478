"""Running the tenants' scheduled jobs (shortfall reports, innovation listings, reminders) and recording each run.

A job is registered once by its app (scheduling.registry). `run_job` is the one way a job runs — from the one
Celery task (scheduling.tasks.run_tenant_job), a manual run from the UI (`job_enqueue`) or the `run_job` management
command:

- a JobRun row records it: started → finished with the result, or failed with the error;
- the work runs in its own transaction (a savepoint): a failure leaves nothing of it behind, and the failed JobRun
  is saved after that rollback;
- database and broker errors are re-raised, so the task retries with backoff (TenantTask), and the whole attempt
  (its JobRun included) rolls back;
- texts the job writes (notifications, titles) are in the tenant's language.
"""

import logging
from contextlib import nullcontext
from datetime import datetime, time
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from lean import periods
from lean.errors import ApplicationError, Forbidden
from lean.models import Membership, Tenant
from lean.permissions import is_lean_office
from lean.tenancy import current_tenant, tenant_scope
from scheduling.models import Cadence, JobRun, Schedule
from scheduling.registry import JOBS, scheduled_jobs

logger = logging.getLogger(__name__)

TASK_NAME = "scheduling.run_tenant_job"


def job_label(name: str):
    job = JOBS.get(name)
    return job.label if job else name


def job_labels() -> dict:
    return {name: job.label for name, job in JOBS.items()}


def _retryable() -> tuple:
    from lean.tasks import TenantTask

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
    spec = JOBS.get(job)
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
    spec = JOBS.get(job)
    if spec is None:
        raise ApplicationError(_("There is no job called %(job)s.") % {"job": job}, code="unknown_job")
    tenant = current_tenant()
    label = spec.period(period or None, manual=True, now=timezone.now(), tenant=tenant)
    with transaction.atomic():
        run = JobRun.objects.create(tenant=tenant, job=job, period=label, manual=True, triggered_by=actor)
        kwargs = {"run_id": run.pk}
        if label and spec.takes_period:
            kwargs["period"] = label

        def send():
            from celery import current_app

            current_app.send_task(TASK_NAME, args=[tenant.pk, job], kwargs=kwargs)

        transaction.on_commit(send)
    return run


# ---------------------------------------------------------------- schedules


def schedule_for(name: str) -> Schedule:
    """The tenant's Schedule row of a job the lean office schedules, made with the job's default when missing."""
    job = JOBS.get(name)
    if job is None or job.schedule is None:
        raise ApplicationError(_("There is no job called %(job)s.") % {"job": name}, code="unknown_job")
    default = job.schedule
    schedule, _created = Schedule.objects.get_or_create(
        tenant=current_tenant(),
        job=name,
        defaults={"cadence": default.cadence, "day": default.day, "hour": default.hour},
    )
    return schedule


def schedules() -> list[Schedule]:
    """Every scheduled job's row, in registration order (missing ones made with their defaults)."""
    existing = {s.job: s for s in Schedule.objects.filter(job__in=[job.name for job in scheduled_jobs()])}
    return [existing.get(job.name) or schedule_for(job.name) for job in scheduled_jobs()]


def _clean_schedule(name: str, values: dict) -> tuple[dict, dict]:
    cleaned, errors = {}, {}
    for key in ("cadence", "day", "hour"):
        if key not in values:
            continue
        value = values[key]
        field = f"{name}.{key}"
        if key == "cadence":
            if value not in Cadence.values:
                errors[field] = [_("Choose off, monthly or quarterly.")]
            cleaned[key] = value
            continue
        low, high = (1, 28) if key == "day" else (0, 23)
        try:
            number = int(value)
        except (TypeError, ValueError):
            number = None
        if number is None or not low <= number <= high:
            errors[field] = [_("%(low)d to %(high)d.") % {"low": low, "high": high}]
        cleaned[key] = number
    return cleaned, errors


@transaction.atomic
def schedules_update(*, actor: Membership, changes: dict[str, dict]) -> list[Schedule]:
    """The lean office sets when the jobs run: {job: {cadence, day of the month (1–28, so every month has it),
    hour (0–23, in the tenant's time zone)}}. All or nothing: one bad value stores none."""
    if not is_lean_office(actor):
        raise Forbidden(_("Only the lean office changes when jobs run."))
    unknown = sorted(set(changes) - {job.name for job in scheduled_jobs()})
    if unknown:
        raise ApplicationError(_("Unknown setting: %(names)s.") % {"names": ", ".join(unknown)})
    errors, cleaned = {}, {}
    for name, values in changes.items():
        unknown_keys = sorted(set(values) - {"cadence", "day", "hour"})
        if unknown_keys:
            raise ApplicationError(_("Unknown setting: %(names)s.") % {"names": ", ".join(unknown_keys)})
        cleaned[name], job_errors = _clean_schedule(name, values)
        errors.update(job_errors)
    if errors:
        raise ApplicationError(_("Please correct the settings."), code="invalid", field_errors=errors)
    saved = []
    for name, values in cleaned.items():
        schedule = Schedule.objects.select_for_update().get(pk=schedule_for(name).pk)
        if all(getattr(schedule, key) == value for key, value in values.items()):
            saved.append(schedule)
            continue
        for key, value in values.items():
            setattr(schedule, key, value)
        schedule._history_user = actor.user
        schedule.save()
        saved.append(schedule)
    return saved


def scheduled_cycle(name: str, *, tenant: Tenant, now: datetime) -> periods.Period | None:
    """The period whose cycle has come for a scheduled job (see cycle_period), from its Schedule row."""
    schedule = schedule_for(name)
    return cycle_period(cadence=schedule.cadence, day=schedule.day, hour=schedule.hour, tenant=tenant, now=now)


def due_by_schedule(name: str, *, tenant: Tenant, now: datetime) -> bool:
    """Due once this cycle's day and hour have come (tenant's time zone) and its period has no finished run."""
    period = scheduled_cycle(name, tenant=tenant, now=now)
    return period is not None and not finished(name, str(period))


# ---------------------------------------------------------------- when a job is due


def local_now(tenant: Tenant, now: datetime) -> datetime:
    return now.astimezone(ZoneInfo(tenant.time_zone or "UTC"))


def cycle_period(*, cadence: str, day: int, hour: int, tenant: Tenant, now: datetime) -> periods.Period | None:
    """The period whose cycle has come, in the tenant's time zone: monthly → the previous month once this month's
    day and hour have passed; quarterly → the previous quarter once that day and hour of the quarter's first month
    have passed. None when the cadence is off or this cycle's moment has not come yet."""
    if cadence not in (Cadence.MONTHLY, Cadence.QUARTERLY):
        return None
    local = local_now(tenant, now)
    kind = periods.MONTH if cadence == Cadence.MONTHLY else periods.QUARTER
    current = periods.parse(local.date()).containing(kind)
    moment = datetime.combine(current.start.replace(day=min(max(day, 1), 28)), time(min(max(hour, 0), 23)))
    if local.replace(tzinfo=None) < moment:
        return None
    return current.previous()


def next_run_at(*, cadence: str, day: int, hour: int, time_zone: str, now: datetime) -> datetime | None:
    """The next moment the dispatcher starts the job (cycle_period above): day and hour of each month, or of
    each quarter's first month, in the tenant's time zone. None when the cadence is off."""
    if cadence not in (Cadence.MONTHLY, Cadence.QUARTERLY):
        return None
    zone = ZoneInfo(time_zone or "UTC")
    local = now.astimezone(zone)
    kind = periods.MONTH if cadence == Cadence.MONTHLY else periods.QUARTER
    period = periods.parse(local.date()).containing(kind)
    while True:
        moment = datetime.combine(period.start.replace(day=day), time(hour), tzinfo=zone)
        if moment > local:
            return moment
        period = period.next()


def default_period(*, cadence: str, today) -> periods.Period:
    """The previous complete month, or quarter for a quarterly cadence (off: the previous month)."""
    kind = periods.QUARTER if cadence == Cadence.QUARTERLY else periods.MONTH
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
