"""Contributions: the online query (在线查询), recording one with a live points preview, its page (the scoring
breakdown, the people credited, history, re-scores, objections) and the POST-only actions on it: verify,
reject, re-score, object."""

from django.contrib import messages
from django.db.models import Prefetch
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from lean.access import units_in_reach, within
from lean.errors import ApplicationError
from lean.forms import apply_error
from lean.models import Membership
from lean.paging import paginate
from lean.permissions import can, require

from .. import selectors
from ..forms_people import (
    ContributionFilterForm,
    ContributionForm,
    ObjectionForm,
    ReasonForm,
    TeamFormSet,
    VerifyForm,
)
from ..models import Contribution, ContributionType, Credit, Level, Listing
from ..points import FACTORS, Sample
from ..services.contributions import (
    Levels,
    contribution_record,
    contribution_reject,
    contribution_rescore,
    contribution_verify,
)
from ..services.listings import objection_raise
from ..services.scoring import score, types_for_unit

PER_PAGE = 50
LEVEL_FIELDS = ("positioning", "breadth", "complexity", "award")
LEVEL_LABELS = {
    "positioning": dict(Level.POSITIONING),
    "breadth": dict(Level.BREADTH),
    "complexity": dict(Level.COMPLEXITY),
    "award": dict(Level.AWARD),
}
FACTOR_NAMES = {
    "positioning": Contribution._meta.get_field("positioning").verbose_name,
    "breadth": Contribution._meta.get_field("breadth").verbose_name,
    "complexity": Contribution._meta.get_field("complexity").verbose_name,
}
WATCHED = [
    "status",
    "points",
    "positioning",
    "breadth",
    "complexity",
    "award",
    "title",
    "occurred_on",
    "rule_version",
    "listing",
    "final",
]


def detail_url(request, contribution) -> str:
    return reverse(
        "innovation-contribution", kwargs={"tenant_slug": request.tenant.slug, "contribution_id": contribution.pk}
    )


def formula(breakdown: dict) -> dict:
    """A scoring breakdown (innovation/points.py) as the page shows it: base × factors + award = points, with
    the level names and where each figure comes from (HQ's rules, the unit's tuning, clamped to HQ's bounds)."""
    if not breakdown:
        return {}
    factors = []
    for name in FACTORS:
        row = (breakdown.get("factors") or {}).get(name)
        if row:
            factors.append(
                {
                    "name": FACTOR_NAMES[name],
                    "level": LEVEL_LABELS[name].get(row["level"], row["level"]),
                    "value": row["value"],
                    "from": row.get("from", "hq"),
                }
            )
    award = breakdown.get("award") or {}
    return {
        "base": breakdown.get("base"),
        "base_from": breakdown.get("base_from", "hq"),
        "factors": factors,
        "award_level": LEVEL_LABELS["award"].get(award.get("level"), award.get("level")),
        "bonus": award.get("bonus"),
        "points": breakdown.get("points"),
        "version": breakdown.get("version"),
        "tuned": breakdown.get("base_from") != "hq" or any(f["from"] != "hq" for f in factors),
    }


# --- the online query


def contribution_list_view(request, tenant_slug):
    require(request, "innovation.view")
    member = request.membership
    form = ContributionFilterForm(
        request.GET or None,
        units=selectors.managed_units(viewer=member),
        types=ContributionType.objects.order_by("position", "id"),
    )
    data = form.cleaned_data if form.is_valid() else {}
    rows = selectors.contributions(
        viewer=member,
        unit=data.get("unit"),
        kind=data.get("type"),
        period=form.period() if data else None,
        status=data.get("status") or "",
    )
    rows = selectors.contributions_of_person(rows, data.get("person") or "").prefetch_related(
        Prefetch("credits", queryset=Credit.objects.select_related("member__user").order_by("-share", "id"))
    )
    page, query = paginate(request, rows, PER_PAGE)
    may_units = can(member, "innovation.units")
    context = {
        "form": form,
        "page": page,
        "query": query,
        "may_units": may_units,
        "waiting": selectors.waiting_for_verification(viewer=member) if may_units else 0,
        "waiting_only": data.get("status") == Contribution.Status.SUBMITTED,
    }
    template = "innovation/contributions.html#contribution-table" if request.htmx else "innovation/contributions.html"
    response = render(request, template, context)
    response.headers["Vary"] = "HX-Request"
    return response


# --- recording


def _types(member):
    """The types the member may record: the self-recorded ones, and the manager-recorded ones for managers
    and the lean office."""
    allowed = [ContributionType.RecordedBy.SELF]
    if can(member, "innovation.contribution.record_team"):
        allowed.append(ContributionType.RecordedBy.MANAGER)
    return types_for_unit(member.unit).filter(recorded_by__in=allowed).order_by("position", "id")


def _record_units(member):
    """The units a manager (their subtree) or the lean office (all) records for; None for everyone else."""
    reach = selectors.reach(member, "innovation.contribution.record_team")
    return units_in_reach(member, **reach) if reach["everything"] or reach["subtree"] else None


def _people(member):
    """Who a manager may credit: the active people of their subtree (anyone for the lean office)."""
    people = Membership.objects.filter(active=True).select_related("user", "unit")
    return within(people, member, **selectors.reach(member, None))


def _preview(form, member, types):
    """The points the contribution being typed would get (nothing stored); None until a type is chosen."""
    if form.is_bound:
        form.is_valid()  # only the fields that are valid are used
        data = form.cleaned_data
    else:
        data = {"type": types.first(), **{name: form.fields[name].initial for name in LEVEL_FIELDS}}
    kind = data.get("type")
    if kind is None or any(not data.get(name) for name in LEVEL_FIELDS):
        return None
    unit = data.get("unit") or member.unit
    day = data.get("occurred_on") or timezone.localdate()
    try:
        total, breakdown, version, _tuning = score(
            kind=kind,
            unit=unit,
            day=day,
            sample=Sample(kind.code, data["positioning"], data["breadth"], data["complexity"], data["award"]),
        )
    except ApplicationError as error:
        return {"error": error.message}
    return {"points": total, "formula": formula(breakdown), "kind": kind}


def contribution_new_view(request, tenant_slug):
    require(request, "innovation.participate")
    member = request.membership
    types = _types(member)
    units = _record_units(member)
    previewing = request.method == "GET" and "preview" in request.GET
    data = request.POST if request.method == "POST" else (request.GET if previewing else None)
    form = ContributionForm(data, types=types, units=units, initial={"unit": member.unit_id})
    formset = None
    if units is not None:
        formset = TeamFormSet(
            data if request.method == "POST" else None,
            prefix="team",
            people=_people(member),
            initial=[{"number": member.employee_number, "share": 100}],
        )
    if previewing:
        response = render(
            request,
            "innovation/contribution_new.html#points-preview",
            {"preview": _preview(form, member, types), "team_mode": formset is not None},
        )
        response.headers["Vary"] = "HX-Request"
        return response
    team_errors = []
    status = 200
    if request.method == "POST":
        valid = form.is_valid()
        valid = (formset.is_valid() if formset is not None else True) and valid
        if valid:
            data = form.cleaned_data
            try:
                contribution = contribution_record(
                    actor=member,
                    kind=data["type"],
                    title=data["title"],
                    occurred_on=data["occurred_on"],
                    levels=form.levels(),
                    team=formset.team() if formset is not None else None,
                    unit=data.get("unit"),
                    description=data["description"],
                )
            except ApplicationError as error:
                if formset is not None and "team" in error.field_errors:
                    team_errors = error.field_errors["team"] or [error.message]
                else:
                    apply_error(form, error)
            else:
                if contribution.status == Contribution.Status.VERIFIED:
                    messages.success(request, _("The contribution was recorded and verified."))
                else:
                    messages.success(request, _("The contribution was recorded: it waits for verification."))
                return redirect(detail_url(request, contribution))
        status = 400
    context = {
        "form": form,
        "formset": formset,
        "team_errors": team_errors,
        "preview": _preview(form, member, types),
        "team_mode": formset is not None,
        "share_total": sum(
            (f.cleaned_data.get("share") or 0 for f in formset.forms if getattr(f, "cleaned_data", None)), 0
        )
        if formset is not None and formset.is_bound
        else 100,
    }
    return render(request, "innovation/contribution_new.html", context, status=status)


# --- the contribution's page and its actions


def _changes(records):
    """Each history record with the labels of the fields it changed (compared in memory, no query)."""
    labels = {name: Contribution._meta.get_field(name).verbose_name for name in WATCHED}
    labels.update(rule_version=gettext_lazy("rules version"), listing=gettext_lazy("public listing"))
    for record, previous in zip(records, records[1:] + [None], strict=True):
        if previous is None:
            record.changed = []
        else:
            delta = record.diff_against(previous, included_fields=WATCHED)
            record.changed = [labels[change.field] for change in delta.changes]
    return records


def _may_object(contribution) -> bool:
    listing = contribution.listing
    return listing is not None and listing.state == Listing.State.OPEN and timezone.now() < listing.closes_at


def _render_detail(request, contribution, *, status=200, **forms):
    member = request.membership
    credits = list(contribution.credits.select_related("member__user", "member__unit").order_by("-share", "id"))
    names = {str(c.member_id): c.member.user.display_name for c in credits}
    rescores = list(contribution.rescores.select_related("actor__user", "before_version", "after_version"))
    for rescore in rescores:
        after = (rescore.after or {}).get("credits", {})
        rescore.people = [
            {"name": names.get(pk, pk), "before": before, "after": after.get(pk)}
            for pk, before in (rescore.before or {}).get("credits", {}).items()
        ]
    objections = list(contribution.objections.select_related("raised_by__user"))
    history = _changes(list(contribution.history.select_related("history_user").order_by("-history_date")[:20]))
    may_verify = contribution.status == Contribution.Status.SUBMITTED and can(
        member, "innovation.contribution.verify", contribution.unit
    )
    current = {name: getattr(contribution, name) for name in LEVEL_FIELDS}
    for credit in credits:
        credit.may_open = can(member, "innovation.archive.view", credit.member)
    context = {
        "contribution": contribution,
        "formula": formula(contribution.scoring),
        "credits": credits,
        "rescores": rescores,
        "objections": objections,
        "history": history,
        "may_verify": may_verify,
        "may_rescore": can(member, "innovation.rules.manage") and not contribution.final,
        "may_object": _may_object(contribution) and can(member, "innovation.participate"),
        "may_see_objectors": can(member, "innovation.listing.manage"),
        "verify_form": forms.get("verify_form") or VerifyForm(initial=current),
        "reject_form": forms.get("reject_form") or ReasonForm(prefix="reject"),
        "rescore_form": forms.get("rescore_form") or ReasonForm(prefix="rescore"),
        "objection_form": forms.get("objection_form") or ObjectionForm(),
        "open_form": next((name for name, form in forms.items() if form is not None), ""),
        "action_errors": [e for form in forms.values() if form is not None for e in form.non_field_errors()],
    }
    return render(request, "innovation/contribution_detail.html", context, status=status)


def contribution_detail_view(request, tenant_slug, contribution_id):
    require(request, "innovation.view")
    contribution = selectors.contribution_get(viewer=request.membership, contribution_id=contribution_id)
    return _render_detail(request, contribution)


def _get(request, contribution_id):
    require(request, "innovation.view")
    return selectors.contribution_get(viewer=request.membership, contribution_id=contribution_id)


def _done(request, contribution, message, anchor=""):
    messages.success(request, message)
    return redirect(detail_url(request, contribution) + anchor)


@require_POST
def contribution_verify_view(request, tenant_slug, contribution_id):
    contribution = _get(request, contribution_id)
    require(request, "innovation.contribution.verify", contribution.unit)
    form = VerifyForm(request.POST)
    if form.is_valid():
        levels = form.levels()
        current = Levels(*(getattr(contribution, name) for name in LEVEL_FIELDS))
        try:
            contribution = contribution_verify(
                actor=request.membership, contribution=contribution, levels=None if levels == current else levels
            )
        except ApplicationError as error:
            apply_error(form, error)
        else:
            return _done(
                request,
                contribution,
                _("Verified: %(points)s points.") % {"points": contribution.points},
            )
    return _render_detail(request, contribution, verify_form=form, status=400)


@require_POST
def contribution_reject_view(request, tenant_slug, contribution_id):
    contribution = _get(request, contribution_id)
    require(request, "innovation.contribution.verify", contribution.unit)
    form = ReasonForm(request.POST, prefix="reject")
    if form.is_valid():
        try:
            contribution = contribution_reject(
                actor=request.membership, contribution=contribution, reason=form.cleaned_data["reason"]
            )
        except ApplicationError as error:
            apply_error(form, error)
        else:
            return _done(request, contribution, _("The contribution was rejected."))
    return _render_detail(request, contribution, reject_form=form, status=400)


@require_POST
def contribution_rescore_view(request, tenant_slug, contribution_id):
    contribution = _get(request, contribution_id)
    require(request, "innovation.rules.manage")
    form = ReasonForm(request.POST, prefix="rescore")
    if form.is_valid():
        try:
            rescore = contribution_rescore(
                actor=request.membership, contribution=contribution, reason=form.cleaned_data["reason"]
            )
        except ApplicationError as error:
            apply_error(form, error)
        else:
            return _done(
                request,
                contribution,
                _("Re-scored: %(before)s → %(after)s points.")
                % {"before": rescore.before_points, "after": rescore.after_points},
                "#rescores",
            )
    return _render_detail(request, contribution, rescore_form=form, status=400)


@require_POST
def objection_new_view(request, tenant_slug, contribution_id):
    contribution = _get(request, contribution_id)
    require(request, "innovation.participate")
    form = ObjectionForm(request.POST)
    if form.is_valid():
        try:
            objection_raise(actor=request.membership, contribution=contribution, text=form.cleaned_data["text"])
        except ApplicationError as error:
            apply_error(form, error)
        else:
            return _done(request, contribution, _("Your objection was sent to the lean office."), "#objections")
    return _render_detail(request, contribution, objection_form=form, status=400)
