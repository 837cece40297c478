"""Daily reminders (the "reminders" job): reviews coming due and reviewers whose scores are awaited.

- Midterm review coming due: a project in progress whose midterm has not passed, and the midpoint of its planned
  start and end falls within MIDTERM_DAYS → its leader (else whoever filed it).
- Closing review coming due: a project in progress whose midterm has passed and whose planned end falls within
  CLOSING_DAYS → its leader (else whoever filed it).
- Pending scores: a reviewer on a review still undecided, opened more than PENDING_DAYS ago, who has not
  submitted → the reviewer.
Never the same reminder twice on one local day: a notification with the same recipient, title and link made
today means it was sent (one query for all).
"""

from dataclasses import dataclass
from datetime import timedelta

from django.urls import reverse
from django.utils.translation import gettext as _

from lean.models import Membership, Notification
from lean.notify import notify
from lean.tenancy import current_tenant
from scheduling import services as jobs
from scheduling.models import JobRun

from .models import Project, Review, ReviewAssignment, State, TeamMember

MIDTERM_DAYS, CLOSING_DAYS, PENDING_DAYS = 7, 14, 3
JOB = "reminders"  # its name in scheduling.registry
START_HOUR = 8  # reminders go out once a local day, from this hour


@dataclass(frozen=True)
class Reminder:
    kind: str
    recipient: Membership
    title: str
    body: str
    url: str


def _project_url(project: Project) -> str:
    return reverse("projects-detail", kwargs={"tenant_slug": current_tenant().slug, "project_id": project.pk})


def _review_url(review: Review) -> str:
    return reverse("projects-review", kwargs={"tenant_slug": current_tenant().slug, "review_id": review.pk})


def _project_reminders(today) -> list[Reminder]:
    projects = list(
        Project.objects.filter(
            state=State.IN_PROGRESS, planned_start__isnull=False, planned_end__gte=today
        ).select_related("created_by__user")
    )
    leaders = {
        link.project_id: link.member
        for link in TeamMember.objects.filter(
            project__in=[p.pk for p in projects], role=TeamMember.Role.LEADER
        ).select_related("member__user")
    }
    found = []
    for project in projects:
        recipient = leaders.get(project.pk) or project.created_by
        start, end = project.planned_start, project.planned_end
        if not project.midterm_passed:
            midpoint = start + (end - start) // 2
            if today <= midpoint <= today + timedelta(days=MIDTERM_DAYS):
                found.append(
                    Reminder(
                        "midterm",
                        recipient,
                        _("Midterm review due: %(project)s") % {"project": project},
                        _("The project is halfway on %(date)s: ask for its midterm review.") % {"date": midpoint},
                        _project_url(project),
                    )
                )
        elif end <= today + timedelta(days=CLOSING_DAYS):
            found.append(
                Reminder(
                    "closing",
                    recipient,
                    _("Closing review due: %(project)s") % {"project": project},
                    _("The project is planned to end on %(date)s: ask for its closing review.") % {"date": end},
                    _project_url(project),
                )
            )
    return found


def _score_reminders(now) -> list[Reminder]:
    assignments = ReviewAssignment.objects.filter(
        submitted_at=None,
        review__result="",
        review__created_at__lte=now - timedelta(days=PENDING_DAYS),
    ).select_related("reviewer__user", "review__project")
    return [
        Reminder(
            "scores",
            assignment.reviewer,
            _("Your scores are awaited: %(project)s (%(review)s)")
            % {"project": assignment.review.project, "review": assignment.review.get_kind_display()},
            _("The review opened on %(date)s. Please submit your scores.")
            % {"date": jobs.local_now(current_tenant(), assignment.review.created_at).date()},
            _review_url(assignment.review),
        )
        for assignment in assignments
    ]


def reminders_send(*, now) -> dict:
    """Send today's reminders that were not sent today yet. Returns how many of each kind went out."""
    tenant = current_tenant()
    local = jobs.local_now(tenant, now)
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    candidates = _project_reminders(local.date()) + _score_reminders(now)
    sent_today = set(
        Notification.objects.filter(
            recipient_id__in={r.recipient.pk for r in candidates},
            title__in={r.title[:200] for r in candidates},
            created_at__gte=midnight,
            created_at__lt=midnight + timedelta(days=1),
        ).values_list("recipient_id", "title", "url")
    )
    counts = {"midterm": 0, "closing": 0, "scores": 0, "skipped": 0}
    for reminder in candidates:
        key = (reminder.recipient.pk, reminder.title[:200], reminder.url)
        if key in sent_today:
            counts["skipped"] += 1
            continue
        sent_today.add(key)
        if notify(recipients=[reminder.recipient], title=reminder.title, body=reminder.body, url=reminder.url):
            counts[reminder.kind] += 1
    return counts


# ---------------------------------------------------------------- the job


def job_period(text, *, manual: bool, now, tenant) -> str:
    """A reminders run is for a local day."""
    return jobs.local_now(tenant, now).date().isoformat()


def job_body(*, period: str, run: JobRun, now) -> dict:
    return reminders_send(now=now)


def is_due(tenant, now) -> bool:
    """Once a local day, from START_HOUR."""
    local = jobs.local_now(tenant, now)
    return local.hour >= START_HOUR and not jobs.finished(JOB, local.date().isoformat())
