"""Projects: the filtered list, filing a draft, the project with everything its page shows, changing it while the
lifecycle allows, and taking a lifecycle action (submit, approve, start …) through projects.services."""

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.response import Response

from lean.apis import TenantAPIView, error_responses
from lean.models import Membership, Unit
from lean.permissions import require
from targets.apis.common import Page, PeriodField, RowField, read_filters
from targets.models import Direction as IndicatorDirection
from targets.models import Indicator, Shortfall

from .. import services, workflow
from ..models import Direction, Review, State, TeamMember, Tier
from ..selectors import api as queries
from .common import DirectionRef, EnumField, MemberRef, ProjectRef, UnitRef, VisibleProjectField

PROJECTS = "projects"


def _state_field(**kwargs):
    return EnumField("ProjectStateEnum", State.choices, **kwargs)


def _tier_field(**kwargs):
    return EnumField("ProjectTierEnum", Tier.choices, **kwargs)


# ---------------------------------------------------------------- output


class ProjectOutput(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    title = serializers.CharField()
    tier = _tier_field()
    state = _state_field()
    year = serializers.IntegerField()
    unit = UnitRef(help_text=gettext_lazy("The applicant unit."))
    direction = DirectionRef(allow_null=True, help_text=gettext_lazy("The guide direction it is filed against."))
    leader = serializers.SerializerMethodField()
    planned_start = serializers.DateField(allow_null=True)
    planned_end = serializers.DateField(allow_null=True)
    estimated_benefit = serializers.DecimalField(max_digits=14, decimal_places=2, help_text=gettext_lazy("CNY"))
    verified_benefit = serializers.DecimalField(
        max_digits=14, decimal_places=2, allow_null=True, help_text=gettext_lazy("CNY, written at closing.")
    )
    midterm_passed = serializers.BooleanField()
    excellent = serializers.BooleanField()
    merged_into_id = serializers.IntegerField(
        allow_null=True, help_text=gettext_lazy("The integrated project a merged proposal joined.")
    )
    state_changed_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    @extend_schema_field(MemberRef(allow_null=True))
    def get_leader(self, project):
        leaders = project.leaders
        return MemberRef(leaders[0].member).data if leaders else None


class ParticipantUnitOutput(serializers.Serializer):
    id = serializers.IntegerField(source="unit.id")
    code = serializers.CharField(source="unit.code")
    name = serializers.CharField(source="unit.name")


class TeamMemberOutput(serializers.Serializer):
    member_id = serializers.IntegerField()
    name = serializers.CharField(source="member.user.display_name")
    employee_number = serializers.CharField(source="member.employee_number")
    unit_code = serializers.CharField(source="member.unit.code")
    role = EnumField("TeamRoleEnum", TeamMember.Role.choices)
    share = serializers.DecimalField(max_digits=5, decimal_places=2, help_text=gettext_lazy("Percent of 100."))


class ProjectIndicatorOutput(serializers.Serializer):
    indicator_id = serializers.IntegerField()
    code = serializers.CharField(source="indicator.node.code")
    name = serializers.CharField(source="indicator.node.name")
    measure_unit = serializers.CharField(source="indicator.measure_unit")
    direction = serializers.ChoiceField(source="indicator.direction", choices=IndicatorDirection.choices)
    baseline = serializers.DecimalField(max_digits=18, decimal_places=4)
    goal = serializers.DecimalField(max_digits=18, decimal_places=4)
    achieved = serializers.DecimalField(
        max_digits=18, decimal_places=4, allow_null=True, help_text=gettext_lazy("Written at closing.")
    )


class ProjectShortfallOutput(serializers.Serializer):
    id = serializers.IntegerField(source="shortfall.id")
    indicator_code = serializers.CharField(source="shortfall.indicator.node.code")
    indicator_name = serializers.CharField(source="shortfall.indicator.node.name")
    unit_code = serializers.CharField(source="shortfall.unit.code")
    period = PeriodField(source="shortfall.period")
    actual = serializers.DecimalField(source="shortfall.actual", max_digits=18, decimal_places=4)
    target = serializers.DecimalField(source="shortfall.target", max_digits=18, decimal_places=4)
    resolved = serializers.BooleanField(source="shortfall.resolved")


class ProjectTransitionOutput(serializers.Serializer):
    action = serializers.CharField()
    from_state = serializers.CharField(help_text=gettext_lazy("A project state."))
    to_state = serializers.CharField(help_text=gettext_lazy("A project state."))
    actor = MemberRef()
    reason = serializers.CharField()
    created_at = serializers.DateTimeField()


class ReviewSummaryOutput(serializers.Serializer):
    id = serializers.IntegerField()
    kind = EnumField("ReviewKindEnum", Review.Kind.choices)
    round = serializers.IntegerField()
    chair = MemberRef(allow_null=True)
    scheduled_for = serializers.DateField(allow_null=True)
    panel_size = serializers.SerializerMethodField()
    scored = serializers.SerializerMethodField(help_text=gettext_lazy("Reviewers who have submitted their scores."))
    score = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True)
    result = EnumField("ReviewResultEnum", Review.Result.choices, allow_null=True)
    conditions = serializers.CharField()
    excellent = serializers.BooleanField()
    decided_at = serializers.DateTimeField(allow_null=True)

    def get_panel_size(self, review) -> int:
        return len(review.assignments.all())

    def get_scored(self, review) -> int:
        return sum(1 for a in review.assignments.all() if a.submitted_at)


class ProgressNoteOutput(serializers.Serializer):
    author = MemberRef()
    text = serializers.CharField()
    created_at = serializers.DateTimeField()


class ProjectAttachmentOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    size = serializers.IntegerField(help_text=gettext_lazy("Bytes."))
    content_type = serializers.CharField()
    uploaded_by = MemberRef()
    created_at = serializers.DateTimeField()
    url = serializers.SerializerMethodField(help_text=gettext_lazy("Download, signed in as a member."))

    def get_url(self, attachment) -> str:
        slug = self.context["request"].tenant.slug
        return reverse("projects-attachment", kwargs={"tenant_slug": slug, "attachment_id": attachment.pk})


class ProjectActionOutput(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()
    needs_reason = serializers.BooleanField()


class FilingOutput(serializers.Serializer):
    """备案: where the filing of a unit-tier project to HQ stands."""

    acknowledged_at = serializers.DateTimeField(source="filing_acknowledged_at", allow_null=True)
    acknowledged_by = MemberRef(source="filing_acknowledged_by", allow_null=True)
    return_reason = serializers.CharField(
        source="filing_return_reason",
        help_text=gettext_lazy("Why the lean office returned the filing for correction; empty once filed again."),
    )
    package_pdf = serializers.SerializerMethodField()
    package_zip = serializers.SerializerMethodField()

    def _url(self, name, project) -> str:
        slug = self.context["request"].tenant.slug
        return reverse(name, kwargs={"tenant_slug": slug, "project_id": project.pk})

    def get_package_pdf(self, project) -> str:
        return self._url("projects-package-pdf", project)

    def get_package_zip(self, project) -> str:
        return self._url("projects-package-zip", project)


class ProjectDetailOutput(ProjectOutput):
    problem = serializers.CharField()
    management_base = serializers.CharField()
    capability = serializers.CharField()
    expected_effect = serializers.CharField()
    pdca_plan = serializers.CharField()
    pdca_do = serializers.CharField()
    pdca_check = serializers.CharField()
    pdca_act = serializers.CharField()
    estimated_hours = serializers.DecimalField(max_digits=10, decimal_places=1)
    estimated_quality = serializers.CharField()
    verified_hours = serializers.DecimalField(max_digits=10, decimal_places=1, allow_null=True)
    verified_quality = serializers.CharField()
    case_summary = serializers.CharField()
    merged_into = ProjectRef(allow_null=True)
    created_by = MemberRef()
    participants = ParticipantUnitOutput(
        many=True,
        source="unit_links.all",
        help_text=gettext_lazy("The applicant unit and every unit of a proposal merged into this one."),
    )
    team = TeamMemberOutput(many=True, source="team.all")
    indicators = ProjectIndicatorOutput(many=True, source="indicator_links.all")
    shortfalls = ProjectShortfallOutput(many=True, source="shortfall_links.all")
    transitions = ProjectTransitionOutput(many=True, source="transitions.all", help_text=gettext_lazy("Oldest first."))
    reviews = ReviewSummaryOutput(many=True, source="reviews_in_order")
    notes = ProgressNoteOutput(many=True, source="notes.all", help_text=gettext_lazy("Progress notes, newest first."))
    attachments = ProjectAttachmentOutput(many=True, source="attachments.all")
    filing = FilingOutput(
        source="*",
        help_text=gettext_lazy(
            "The filing to HQ (备案) and the filing package: a PDF, and a ZIP of the PDF with the attachments."
        ),
    )
    actions = serializers.SerializerMethodField(
        help_text=gettext_lazy("The lifecycle actions the signed-in member may take now.")
    )

    @extend_schema_field(ProjectActionOutput(many=True))
    def get_actions(self, project):
        actions = workflow.available(self.context["membership"], project)
        return ProjectActionOutput(
            [{"name": a.name, "label": a.label, "needs_reason": a.needs_reason} for a in actions], many=True
        ).data


# ---------------------------------------------------------------- input


class TeamRowInput(serializers.Serializer):
    member_id = RowField(Membership, source="member")
    role = EnumField("TeamRoleEnum", TeamMember.Role.choices)
    share = serializers.DecimalField(max_digits=5, decimal_places=2)


class IndicatorRowInput(serializers.Serializer):
    indicator_id = RowField(Indicator, source="indicator")
    baseline = serializers.DecimalField(max_digits=18, decimal_places=4)
    goal = serializers.DecimalField(max_digits=18, decimal_places=4)
    achieved = serializers.DecimalField(max_digits=18, decimal_places=4, required=False, allow_null=True)


class ProjectInput(serializers.Serializer):
    """The fields of a project; which may change when is the service's rule (projects.services.project_update)."""

    title = serializers.CharField(max_length=200)
    unit_id = RowField(
        Unit, source="unit", required=False, help_text=gettext_lazy("The applicant unit; the member's own by default.")
    )
    tier = _tier_field(required=False)
    direction_id = RowField(Direction, source="direction", required=False, allow_null=True)
    problem = serializers.CharField()
    management_base = serializers.CharField(required=False, allow_blank=True)
    capability = serializers.CharField(required=False, allow_blank=True)
    expected_effect = serializers.CharField(required=False, allow_blank=True)
    planned_start = serializers.DateField(required=False, allow_null=True)
    planned_end = serializers.DateField(required=False, allow_null=True)
    pdca_plan = serializers.CharField(required=False, allow_blank=True)
    pdca_do = serializers.CharField(required=False, allow_blank=True)
    pdca_check = serializers.CharField(required=False, allow_blank=True)
    pdca_act = serializers.CharField(required=False, allow_blank=True)
    estimated_benefit = serializers.DecimalField(max_digits=14, decimal_places=2, required=False)
    estimated_hours = serializers.DecimalField(max_digits=10, decimal_places=1, required=False)
    estimated_quality = serializers.CharField(max_length=300, required=False, allow_blank=True)
    case_summary = serializers.CharField(required=False, allow_blank=True)
    verified_benefit = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        required=False,
        allow_null=True,
        help_text=gettext_lazy("CNY; once the midterm review is passed, before the closing review."),
    )
    verified_hours = serializers.DecimalField(max_digits=10, decimal_places=1, required=False, allow_null=True)
    verified_quality = serializers.CharField(max_length=300, required=False, allow_blank=True)
    team = TeamRowInput(
        many=True,
        required=False,
        help_text=gettext_lazy("Replaces the team: one leader, shares adding up to 100."),
    )
    indicators = IndicatorRowInput(
        many=True, required=False, help_text=gettext_lazy("Replaces the indicators the project attacks.")
    )
    shortfall_ids = serializers.ListField(
        child=RowField(Shortfall),
        required=False,
        help_text=gettext_lazy("Replaces the shortfalls the project attacks."),
    )


class ProjectCreateInput(ProjectInput):
    year = serializers.IntegerField(
        required=False,
        min_value=2000,
        max_value=2100,
        help_text=gettext_lazy("The direction's guide year, else the current year, by default."),
    )


PARTS = ("team", "indicators", "shortfall_ids")


def _save_parts(actor, project, parts: dict) -> None:
    if "team" in parts:
        rows = [services.TeamRow(r["member"], r["role"], r["share"]) for r in parts["team"]]
        services.team_set(actor=actor, project=project, rows=rows)
    if "indicators" in parts:
        rows = [
            services.IndicatorRow(r["indicator"], r["baseline"], r["goal"], r.get("achieved"))
            for r in parts["indicators"]
        ]
        services.indicators_set(actor=actor, project=project, rows=rows)
    if "shortfall_ids" in parts:
        services.shortfalls_set(actor=actor, project=project, shortfalls=parts["shortfall_ids"])


def _split(data: dict) -> tuple[dict, dict]:
    parts = {name: data.pop(name) for name in PARTS if name in data}
    return data, parts


class ProjectFilter(serializers.Serializer):
    state = _state_field(required=False)
    tier = _tier_field(required=False)
    unit = RowField(Unit, required=False, help_text=gettext_lazy("A unit id; its sub-units are included."))
    year = serializers.IntegerField(required=False)
    direction = RowField(Direction, required=False, help_text=gettext_lazy("A guide direction id."))
    q = serializers.CharField(required=False, help_text=gettext_lazy("Part of the code, title or problem."))


# ---------------------------------------------------------------- operations


class ProjectApiMixin:
    def detail_response(self, project_id, status_code=status.HTTP_200_OK):
        project = queries.project_detail(viewer=self.membership, project_id=project_id)
        context = {"request": self.request, "membership": self.membership}
        return Response(ProjectDetailOutput(project, context=context).data, status=status_code)


class ProjectListApi(ProjectApiMixin, TenantAPIView):
    required_perm = "projects.view"
    pagination_class = Page

    @extend_schema(
        tags=[PROJECTS],
        summary=gettext_lazy("Projects"),
        description=gettext_lazy(
            "The projects the member may see: the lean office every one; a unit manager those of their units; "
            "a reviewer those they review; everyone their unit's projects, those whose team they are on and the "
            "excellent cases."
        ),
        parameters=[ProjectFilter],
        responses={200: ProjectOutput(many=True), **error_responses(400, 403)},
    )
    def get(self, request, tenant_slug):
        filters = read_filters(ProjectFilter, request)
        projects = queries.project_list(
            viewer=self.membership,
            state=filters.get("state", ""),
            tier=filters.get("tier", ""),
            unit=filters.get("unit"),
            year=filters.get("year"),
            direction=filters.get("direction"),
            query=filters.get("q", ""),
        )
        page = Page()
        rows = page.paginate_queryset(projects, request, view=self)
        return page.get_paginated_response(ProjectOutput(rows, many=True).data)

    @extend_schema(
        tags=[PROJECTS],
        summary=gettext_lazy("File a draft project"),
        description=gettext_lazy(
            "For the member's unit (or a unit below a manager's, or any for the lean office). The filer leads the "
            "team with the whole share until `team` says otherwise. Everything is stored, or nothing."
        ),
        request=ProjectCreateInput,
        responses={201: ProjectDetailOutput, **error_responses(400, 403)},
    )
    def post(self, request, tenant_slug):
        require(self.membership, "projects.file")
        serializer = ProjectCreateInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        fields, parts = _split(dict(serializer.validated_data))
        with transaction.atomic():
            project = services.project_create(
                actor=self.membership, unit=fields.pop("unit", self.membership.unit), **fields
            )
            _save_parts(self.membership, project, parts)
        return self.detail_response(project.pk, status.HTTP_201_CREATED)


class ProjectDetailApi(ProjectApiMixin, TenantAPIView):
    required_perm = "projects.view"

    @extend_schema(
        tags=[PROJECTS],
        summary=gettext_lazy("A project with its team, indicators, shortfalls, timeline and reviews"),
        responses={200: ProjectDetailOutput, **error_responses(403, 404)},
    )
    def get(self, request, tenant_slug, project_id):
        return self.detail_response(project_id)

    @extend_schema(
        tags=[PROJECTS],
        summary=gettext_lazy("Change a project"),
        description=gettext_lazy(
            "The applicant (the leader or the unit's manager) or the lean office. The proposal (title, unit, tier, "
            "direction, problem, assessment) changes only while it is a draft or returned; the work (dates, PDCA, "
            "estimates, team, indicators, shortfalls) until it is closed; the verified benefits and the achieved "
            "values once the midterm review is passed. Everything is stored, or nothing."
        ),
        request=ProjectInput(partial=True),
        responses={200: ProjectDetailOutput, **error_responses(400, 403, 404)},
    )
    def patch(self, request, tenant_slug, project_id):
        project = queries.project_detail(viewer=self.membership, project_id=project_id)
        serializer = ProjectInput(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        fields, parts = _split(dict(serializer.validated_data))
        with transaction.atomic():
            if fields:
                project = services.project_update(actor=self.membership, project=project, **fields)
            _save_parts(self.membership, project, parts)
        return self.detail_response(project.pk)


class TransitionInput(serializers.Serializer):
    action = EnumField(
        "ProjectActionEnum",
        [(action.name, action.label) for action in workflow.ACTIONS.values() if not action.by_review],
        help_text=gettext_lazy("Review decisions (midterm and closing) are taken by the chair through the review."),
    )
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text=gettext_lazy("Required to return or reject; told to the people concerned."),
    )
    into = VisibleProjectField(
        required=False, allow_null=True, help_text=gettext_lazy("merge: the id of the project to merge into.")
    )


class ProjectTransitionApi(ProjectApiMixin, TenantAPIView):
    required_perm = "projects.view"

    @extend_schema(
        tags=[PROJECTS],
        operation_id="projects_projects_transition",
        summary=gettext_lazy("Take a lifecycle action"),
        description=gettext_lazy(
            "submit, return, reject, merge, approve, start, request_midterm, request_closing, file, and for the "
            "lean office acknowledge_filing or return_filing (with a reason). A wrong role, or one's own project "
            "(whoever filed it and its team never approve, decide or acknowledge it), answers 403 with the reason "
            "in `message`; an action the project's state (or missing data) does not allow answers 400 with the "
            "reason in `message` and a stable `code` (wrong_state, incomplete, reason_required, midterm_first, "
            "closing_data, merge_target, already_acknowledged). Of two people acting at the same moment only the "
            "first succeeds."
        ),
        request=TransitionInput,
        responses={200: ProjectDetailOutput, **error_responses(400, 403, 404)},
    )
    def post(self, request, tenant_slug, project_id):
        project = queries.project_detail(viewer=self.membership, project_id=project_id)
        serializer = TransitionInput(data=request.data, context={"membership": self.membership})
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        services.project_transition(
            actor=self.membership,
            project=project,
            action=data["action"],
            reason=data["reason"],
            into=data.get("into"),
        )
        return self.detail_response(project.pk)
