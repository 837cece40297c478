"""The lean office's pages of the scheduled jobs: when each runs (with the next run times), the runs with their
status and error, and a manual run of a job for a chosen period."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lean.errors import ApplicationError
from lean.forms import apply_error
from lean.paging import paginate
from lean.permissions import require
from scheduling.forms import RunFilterForm, RunNowForm, ScheduleForm
from scheduling.registry import JOBS
from scheduling.services import job_enqueue, job_label, job_labels, job_runs, next_run_at, schedules, schedules_update

RUNS_PER_PAGE = 50


def _next_runs(schedules, now, time_zone):
    return [
        {
            "label": job_label(schedule.job),
            "cadence": schedule.get_cadence_display(),
            "next": next_run_at(
                cadence=schedule.cadence, day=schedule.day, hour=schedule.hour, time_zone=time_zone, now=now
            ),
        }
        for schedule in schedules
    ]


def job_settings_view(request, tenant_slug):
    """When each scheduled job runs: cadence, day and hour in the tenant's time zone. All jobs are saved together."""
    require(request, "jobs.manage")
    current = schedules()
    data = request.POST if request.method == "POST" else None
    forms = [
        ScheduleForm(data, job=JOBS[s.job], initial={"cadence": s.cadence, "day": s.day, "hour": s.hour})
        for s in current
    ]
    if request.method == "POST" and all([form.is_valid() for form in forms]):
        try:
            schedules_update(actor=request.membership, changes={form.job.name: form.cleaned_data for form in forms})
        except ApplicationError as error:
            for form in forms:
                own = {
                    k.split(".", 1)[1]: v for k, v in error.field_errors.items() if k.startswith(form.job.name + ".")
                }
                if own or not error.field_errors:
                    apply_error(form, ApplicationError(error.message, code=error.code, field_errors=own))
                    if not error.field_errors:
                        break
        else:
            messages.success(request, _("The schedule is saved."))
            return redirect("jobs-settings", tenant_slug=tenant_slug)
        current = schedules()
    time_zone = request.tenant.time_zone
    context = {
        "forms": forms,
        "time_zone": time_zone,
        "schedule": _next_runs(current, timezone.now(), time_zone),
    }
    return render(request, "scheduling/settings.html", context, status=400 if request.method == "POST" else 200)


def _runs_page(request, *, run_form=None, status=200):
    filters = RunFilterForm(request.GET or None, labels=job_labels())
    chosen = filters.cleaned_data if filters.is_valid() else {}
    runs = job_runs(job=chosen.get("job") or "", status=chosen.get("status") or "")
    page, query = paginate(request, runs, RUNS_PER_PAGE)
    for run in page:
        run.label = job_label(run.job)
        run.duration = (run.finished_at - run.started_at) if run.finished_at else None
    context = {
        "page": page,
        "filters": filters,
        "query": query,
        "run_form": run_form or RunNowForm(labels=job_labels()),
    }
    template = "scheduling/runs.html#job-runs" if request.htmx and request.method == "GET" else "scheduling/runs.html"
    response = render(request, template, context, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response


def job_runs_view(request, tenant_slug):
    """Every run of the tenant's jobs, newest first, filtered by job and status, 50 a page."""
    require(request, "jobs.manage")
    return _runs_page(request)


@require_POST
def job_run_view(request, tenant_slug):
    """Run a job now for a period: the run is recorded at once and the worker picks it up."""
    require(request, "jobs.manage")
    form = RunNowForm(request.POST, labels=job_labels())
    if form.is_valid():
        try:
            run = job_enqueue(
                actor=request.membership, job=form.cleaned_data["job"], period=form.cleaned_data["period"]
            )
        except ApplicationError as error:
            apply_error(form, error)
        else:
            label = job_label(run.job)
            if run.period:
                text = _("%(job)s for %(period)s started.") % {"job": label, "period": run.period}
            else:
                text = _("%(job)s started.") % {"job": label}
            messages.success(request, text)
            return redirect("jobs-runs", tenant_slug=tenant_slug)
    return _runs_page(request, run_form=form, status=400)
