"""The one registry of the tenants' scheduled jobs. An app registers each of its jobs once, in its AppConfig.ready:
its name and label, when it is due for a tenant, which period a run is for, the work, and — for a job the lean
office schedules — the default of its Schedule row. The dispatcher that beat wakes reads this registry and the
tenants table each time, so adding a tenant needs no deploy.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class ScheduleDefault:
    cadence: str  # "off", "monthly" or "quarterly"
    day: int  # 1–28
    hour: int  # 0–23, in the tenant's time zone


@dataclass(frozen=True)
class Job:
    name: str
    label: object  # a lazy translation
    # (tenant, now) -> bool, evaluated inside the tenant's scope
    is_due: Callable[[object, datetime], bool]
    # (period text or None, *, manual, now, tenant) -> the period label the run is for ("" when none); raises
    # ApplicationError for a period the job cannot run for.
    period: Callable[..., str]
    # (*, period: str, run: JobRun, now) -> the result, a JSON-able dict
    body: Callable[..., dict]
    # The lean office sets when it runs (a Schedule row with this default); None: the job keeps its own clock.
    schedule: ScheduleDefault | None = None
    # A manual run may be asked for a month or quarter (False: a run is for today).
    takes_period: bool = True
    description: object = ""  # a sentence on the schedule page
    icon: str = "clock"  # a Bootstrap icon
    # The URL name of the job's own settings page, linked from the schedule page ("" when none).
    settings_link: str = ""
    settings_perm: str = ""


JOBS: dict[str, Job] = {}


def register(job: Job) -> None:
    JOBS[job.name] = job


def scheduled_jobs() -> list[Job]:
    """The jobs the lean office schedules, in registration order."""
    return [job for job in JOBS.values() if job.schedule is not None]
