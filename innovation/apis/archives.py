"""Archives (员工创新电子档案): a person's, found by employee number (for HR and other systems), and a unit's
for a year. Each is a fixed number of aggregate queries, whatever the number of contributions."""

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from lean import versioned_cache
from lean.apis import TenantAPIView, error_responses
from lean.models import Membership, Unit
from lean.permissions import can, require
from targets.apis.common import read_filters

from .. import selectors
from ..models import ContributionType, Incentive
from .common import (
    INNOVATION,
    PAGE,
    POINTS,
    ContributionTypeRef,
    EnumField,
    UnitRef,
    page_of,
    paged,
    status_field,
)


class YearFilter(serializers.Serializer):
    year = serializers.IntegerField(required=False, min_value=2000, max_value=2100)


class ArchiveEmployeeOutput(serializers.Serializer):
    id = serializers.IntegerField()
    employee_number = serializers.CharField()
    name = serializers.CharField(source="user.display_name")
    position = serializers.CharField()
    unit = UnitRef()


class ContributionTypeTotalOutput(serializers.Serializer):
    type = ContributionTypeRef()
    count = serializers.IntegerField()
    points = serializers.DecimalField(**POINTS)


class ArchiveYearTotalOutput(serializers.Serializer):
    year = serializers.IntegerField()
    count = serializers.IntegerField()
    points = serializers.DecimalField(**POINTS)


class ArchiveRankOutput(serializers.Serializer):
    rank = serializers.IntegerField(allow_null=True, help_text=gettext_lazy("1 is the most points; ties share."))
    of = serializers.IntegerField(help_text=gettext_lazy("Active people of the unit."))


class IncentiveOutput(serializers.Serializer):
    kind = EnumField("IncentiveKindEnum", Incentive.Kind.choices)
    name = serializers.CharField()
    reason = serializers.CharField()
    awarded_on = serializers.DateField()
    bonus_points = serializers.DecimalField(**POINTS, allow_null=True)
    studio = serializers.CharField(source="studio.name", allow_null=True)


class ArchiveContributionOutput(serializers.Serializer):
    """A contribution as it counts for this person: its whole points and their part."""

    id = serializers.IntegerField(source="contribution.id")
    type = ContributionTypeRef(source="contribution.type")
    title = serializers.CharField(source="contribution.title")
    unit = UnitRef(source="contribution.unit")
    occurred_on = serializers.DateField(source="contribution.occurred_on")
    status = status_field(source="contribution.status")
    contribution_points = serializers.DecimalField(source="contribution.points", **POINTS)
    share = serializers.DecimalField(max_digits=5, decimal_places=2, help_text=gettext_lazy("Percent of 100."))
    points = serializers.DecimalField(**POINTS, help_text=gettext_lazy("This person's part."))
    listing_id = serializers.IntegerField(source="contribution.listing_id", allow_null=True)
    final = serializers.BooleanField(source="contribution.final")


class EmployeeArchiveSummaryOutput(serializers.Serializer):
    employee = ArchiveEmployeeOutput()
    year = serializers.IntegerField(allow_null=True, help_text=gettext_lazy("Null: every year."))
    total = serializers.DecimalField(**POINTS, help_text=gettext_lazy("Points of verified contributions."))
    final = serializers.DecimalField(**POINTS, help_text=gettext_lazy("The part a finalized listing locked."))
    rank = ArchiveRankOutput(help_text=gettext_lazy("Among the active people of the person's unit."))
    by_type = ContributionTypeTotalOutput(many=True)
    by_year = ArchiveYearTotalOutput(many=True, help_text=gettext_lazy("Every year, whatever `year` says."))
    incentives = IncentiveOutput(many=True)


class EmployeeArchiveOutput(EmployeeArchiveSummaryOutput):
    contributions = paged("ArchiveContributionPage", ArchiveContributionOutput(many=True))


def _types() -> dict:
    return {kind.pk: kind for kind in ContributionType.objects.all()}


class EmployeeArchiveApi(TenantAPIView):
    required_perm = "innovation.view"

    @extend_schema(
        tags=[INNOVATION],
        summary=gettext_lazy("A person's innovation archive"),
        description=gettext_lazy(
            "By employee number: points by type and year, final points, rank in the unit, incentives and a page "
            "of contributions (`page`). Open to the person, their units' managers and the lean office; for anyone "
            "else the person is not found. `year` narrows the totals, rank and contributions to one year."
        ),
        parameters=[YearFilter, PAGE],
        responses={200: EmployeeArchiveOutput, **error_responses(400, 403, 404)},
    )
    def get(self, request, tenant_slug, employee_number):
        filters = read_filters(YearFilter, request)
        # The answer is kept until a table it reads is written (lean.versioned_cache); who may see it is decided
        # on every request, from the person as the answer found them.
        key = f"employee:{translation.get_language()}:{request.get_host()}:{request.get_full_path()}"
        member, data = versioned_cache.get_or_compute(
            "innovation.archive", key, lambda: self._archive(request, employee_number, filters.get("year"))
        )
        if not can(self.membership, "innovation.archive.view", member):
            raise Http404
        return Response(data)

    def _archive(self, request, employee_number, year):
        member = Membership.objects.select_related("user", "unit").filter(employee_number=employee_number).first()
        if member is None:
            raise Http404
        archive = selectors.member_archive(member=member, period=selectors.Period.year(year) if year else None)
        types = _types()
        body = {
            "employee": member,
            "year": year,
            "total": archive["total"],
            "final": archive["final"],
            "rank": archive["rank"],
            "by_type": [
                {"type": types[row["contribution__type_id"]], "count": row["count"], "points": row["points"]}
                for row in archive["by_type"]
            ],
            "by_year": archive["by_year"],
            "incentives": archive["incentives"],
        }
        data = dict(EmployeeArchiveSummaryOutput(body).data)
        data["contributions"] = page_of(archive["credits"], request, self, ArchiveContributionOutput)
        return member, data


class TopContributorOutput(serializers.Serializer):
    employee_number = serializers.CharField(source="member__employee_number")
    name = serializers.SerializerMethodField()
    unit_name = serializers.CharField(source="member__unit__name")
    count = serializers.IntegerField()
    points = serializers.DecimalField(**POINTS)

    def get_name(self, row) -> str:
        return row["member__user__full_name"] or row["member__user__username"]


class UnitArchiveOutput(serializers.Serializer):
    unit = UnitRef()
    year = serializers.IntegerField()
    points = serializers.DecimalField(**POINTS, help_text=gettext_lazy("Points credited to the unit's people."))
    people = serializers.IntegerField(help_text=gettext_lazy("Active people of the unit and its sub-units."))
    participants = serializers.IntegerField(help_text=gettext_lazy("Of them, those with a verified contribution."))
    participation = serializers.DecimalField(
        max_digits=5,
        decimal_places=4,
        allow_null=True,
        help_text=gettext_lazy("Participation rate (参与率): participants / people, 0–1; null without people."),
    )
    by_type = ContributionTypeTotalOutput(
        many=True, help_text=gettext_lazy("Verified contributions of the unit by type.")
    )
    top = TopContributorOutput(
        many=True,
        help_text=gettext_lazy(
            "The ten people with the most points; when the tenant shows no rankings, the contributors by employee "
            "number (at most 50)."
        ),
    )


class UnitArchiveApi(TenantAPIView):
    required_perm = "innovation.view"

    @extend_schema(
        tags=[INNOVATION],
        summary=gettext_lazy("A unit's innovation archive for a year"),
        description=gettext_lazy(
            "The unit with its sub-units: points by type, participation rate and the top contributors. The unit's "
            "managers and the lean office. `year`: the current year by default."
        ),
        parameters=[YearFilter],
        responses={200: UnitArchiveOutput, **error_responses(400, 403, 404)},
    )
    def get(self, request, tenant_slug, unit_id):
        unit = get_object_or_404(Unit, pk=unit_id)
        require(self.membership, "innovation.unit.view", unit)
        year = read_filters(YearFilter, request).get("year") or timezone.localdate().year
        archive = selectors.unit_archive(unit=unit, period=selectors.Period.year(year))
        types = _types()
        body = {
            **archive,
            "year": year,
            "by_type": [
                {"type": types[row["type_id"]], "count": row["count"], "points": row["points"]}
                for row in archive["by_type"]
            ],
        }
        return Response(UnitArchiveOutput(body).data)
