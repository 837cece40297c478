"""The innovation archives (员工创新电子档案): a person's own (phone first), another person's for those allowed,
a unit's page, and the lean office's tenant-wide view. Each runs a fixed number of queries."""

from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from lean.models import Unit
from lean.paging import paginate
from lean.permissions import can, require

from .. import selectors
from ..forms_people import YearForm
from ..models import Contribution

CARDS_PER_PAGE = 20


def with_bars(rows: list[dict], key: str = "points") -> list[dict]:
    """Each row with `bar`, its value as a percentage of the largest (for the small bar lists)."""
    top = max((row[key] or 0 for row in rows), default=0)
    for row in rows:
        row["bar"] = round(float(row[key] or 0) * 100 / float(top)) if top else 0
    return rows


def _archive(request, member):
    require(request, "innovation.view")
    form = YearForm(request.GET or None, years=selectors.contribution_years(member=member), all_years=True)
    archive = selectors.member_archive(member=member, period=form.period())
    cards, query = paginate(request, archive["credits"], CARDS_PER_PAGE)
    context = {
        **archive,
        "by_type": with_bars(archive["by_type"]),
        "by_year": with_bars(archive["by_year"]),
        "provisional": archive["total"] - archive["final"],
        "cards": cards,
        "form": form,
        "year": form.chosen(),
        "query": query,
        "is_self": member.pk == request.membership.pk,
    }
    return render(request, "innovation/archive.html", context)


def my_archive_view(request, tenant_slug):
    return _archive(request, request.membership)


def member_archive_view(request, tenant_slug, membership_id):
    require(request, "innovation.view")
    member = selectors.member_get_for_archive(viewer=request.membership, member_id=membership_id)
    return _archive(request, member)


def tenant_archive_view(request, tenant_slug):
    """The lean office's tenant-wide view; a unit manager goes to their own unit's page."""
    member = request.membership
    if not can(member, "innovation.tenant.view"):
        require(request, "innovation.units")
        url = reverse("innovation-unit", kwargs={"tenant_slug": tenant_slug, "unit_id": member.unit_id})
        return redirect(f"{url}?{request.GET.urlencode()}" if request.GET else url)
    form = YearForm(request.GET or None, years=selectors.contribution_years())
    period = form.period()
    archive = selectors.tenant_archive(period=period)
    adoption = selectors.adoption_summary(selectors.adoption_rates(period=period))
    totals = {
        "people": sum(r["people"] for r in archive["rows"]),
        "participants": sum(r["participants"] for r in archive["rows"]),
        "points": sum((r["points"] for r in archive["rows"]), 0),
        "count": sum(r["count"] for r in archive["rows"]),
    }
    totals["participation"] = totals["participants"] / totals["people"] if totals["people"] else None
    context = {
        **archive,
        "rows": with_bars(archive["rows"]),
        "by_type": with_bars(archive["by_type"]),
        "totals": totals,
        "adoption": adoption,
        "form": form,
        "year": form.chosen(),
    }
    return render(request, "innovation/units.html", context)


def unit_archive_view(request, tenant_slug, unit_id):
    unit = get_object_or_404(Unit, pk=unit_id)
    require(request, "innovation.unit.view", unit)
    form = YearForm(request.GET or None, years=selectors.contribution_years())
    period = form.period()
    archive = selectors.unit_archive(unit=unit, period=period)
    adoption = selectors.adoption_summary(selectors.adoption_rates(period=period, unit=unit))
    context = {
        **archive,
        "by_type": with_bars(archive["by_type"]),
        "top": with_bars(archive["top"]),
        "adoption": adoption,
        "form": form,
        "year": form.chosen(),
        "waiting": selectors.contributions(
            viewer=request.membership, unit=unit, status=Contribution.Status.SUBMITTED
        ).count(),
        "may_tenant": can(request.membership, "innovation.tenant.view"),
    }
    return render(request, "innovation/unit.html", context)
