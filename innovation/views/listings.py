"""Public innovation listings (创新公示): the list, opening a period's listing and the objection window setting
(lean office), a listing's contributions by unit with objections (every member), the lean office's resolution
of objections (异议) and finalization."""

from datetime import date, timedelta

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lean.access import ancestor_ids
from lean.errors import ApplicationError
from lean.forms import apply_error, flash_error
from lean.models import Unit
from lean.paging import paginate
from lean.permissions import can, require

from .. import selectors
from ..forms_office import ListingOpenForm, ResolveForm, SettingsForm, add_error, unit_label
from ..models import Listing, Objection
from ..services import listings as service

ROWS_PER_PAGE = 200
WHOLE = "all"


def listing_url(request, listing) -> str:
    return reverse("innovation-listing", kwargs={"tenant_slug": request.tenant.slug, "listing_id": listing.pk})


def listing_list_view(request, tenant_slug):
    require(request, "innovation.view")
    listings, query = paginate(request, selectors.listing_list(), 50)
    context = {
        "page": listings,
        "query": query,
        "now": timezone.now(),
        "may_manage": can(request.membership, "innovation.listing.manage"),
        "settings": service.settings_get() if can(request.membership, "innovation.listing.manage") else None,
    }
    return render(request, "innovation/listing_list.html", context)


def _last_quarter(today):
    """The last full quarter before `today`: the period a new listing most often covers."""
    start_of_this = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    end = start_of_this - timedelta(days=1)
    return date(end.year, 3 * ((end.month - 1) // 3) + 1, 1), end


def listing_new_view(request, tenant_slug):
    require(request, "innovation.listing.manage")
    start, end = _last_quarter(timezone.localdate())
    form = ListingOpenForm(
        request.POST if request.method == "POST" else None, initial={"period_start": start, "period_end": end}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        started = timezone.now()
        try:
            listing = service.listing_open(
                actor=request.membership,
                period_start=data["period_start"],
                period_end=data["period_end"],
                title=data["title"],
            )
        except ApplicationError as error:
            apply_error(form, error)
        else:
            if listing.opened_at >= started:
                messages.success(
                    request,
                    _("The listing is open for objections until %(date)s.")
                    % {"date": timezone.localtime(listing.closes_at).strftime("%Y-%m-%d %H:%M")},
                )
            else:
                messages.info(request, _("This period already has its listing."))
            return redirect(listing_url(request, listing))
    context = {"form": form, "settings": service.settings_get()}
    return render(request, "innovation/listing_new.html", context, status=400 if request.method == "POST" else 200)


def settings_view(request, tenant_slug):
    require(request, "innovation.listing.manage")
    current = service.settings_get()
    form = SettingsForm(
        request.POST if request.method == "POST" else None, initial={"objection_days": current.objection_days}
    )
    if request.method == "POST" and form.is_valid():
        try:
            service.settings_update(actor=request.membership, objection_days=form.cleaned_data["objection_days"])
        except ApplicationError as error:
            apply_error(form, error)
        else:
            messages.success(request, _("The settings are saved. They apply to the listings opened from now on."))
            return redirect("innovation-listings", tenant_slug=tenant_slug)
    return render(request, "innovation/settings.html", {"form": form}, status=400 if request.method == "POST" else 200)


def _top_unit_id(member) -> int | None:
    """The unit right below HQ that the member belongs to (None for HQ's own people)."""
    ids = ancestor_ids(member.unit)
    return ids[1] if len(ids) > 1 else None


def _chosen_unit(request, units):
    """The unit filter: "all" is the whole enterprise; no choice is the viewer's top unit, or the whole
    enterprise for the lean office and HQ's people."""
    by_id = {unit.pk: unit for unit in units}
    raw = request.GET.get("unit", "")
    if raw == WHOLE:
        return None, WHOLE
    if raw.isdigit() and int(raw) in by_id:
        return by_id[int(raw)], raw
    if can(request.membership, "innovation.tenant.view"):
        return None, WHOLE
    top = by_id.get(_top_unit_id(request.membership))
    return top, str(top.pk) if top else WHOLE


def render_listing(request, listing, *, resolve_forms=None, status=200):
    member = request.membership
    units = list(Unit.objects.filter(active=True).order_by("path"))
    for each in units:
        each.label = unit_label(each)
    unit, chosen = _chosen_unit(request, units)
    rows, query = paginate(request, selectors.listing_rows(listing=listing, unit=unit), ROWS_PER_PAGE)
    for row in rows:
        row.people = list(row.credits.all())
        row.mine = any(credit.member_id == member.pk for credit in row.people)
    now = timezone.now()
    may_manage = can(member, "innovation.listing.manage")
    objections = list(selectors.listing_objections(listing=listing))
    resolve_forms = resolve_forms or {}
    for objection in objections:
        objection.form = resolve_forms.get(objection.pk) or (
            ResolveForm(prefix=f"o{objection.pk}") if may_manage and objection.state == Objection.State.OPEN else None
        )
    context = {
        "listing": listing,
        "rows": rows,
        "units": units,
        "chosen": chosen,
        "unit": unit,
        "summary": selectors.listing_summary(listing=listing, unit=unit),
        "objections": objections,
        "open_objections": sum(1 for o in objections if o.state == Objection.State.OPEN),
        "window_open": listing.state == Listing.State.OPEN and now < listing.closes_at,
        "may_manage": may_manage,
        "query": query,
    }
    template = "innovation/listing_detail.html"
    if request.htmx and request.method == "GET":
        template += "#listing-rows"
    response = render(request, template, context, status=status)
    response.headers["Vary"] = "HX-Request"
    return response


def listing_detail_view(request, tenant_slug, listing_id):
    """A listing as every member sees it: the contributions by unit with their people and points, an objection
    button while the window is open, the objections and their state; the lean office resolves and finalizes."""
    require(request, "innovation.view")
    listing = get_object_or_404(Listing.objects.select_related("finalized_by__user", "opened_by__user"), pk=listing_id)
    return render_listing(request, listing)


@require_POST
def listing_finalize_view(request, tenant_slug, listing_id):
    listing = get_object_or_404(Listing, pk=listing_id)
    require(request, "innovation.listing.manage")
    try:
        listing = service.listing_finalize(actor=request.membership, listing=listing)
    except ApplicationError as error:
        flash_error(request, error)
    else:
        messages.success(request, _("The listing is final: its points are locked and go to HR."))
    return redirect(listing_url(request, listing))


@require_POST
def objection_resolve_view(request, tenant_slug, objection_id):
    """Uphold (the contribution leaves the listing to be corrected) or dismiss an objection, with a resolution.
    Bad input re-renders the listing with the form's errors (400)."""
    objection = get_object_or_404(Objection.objects.select_related("listing"), pk=objection_id)
    require(request, "innovation.listing.manage")
    form = ResolveForm(request.POST, prefix=f"o{objection.pk}")
    if form.is_valid():
        try:
            service.objection_resolve(
                actor=request.membership,
                objection=objection,
                uphold=form.cleaned_data["decision"] == "uphold",
                resolution=form.cleaned_data["resolution"],
            )
        except ApplicationError as error:
            if error.field_errors:
                apply_error(form, error)
            else:
                flash_error(request, error)
                return redirect(listing_url(request, objection.listing))
        else:
            messages.success(request, _("The objection is resolved."))
            return redirect(listing_url(request, objection.listing) + f"#objection-{objection.pk}")
    elif not form.non_field_errors():
        add_error(form, None, _("Choose a decision and say how it was resolved."))
    listing = Listing.objects.select_related("finalized_by__user", "opened_by__user").get(pk=objection.listing_id)
    return render_listing(request, listing, resolve_forms={objection.pk: form}, status=400)
