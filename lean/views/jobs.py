"""The lean office's pages of the scheduled jobs: when they run (with the next run times), the runs with their
status and error, and a manual run of a job for a chosen period."""

from django.contrib import messages
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from innovation.services import listings as listing_service

from ..errors import ApplicationError
from ..forms import apply_error
from ..forms_jobs import JobSettingsForm, RunFilterForm, RunNowForm
from ..jobs import JOB_LABELS, job_enqueue, job_runs, job_settings_get, job_settings_update, next_run_at
from ..paging import paginate
from ..permissions import require

RUNS_PER_PAGE = 50


def _schedule(settings, now, time_zone):
    return [
        {
            "label": JOB_LABELS[job],
            "cadence": settings.get_report_cadence_display()
            if job == "shortfall_report"
            else settings.get_listing_cadence_display(),
            "next": next_run_at(
                cadence=getattr(settings, f"{prefix}_cadence"),
                day=getattr(settings, f"{prefix}_day"),
                hour=getattr(settings, f"{prefix}_hour"),
                time_zone=time_zone,
                now=now,
            ),
        }
        for job, prefix in (("shortfall_report", "report"), ("innovation_listing", "listing"))
    ]


def job_settings_view(request, tenant_slug):
    """When the shortfall reports and the listings run, and how long a listing's objection window lasts."""
    require(request, "jobs.manage")
    current = job_settings_get()
    initial = {name: getattr(current, name) for name in JobSettingsForm.JOB_FIELDS}
    initial["objection_days"] = listing_service.settings_get().objection_days
    form = JobSettingsForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            # Both settings or neither.
            with transaction.atomic():
                job_settings_update(actor=request.membership, **form.job_fields())
                listing_service.settings_update(
                    actor=request.membership, objection_days=form.cleaned_data["objection_days"]
                )
        except ApplicationError as error:
            apply_error(form, error)
        else:
            messages.success(request, _("The schedule is saved."))
            return redirect("jobs-settings", tenant_slug=tenant_slug)
        current = job_settings_get()
    time_zone = request.tenant.time_zone
    context = {
        "form": form,
        "time_zone": time_zone,
        "schedule": _schedule(current, timezone.now(), time_zone),
    }
    return render(request, "lean/jobs_settings.html", context, status=400 if request.method == "POST" else 200)


def _runs_page(request, *, run_form=None, status=200):
    filters = RunFilterForm(request.GET or None, labels=JOB_LABELS)
    chosen = filters.cleaned_data if filters.is_valid() else {}
    runs = job_runs(job=chosen.get("job") or "", status=chosen.get("status") or "")
    page, query = paginate(request, runs, RUNS_PER_PAGE)
    for run in page:
        run.label = JOB_LABELS.get(run.job, run.job)
        run.duration = (run.finished_at - run.started_at) if run.finished_at else None
    context = {
        "page": page,
        "filters": filters,
        "query": query,
        "run_form": run_form or RunNowForm(labels=JOB_LABELS),
    }
    template = "lean/jobs_runs.html#job-runs" if request.htmx and request.method == "GET" else "lean/jobs_runs.html"
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
    form = RunNowForm(request.POST, labels=JOB_LABELS)
    if form.is_valid():
        try:
            run = job_enqueue(
                actor=request.membership, job=form.cleaned_data["job"], period=form.cleaned_data["period"]
            )
        except ApplicationError as error:
            apply_error(form, error)
        else:
            label = JOB_LABELS.get(run.job, run.job)
            if run.period:
                text = _("%(job)s for %(period)s started.") % {"job": label, "period": run.period}
            else:
                text = _("%(job)s started.") % {"job": label}
            messages.success(request, text)
            return redirect("jobs-runs", tenant_slug=tenant_slug)
    return _runs_page(request, run_form=form, status=400)
