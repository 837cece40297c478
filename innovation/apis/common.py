"""What the innovation API operations share: named enums, references to types and people, the contribution
rows (prefetched, so a page of any length runs the same queries) and nested pages. A service's refusal
(lean.errors.Forbidden) answers 403 through the API's exception handler."""

from datetime import date

from django.db.models import Prefetch
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, inline_serializer
from rest_framework import serializers

from lean.models import Membership
from lean.permissions import can
from projects.apis.common import EnumField, MemberRef, UnitRef
from targets.apis.common import Page

from ..models import Contribution, ContributionType, Credit, Level, Listing, Rescore, Suggestion
from ..selectors import Period

INNOVATION = "innovation"
POINTS = {"max_digits": 12, "decimal_places": 2}

__all__ = ["EnumField", "MemberRef", "UnitRef", "Page"]


def status_field(**kwargs):
    return EnumField("ContributionStatusEnum", Contribution.Status.choices, **kwargs)


def suggestion_state_field(**kwargs):
    return EnumField("SuggestionStateEnum", Suggestion.State.choices, **kwargs)


def listing_state_field(**kwargs):
    return EnumField("ListingStateEnum", Listing.State.choices, **kwargs)


def level_field(factor: str, **kwargs):
    choices = Level.AWARD if factor == "award" else Level.FACTORS[factor]
    return EnumField(f"{factor.capitalize()}LevelEnum", choices, **kwargs)


# ---------------------------------------------------------------- input fields


class TypeCodeField(serializers.CharField):
    """The code of one of the tenant's active contribution types, handed on as the type."""

    def to_internal_value(self, data):
        code = super().to_internal_value(data)
        kind = ContributionType.objects.filter(code=code, active=True).first()
        if kind is None:
            raise serializers.ValidationError(_("There is no contribution type with code %(code)s.") % {"code": code})
        return kind


class EmployeeNumberField(serializers.CharField):
    """An employee number of the tenant, handed on as the membership. With `visible=True` a person the member
    may not see reads like an unknown number."""

    def __init__(self, visible: bool = False, **kwargs):
        self.visible = visible
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        number = super().to_internal_value(data)
        member = Membership.objects.select_related("unit", "user").filter(employee_number=number).first()
        viewer = self.context.get("membership")
        if member is not None and self.visible and not can(viewer, "innovation.archive.view", member):
            member = None
        if member is None:
            raise serializers.ValidationError(
                _("There is no person with employee number %(number)s.") % {"number": number}
            )
        return member


class ContributionLevelsInput(serializers.Serializer):
    positioning = level_field("positioning", required=False, help_text=gettext_lazy("Positioning (定位)."))
    breadth = level_field("breadth", required=False, help_text=gettext_lazy("Breadth (涉及广度)."))
    complexity = level_field("complexity", required=False, help_text=gettext_lazy("Complexity (复杂程度)."))
    award = level_field("award", required=False, help_text=gettext_lazy("Award level (获奖情况)."))


def period_of(date_from: date | None, date_to: date | None) -> Period | None:
    if date_from is None and date_to is None:
        return None
    return Period(date_from or date.min, date_to or date.max)


# ---------------------------------------------------------------- output


class ContributionTypeRef(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class CreditOutput(serializers.Serializer):
    employee_number = serializers.CharField(source="member.employee_number")
    name = serializers.CharField(source="member.user.display_name")
    share = serializers.DecimalField(max_digits=5, decimal_places=2, help_text=gettext_lazy("Percent of 100."))
    points = serializers.DecimalField(**POINTS, help_text=gettext_lazy("This person's part of the points."))


class ContributionLevelsOutput(serializers.Serializer):
    positioning = level_field("positioning")
    breadth = level_field("breadth")
    complexity = level_field("complexity")
    award = level_field("award")


class ContributionOutput(serializers.Serializer):
    id = serializers.IntegerField()
    type = ContributionTypeRef()
    title = serializers.CharField()
    unit = UnitRef()
    occurred_on = serializers.DateField()
    levels = ContributionLevelsOutput(source="*")
    status = status_field()
    points = serializers.DecimalField(
        **POINTS, help_text=gettext_lazy("The whole contribution's points; the credits split them exactly.")
    )
    rule_version = serializers.IntegerField(
        source="rule_version.number", help_text=gettext_lazy("The number of the rule version that scored it.")
    )
    listing_id = serializers.IntegerField(
        allow_null=True, help_text=gettext_lazy("The public listing it is (or was) published in.")
    )
    final = serializers.BooleanField(help_text=gettext_lazy("A finalized listing locked its points."))
    credits = CreditOutput(many=True, source="credits.all")


class FactorScoreOutput(serializers.Serializer):
    level = serializers.CharField()
    value = serializers.CharField(help_text=gettext_lazy("A decimal."))
    source = serializers.CharField(
        source="from", help_text=gettext_lazy("hq, unit (the unit's tuning) or unit_clamped (tuning outside bounds).")
    )


class AwardScoreOutput(serializers.Serializer):
    level = serializers.CharField()
    bonus = serializers.CharField(help_text=gettext_lazy("A decimal."))


class ScoringFactorsOutput(serializers.Serializer):
    positioning = FactorScoreOutput(required=False)
    breadth = FactorScoreOutput(required=False)
    complexity = FactorScoreOutput(required=False)


class ScoringOutput(serializers.Serializer):
    """The figures that produced the points: base × positioning × breadth × complexity + award bonus."""

    base = serializers.CharField(required=False, help_text=gettext_lazy("A decimal."))
    base_from = serializers.CharField(required=False, help_text=gettext_lazy("hq, unit or unit_clamped."))
    factors = ScoringFactorsOutput(required=False)
    award = AwardScoreOutput(required=False)
    points = serializers.CharField(required=False, help_text=gettext_lazy("A decimal."))
    version = serializers.IntegerField(required=False, help_text=gettext_lazy("The rule version number."))
    tuning = serializers.IntegerField(
        required=False, allow_null=True, help_text=gettext_lazy("The id of the unit tuning applied, if any.")
    )


class RescoreOutput(serializers.Serializer):
    before_points = serializers.DecimalField(**POINTS)
    after_points = serializers.DecimalField(**POINTS)
    before_version = serializers.IntegerField(source="before_version.number")
    after_version = serializers.IntegerField(source="after_version.number")
    reason = serializers.CharField()
    actor = MemberRef(allow_null=True)
    created_at = serializers.DateTimeField()


class ContributionDetailOutput(ContributionOutput):
    description = serializers.CharField()
    scoring = ScoringOutput()
    recorded_by = MemberRef(allow_null=True)
    recorded_at = serializers.DateTimeField()
    verified_by = MemberRef(allow_null=True, help_text=gettext_lazy("Who verified or rejected it."))
    verified_at = serializers.DateTimeField(allow_null=True)
    rejection_reason = serializers.CharField()
    project_id = serializers.IntegerField(allow_null=True, help_text=gettext_lazy("The closed lean project."))
    suggestion_id = serializers.IntegerField(allow_null=True, help_text=gettext_lazy("The adopted suggestion."))
    rescores = RescoreOutput(many=True, source="rescores.all", help_text=gettext_lazy("Newest first."))


# ---------------------------------------------------------------- rows


def with_credits(rows):
    """Contribution rows with what ContributionOutput shows: a fixed number of queries for any page."""
    credits = Credit.objects.select_related("member__user").order_by("-share", "id")
    return rows.select_related("type", "unit", "rule_version").prefetch_related(Prefetch("credits", queryset=credits))


def with_details(rows):
    rescores = Rescore.objects.select_related("before_version", "after_version", "actor__user").order_by(
        "-created_at", "-id"
    )
    return (
        with_credits(rows)
        .select_related("recorded_by__user", "verified_by__user")
        .prefetch_related(Prefetch("rescores", queryset=rescores))
    )


# ---------------------------------------------------------------- nested pages


PAGE = OpenApiParameter(
    "page", OpenApiTypes.INT, description=gettext_lazy("A page number within the paginated contributions.")
)


def page_of(rows, request, view, serializer_class, context=None) -> dict:
    """One page of `rows` inside a larger answer, shaped like a list operation's answer."""
    page = Page()
    items = page.paginate_queryset(rows, request, view=view)
    return page.get_paginated_response(serializer_class(items, many=True, context=context or {}).data).data


def paged(name: str, serializer, **kwargs):
    """The schema of a nested page (the operation fills it with `page_of`)."""
    return inline_serializer(
        name,
        {
            "count": serializers.IntegerField(),
            "next": serializers.URLField(allow_null=True),
            "previous": serializers.URLField(allow_null=True),
            "results": serializer,
        },
        **kwargs,
    )
