"""My projects, and filing a project in steps: basics → indicators → team → plan → (submit on the project page),
plus the closing data once the midterm review is passed. Each step saves through the services and goes on to
the next; bad input comes back with status 400 and nothing stored."""

from decimal import Decimal

from django.contrib import messages
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from lean.errors import ApplicationError, Forbidden
from lean.forms import apply_error
from lean.permissions import can, require

from .. import selectors, services, workflow
from ..forms import BasicsForm, ClosingForm, IndicatorFormSet, PlanForm, ShortfallPickForm, TeamFormSet
from ..models import State

# ---------------------------------------------------------------- helpers


def _editable(request, project, *, proposal: bool = False, correction: bool = False):
    """The applicant (or the lean office) may change a project: the proposal while it is a draft or returned,
    the work until it is finished, and the plan (`correction`) while a returned filing is corrected. Otherwise
    None and a message; the caller goes back to the project page."""
    if not selectors.may_edit(request.membership, project):
        raise Forbidden
    states = workflow.EDITABLE if proposal else workflow.ACTIVE
    if project.state not in states and not (correction and workflow.in_correction(project)):
        messages.info(
            request,
            _("A project that is %(state)s cannot be changed here.") % {"state": project.get_state_display()},
        )
        return False
    return True


def _detail(project):
    return redirect("projects-detail", tenant_slug=project.tenant.slug, project_id=project.pk)


def _step_context(request, project, current: str, **extra) -> dict:
    similar = selectors.similar_proposals(viewer=request.membership, project=project) if project else []
    return {
        "project": project,
        "steps": selectors.filing_steps(project=project, current=current, tenant_slug=request.tenant.slug),
        "current": current,
        "similar": similar,
        **extra,
    }


# ---------------------------------------------------------------- my projects


def my_projects_view(request, tenant_slug):
    require(request, "projects.view")
    projects = list(selectors.my_projects(viewer=request.membership))
    return render(
        request,
        "projects/my_projects.html",
        {
            "groups": selectors.group_by_state(projects),
            "total": len(projects),
            "may_file": can(request.membership, "projects.file"),
        },
    )


# ---------------------------------------------------------------- step 1: basics


def _basics_form(request, project=None):
    directions = selectors.guide_directions()
    today = timezone.localdate().year
    if project is None:
        initial = {"unit": request.membership.unit, "year": selectors.default_year(directions, today)}
        # A draft started elsewhere (a practice learned from a better peer) arrives with its text.
        initial.update(
            {k: request.GET[k][:2000] for k in ("title", "problem", "expected_effect") if request.GET.get(k)}
        )
    else:
        initial = {
            "title": project.title,
            "tier": project.tier,
            "unit": project.unit,
            "year": project.year,
            "direction": project.direction_id,
            "problem": project.problem,
            "management_base": project.management_base,
            "capability": project.capability,
            "expected_effect": project.expected_effect,
        }
    return BasicsForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        units=selectors.fileable_units(viewer=request.membership),
        years=selectors.filing_years(directions, today, project),
        directions=directions,
        year_locked=project is not None,
    )


def project_new_view(request, tenant_slug):
    require(request, "projects.file")
    form = _basics_form(request)
    if request.method == "POST" and form.is_valid():
        try:
            project = services.project_create(
                actor=request.membership, year=form.cleaned_data["year"], **form.service_fields()
            )
        except ApplicationError as error:
            apply_error(form, error)
        else:
            messages.success(
                request, _("Draft %(code)s was saved. Now the indicators it attacks.") % {"code": project.code}
            )
            return redirect("projects-indicators", tenant_slug=tenant_slug, project_id=project.pk)
    status = 400 if request.method == "POST" else 200
    context = _step_context(request, None, "basics", form=form)
    return render(request, "projects/filing_basics.html", context, status=status)


def project_edit_view(request, tenant_slug, project_id):
    require(request, "projects.file")
    project = selectors.filing_project(viewer=request.membership, project_id=project_id)
    if not _editable(request, project, proposal=True):
        return _detail(project)
    form = _basics_form(request, project)
    if request.method == "POST" and form.is_valid():
        try:
            services.project_update(actor=request.membership, project=project, **form.service_fields())
        except ApplicationError as error:
            apply_error(form, error)
        else:
            messages.success(request, _("The basics were saved."))
            return redirect("projects-indicators", tenant_slug=tenant_slug, project_id=project.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "projects/filing_basics.html", _step_context(request, project, "basics", form=form), status=status
    )


# ---------------------------------------------------------------- step 2: indicators and shortfalls


def _plain(value):
    """90.0000 → "90" for the inputs (a number input shows the stored places otherwise)."""
    return None if value is None else f"{value.normalize():f}"


def _indicator_initial(project, shortfalls):
    links = list(project.indicator_links.all())
    if links:
        return [
            {"indicator": link.indicator_id, "baseline": _plain(link.baseline), "goal": _plain(link.goal)}
            for link in links
        ]
    # A new proposal starts from the unit's open shortfalls: where the indicator is now, and its target.
    rows, seen = [], set()
    for shortfall in shortfalls:
        if shortfall.indicator_id not in seen:
            seen.add(shortfall.indicator_id)
            rows.append(
                {
                    "indicator": shortfall.indicator_id,
                    "baseline": _plain(shortfall.actual),
                    "goal": _plain(shortfall.target),
                }
            )
    return rows[:3]


def project_indicators_view(request, tenant_slug, project_id):
    require(request, "projects.file")
    project = selectors.filing_project(viewer=request.membership, project_id=project_id)
    if not _editable(request, project):
        return _detail(project)
    indicators = selectors.year_indicators(year=project.year)
    chosen_ids = [link.indicator_id for link in project.indicator_links.all()]
    if request.method == "POST":
        chosen_ids = [int(v) for k, v in request.POST.items() if k.endswith("-indicator") and v.isdigit()]
    shortfalls = selectors.unit_shortfalls(project=project, indicator_ids=chosen_ids)
    linked = set(project.shortfall_links.values_list("shortfall_id", flat=True))
    if request.method == "POST":
        formset = IndicatorFormSet(request.POST, prefix="ind", indicators=indicators)
        pick = ShortfallPickForm(request.POST, shortfalls=shortfalls)
        if formset.is_valid() and pick.is_valid():
            rows = [
                services.IndicatorRow(
                    indicator=f.cleaned_data["indicator"],
                    baseline=f.cleaned_data["baseline"],
                    goal=f.cleaned_data["goal"],
                    achieved=_achieved(project, f.cleaned_data["indicator"]),
                )
                for f in formset.kept()
            ]
            try:
                with transaction.atomic():
                    services.indicators_set(actor=request.membership, project=project, rows=rows)
                    services.shortfalls_set(actor=request.membership, project=project, shortfalls=pick.chosen())
            except ApplicationError as error:
                formset._non_form_errors = formset.error_class([error.message])
            else:
                messages.success(request, _("The indicators were saved. Now the team."))
                return redirect("projects-team", tenant_slug=tenant_slug, project_id=project.pk)
        selected = {int(v) for v in request.POST.getlist("shortfalls") if v.isdigit()}
    else:
        initial = _indicator_initial(project, shortfalls)
        formset = IndicatorFormSet(prefix="ind", indicators=indicators, initial=initial)
        selected = linked
        if not linked and not chosen_ids:
            # A new proposal: the shortfalls of the indicators it starts from are offered ticked.
            first = {row["indicator"] for row in initial}
            selected = {s.pk for s in shortfalls if s.indicator_id in first}
    status = 400 if request.method == "POST" else 200
    context = _step_context(
        request,
        project,
        "indicators",
        formset=formset,
        shortfalls=shortfalls,
        selected=selected,
        chosen_ids=set(chosen_ids),
        has_tree=bool(indicators),
    )
    return render(request, "projects/filing_indicators.html", context, status=status)


def _achieved(project, indicator):
    """Keep what was achieved when the baseline or goal of an indicator is corrected."""
    for link in project.indicator_links.all():
        if link.indicator_id == indicator.pk:
            return link.achieved
    return None


# ---------------------------------------------------------------- step 3: the team


def project_team_view(request, tenant_slug, project_id):
    require(request, "projects.file")
    project = selectors.filing_project(viewer=request.membership, project_id=project_id)
    if request.htmx and "q" in request.GET:
        # The people search next to the team form, for those who set the team only.
        if not selectors.may_edit(request.membership, project):
            raise Forbidden
        people = selectors.member_search(query=request.GET.get("q", ""))
        response = render(request, "projects/filing_team.html#member-results", {"people": people, "project": project})
        response.headers["Vary"] = "HX-Request"
        return response
    if not _editable(request, project):
        return _detail(project)
    team = list(project.team.all())
    if request.method == "POST":
        formset = TeamFormSet(request.POST, prefix="team")
        if formset.is_valid():
            rows = [
                services.TeamRow(
                    member=f.cleaned_data["member"], role=f.cleaned_data["role"], share=f.cleaned_data["share"]
                )
                for f in formset.kept()
            ]
            try:
                services.team_set(actor=request.membership, project=project, rows=rows)
            except ApplicationError as error:
                formset._non_form_errors = formset.error_class(error.field_errors.get("team") or [error.message])
            else:
                messages.success(request, _("The team was saved. Now the plan."))
                return redirect("projects-plan", tenant_slug=tenant_slug, project_id=project.pk)
    else:
        initial = [{"number": t.member.employee_number, "role": t.role, "share": _plain(t.share)} for t in team]
        formset = TeamFormSet(prefix="team", initial=initial)
    people = selectors.members_by_number(numbers=[form["number"].value() for form in formset])
    total = Decimal(0)
    for form in formset:
        form.person = people.get((form["number"].value() or "").strip())
        if form.is_bound and form["DELETE"].value():
            continue
        try:
            total += Decimal(str(form["share"].value() or 0))
        except ArithmeticError:
            pass
    status = 400 if request.method == "POST" else 200
    context = _step_context(request, project, "team", formset=formset, share_total=total)
    response = render(request, "projects/filing_team.html", context, status=status)
    response.headers["Vary"] = "HX-Request"  # the people search answers htmx with a partial
    return response


# ---------------------------------------------------------------- step 4: the plan


PLAN_FIELDS = [
    "planned_start",
    "planned_end",
    "pdca_plan",
    "pdca_do",
    "pdca_check",
    "pdca_act",
    "estimated_benefit",
    "estimated_hours",
    "estimated_quality",
]


def project_plan_view(request, tenant_slug, project_id):
    require(request, "projects.file")
    project = selectors.filing_project(viewer=request.membership, project_id=project_id)
    if not _editable(request, project, correction=True):
        return _detail(project)
    form = PlanForm(
        request.POST if request.method == "POST" else None,
        initial={name: getattr(project, name) for name in PLAN_FIELDS},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.project_update(actor=request.membership, project=project, **form.cleaned_data)
        except ApplicationError as error:
            apply_error(form, error)
        else:
            if project.state in workflow.EDITABLE:
                messages.success(request, _("The plan was saved. Check the proposal and submit it."))
            else:
                messages.success(request, _("The plan was saved."))
            url = reverse("projects-detail", kwargs={"tenant_slug": tenant_slug, "project_id": project.pk})
            return redirect(f"{url}#actions")
    status = 400 if request.method == "POST" else 200
    return render(
        request, "projects/filing_plan.html", _step_context(request, project, "plan", form=form), status=status
    )


# ---------------------------------------------------------------- closing data


CLOSING_FIELDS = ["verified_benefit", "verified_hours", "verified_quality", "case_summary"]


def project_closing_view(request, tenant_slug, project_id):
    """The achieved indicator values, verified benefits and case summary, before asking for the closing review."""
    require(request, "projects.file")
    project = selectors.filing_project(viewer=request.membership, project_id=project_id)
    if not selectors.may_edit(request.membership, project):
        raise Forbidden
    if project.state != State.IN_PROGRESS or not project.midterm_passed:
        messages.info(
            request, _("The closing data is entered while the project runs, once its midterm review is passed.")
        )
        return _detail(project)
    links = list(project.indicator_links.all())
    initial = {name: getattr(project, name) for name in CLOSING_FIELDS}
    initial.update({f"achieved_{link.pk}": _plain(link.achieved) for link in links})
    form = ClosingForm(request.POST if request.method == "POST" else None, initial=initial, links=links)
    if request.method == "POST" and form.is_valid():
        achieved = form.achieved()
        rows = [
            services.IndicatorRow(link.indicator, link.baseline, link.goal, achieved=achieved[link.pk])
            for link in links
        ]
        try:
            with transaction.atomic():
                services.indicators_set(actor=request.membership, project=project, rows=rows)
                services.project_update(
                    actor=request.membership,
                    project=project,
                    **{name: form.cleaned_data[name] for name in CLOSING_FIELDS},
                )
        except ApplicationError as error:
            apply_error(form, error)
        else:
            messages.success(request, _("The closing data was saved. The team may now ask for the closing review."))
            return _detail(project)
    status = 400 if request.method == "POST" else 200
    return render(request, "projects/filing_closing.html", {"project": project, "form": form}, status=status)
