"""Incentives (激励): the honours, titles, studio places and performance bonus points recorded against people,
with filters, and the innovation studios (创新工作室); recording an incentive and founding a studio. For the lean
office and unit managers; which people and units each may choose is the services' rule."""

from django.contrib import messages
from django.db.models.functions import ExtractYear
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from innovation.forms_office import IncentiveFilterForm, IncentiveForm, StudioForm
from lean.access import within
from lean.forms import submitted
from lean.paging import paginate
from lean.permissions import require

from .. import selectors
from ..models import Incentive, Studio
from ..services import incentives as services


def _studios(viewer):
    return within(Studio.objects.select_related("unit").order_by("name"), viewer, **selectors.reach(viewer, None))


def incentive_list_view(request, tenant_slug):
    require(request, "innovation.incentives")
    member = request.membership
    units = selectors.managed_units(viewer=member)
    years = list(
        Incentive.objects.annotate(year=ExtractYear("awarded_on"))
        .order_by("-year")
        .values_list("year", flat=True)
        .distinct()
    )
    form = IncentiveFilterForm(request.GET or None, units=units, years=years)
    data = form.cleaned_data if form.is_valid() else {}
    rows = selectors.incentive_list(
        viewer=member, kind=data.get("kind") or "", unit=data.get("unit"), year=data.get("year")
    )
    page, query = paginate(request, rows, 50)
    context = {"form": form, "page": page, "query": query, "studios": selectors.studio_list(viewer=member)}
    template = "innovation/incentive_list.html#incentive-table" if request.htmx else "innovation/incentive_list.html"
    response = render(request, template, context)
    response.headers["Vary"] = "HX-Request"
    return response


def incentive_new_view(request, tenant_slug):
    require(request, "innovation.incentives")
    member = request.membership
    form = IncentiveForm(
        request.POST if request.method == "POST" else None,
        members=selectors.managed_members(viewer=member),
        studios=_studios(member),
        initial={"kind": request.GET.get("kind") if request.GET.get("kind") in Incentive.Kind.values else None},
    )
    incentive = submitted(request, form, services.incentive_create, actor=member)
    if incentive is not None:
        messages.success(
            request,
            _("%(kind)s recorded for %(person)s.")
            % {"kind": incentive.get_kind_display(), "person": incentive.member.user.display_name},
        )
        return redirect("innovation-incentives", tenant_slug=tenant_slug)
    status = 400 if request.method == "POST" else 200
    return render(request, "innovation/incentive_new.html", {"form": form}, status=status)


def studio_new_view(request, tenant_slug):
    require(request, "innovation.incentives")
    member = request.membership
    form = StudioForm(
        request.POST if request.method == "POST" else None,
        units=selectors.managed_units(viewer=member),
        members=selectors.managed_members(viewer=member),
    )
    studio = submitted(request, form, services.studio_create, actor=member)
    if studio is not None:
        messages.success(
            request,
            _("The studio “%(name)s” is founded. Give its members a place with a studio incentive.")
            % {"name": studio.name},
        )
        return redirect("innovation-incentives", tenant_slug=tenant_slug)
    status = 400 if request.method == "POST" else 200
    return render(request, "innovation/studio_new.html", {"form": form}, status=status)
