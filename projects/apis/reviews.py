"""Reviews (read): the midterm (中期答辩) and closing (结题) reviews a member sits on or organises, with the panel
and, for those allowed, the scores. Scoring and deciding happen on the review page."""

from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.response import Response

from lean.apis import TenantAPIView, error_responses
from targets.apis.common import Page

from .. import workflow
from ..models import Complexity, Criterion, Review
from ..selectors import api as queries
from .common import EnumField, MemberRef, VisibleProjectField
from .projects import _state_field, _tier_field

REVIEWS = "reviews"


class ReviewProjectOutput(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    title = serializers.CharField()
    tier = _tier_field()
    state = _state_field()
    unit_code = serializers.CharField(source="unit.code")
    unit_name = serializers.CharField(source="unit.name")


class ReviewPanelOutput(serializers.Serializer):
    reviewer = MemberRef()
    submitted_at = serializers.DateTimeField(allow_null=True, help_text=gettext_lazy("Null until they have scored."))


class ReviewOutput(serializers.Serializer):
    id = serializers.IntegerField()
    project = ReviewProjectOutput()
    kind = EnumField("ReviewKindEnum", Review.Kind.choices)
    round = serializers.IntegerField()
    chair = MemberRef(allow_null=True)
    scheduled_for = serializers.DateField(allow_null=True)
    panel = ReviewPanelOutput(many=True, source="assignments.all")
    score = serializers.DecimalField(
        max_digits=6, decimal_places=2, allow_null=True, help_text=gettext_lazy("The panel's mean weighted score.")
    )
    suggested = EnumField(
        "ReviewResultEnum",
        Review.Result.choices,
        allow_null=True,
        help_text=gettext_lazy("What the scores say: pass from 80, pass with conditions from 60."),
    )
    result = EnumField(
        "ReviewResultEnum", Review.Result.choices, allow_null=True, help_text=gettext_lazy("Null until decided.")
    )
    conditions = serializers.CharField()
    excellent = serializers.BooleanField()
    complexity = EnumField(
        "ReviewComplexityEnum",
        Complexity.choices,
        allow_null=True,
        help_text=gettext_lazy("A passed closing review: the panel's judged complexity, which sets the points."),
    )
    decided_by = MemberRef(allow_null=True)
    decided_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()
    assigned_to_me = serializers.SerializerMethodField()

    def get_assigned_to_me(self, review) -> bool:
        me = self.context["membership"].pk
        return any(a.reviewer_id == me for a in review.assignments.all())


class ReviewCriterionOutput(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    weight = serializers.DecimalField(max_digits=5, decimal_places=2)


class ReviewScoreOutput(serializers.Serializer):
    criterion_id = serializers.IntegerField()
    criterion_code = serializers.CharField(source="criterion.code")
    value = serializers.DecimalField(max_digits=5, decimal_places=2)


class ReviewPanelScoresOutput(ReviewPanelOutput):
    comment = serializers.CharField(allow_null=True, help_text=gettext_lazy("Null when hidden from the member."))
    scores = ReviewScoreOutput(
        many=True,
        allow_null=True,
        help_text=gettext_lazy(
            "Shown to the organiser, the chair and the reviewer themselves; null for the other panel members."
        ),
    )


class ReviewDetailOutput(ReviewOutput):
    panel = serializers.SerializerMethodField()
    criteria = serializers.SerializerMethodField()

    @extend_schema_field(ReviewPanelScoresOutput(many=True))
    def get_panel(self, review):
        member = self.context["membership"]
        sees_all = review.chair_id == member.pk or workflow.is_organiser(member, review.project)
        rows = []
        for assignment in review.assignments.all():
            shown = sees_all or assignment.reviewer_id == member.pk
            rows.append(
                {
                    "reviewer": assignment.reviewer,
                    "submitted_at": assignment.submitted_at,
                    "comment": assignment.comment if shown else None,
                    "scores": list(assignment.scores.all()) if shown else None,
                }
            )
        return ReviewPanelScoresOutput(rows, many=True).data

    @extend_schema_field(ReviewCriterionOutput(many=True))
    def get_criteria(self, review):
        return ReviewCriterionOutput(self.context["criteria"], many=True).data


class ReviewFilter(serializers.Serializer):
    kind = EnumField("ReviewKindEnum", Review.Kind.choices, required=False)
    undecided = serializers.BooleanField(
        required=False, allow_null=True, default=None, help_text=gettext_lazy("true: open reviews only.")
    )
    project = VisibleProjectField(required=False)


class ReviewListApi(TenantAPIView):
    required_perm = "projects.reviews"
    pagination_class = Page

    @extend_schema(
        tags=[REVIEWS],
        summary=gettext_lazy("Reviews"),
        description=gettext_lazy(
            "A reviewer sees the reviews they are assigned to; the lean office those of HQ-tier projects; a unit "
            "manager those of their units' unit-tier projects."
        ),
        parameters=[ReviewFilter],
        responses={200: ReviewOutput(many=True), **error_responses(400, 403)},
    )
    def get(self, request, tenant_slug):
        serializer = ReviewFilter(data=request.query_params.dict(), context={"membership": self.membership})
        serializer.is_valid(raise_exception=True)
        filters = serializer.validated_data
        reviews = queries.review_list(
            viewer=self.membership,
            kind=filters.get("kind", ""),
            undecided=filters.get("undecided"),
            project=filters.get("project"),
        )
        page = Page()
        rows = page.paginate_queryset(reviews, request, view=self)
        context = {"membership": self.membership}
        return page.get_paginated_response(ReviewOutput(rows, many=True, context=context).data)


class ReviewDetailApi(TenantAPIView):
    required_perm = "projects.reviews"

    @extend_schema(
        tags=[REVIEWS],
        summary=gettext_lazy("A review with its panel, criteria and scores"),
        responses={200: ReviewDetailOutput, **error_responses(403, 404)},
    )
    def get(self, request, tenant_slug, review_id):
        review = queries.review_detail(viewer=self.membership, review_id=review_id)
        context = {"membership": self.membership, "criteria": Criterion.objects.filter(active=True)}
        return Response(ReviewDetailOutput(review, context=context).data)
