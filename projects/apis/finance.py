"""财务核验 through the API: a finance verifier's queue, a project's benefit sign-offs, signing off (with the
evidence as a file or an attachment id) and returning the figures for correction, through projects.finance."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from lean.apis import TenantAPIView, error_responses
from lean.errors import ApplicationError
from targets.apis.common import Page, read_filters

from .. import finance, selectors
from ..models import Attachment, BenefitSignoff
from .common import EnumField, MemberRef, UnitRef
from .projects import _state_field

PROJECTS = "projects"


class SignoffOutput(serializers.Serializer):
    id = serializers.IntegerField()
    status = EnumField("BenefitSignoffStatusEnum", BenefitSignoff.Status.choices)
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True, help_text="CNY")
    basis = serializers.CharField(help_text=gettext_lazy("How the benefit was calculated."))
    reason = serializers.CharField(help_text=gettext_lazy("Why it was returned for correction."))
    evidence_id = serializers.IntegerField(allow_null=True, help_text=gettext_lazy("The attachment of the evidence."))
    signed_by = MemberRef()
    signed_at = serializers.DateTimeField()
    voided_at = serializers.DateTimeField(allow_null=True)


class QueueRowOutput(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    title = serializers.CharField()
    state = _state_field()
    unit = UnitRef()
    verified_benefit = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    signed = serializers.BooleanField(help_text=gettext_lazy("A sign-off stands for the current figures."))
    returned = serializers.BooleanField(help_text=gettext_lazy("Finance returned the figures at least once."))
    on_team = serializers.BooleanField(help_text=gettext_lazy("The caller is on the team: another verifier signs."))


class QueueFilter(serializers.Serializer):
    signed = serializers.BooleanField(
        required=False, default=False, help_text=gettext_lazy("true: the signed-off projects instead.")
    )


class SignInput(serializers.Serializer):
    amount = serializers.DecimalField(
        max_digits=14, decimal_places=2, help_text=gettext_lazy("CNY; must equal the project's verified benefit.")
    )
    basis = serializers.CharField(max_length=5000)
    evidence_file = serializers.FileField(
        required=False, help_text=gettext_lazy("A new evidence file (multipart), checked like every attachment.")
    )
    evidence = serializers.IntegerField(
        required=False, allow_null=True, help_text=gettext_lazy("Or the id of one of the project's attachments.")
    )


class ReturnInput(serializers.Serializer):
    reason = serializers.CharField(max_length=5000)


class FinanceQueueApi(TenantAPIView):
    required_perm = "projects.finance"
    pagination_class = Page

    @extend_schema(
        tags=[PROJECTS],
        summary=gettext_lazy("Finance sign-off queue"),
        description=gettext_lazy(
            "For a finance verifier: the projects of their scope (their unit's subtree; the whole enterprise for "
            "HQ) from the closing review on whose verified benefits wait for a sign-off, or with signed=true those "
            "signed off."
        ),
        parameters=[QueueFilter],
        responses={200: QueueRowOutput(many=True), **error_responses(400, 403)},
    )
    def get(self, request, tenant_slug):
        filters = read_filters(QueueFilter, request)
        projects = finance.finance_queue(viewer=self.membership, signed=filters.get("signed", False))
        page = Page()
        rows = page.paginate_queryset(projects, request, view=self)
        return page.get_paginated_response(QueueRowOutput(rows, many=True).data)


class BenefitSignoffApi(TenantAPIView):
    required_perm = "projects.view"
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def _project(self, project_id):
        return selectors.project_get(viewer=self.membership, project_id=project_id)

    @extend_schema(
        tags=[PROJECTS],
        summary=gettext_lazy("A project's benefit sign-offs"),
        description=gettext_lazy("Newest first: signed, returned for correction, or void after a change."),
        responses={200: SignoffOutput(many=True), **error_responses(403, 404)},
    )
    def get(self, request, tenant_slug, project_id):
        project = self._project(project_id)
        return Response(SignoffOutput(finance.signoffs_of(project), many=True).data)

    @extend_schema(
        tags=[PROJECTS],
        summary=gettext_lazy("Sign off the verified benefits"),
        description=gettext_lazy(
            "A finance verifier of the project's unit (or of HQ) who is not on its team, from the closing review "
            "on: the amount (equal to the verified benefit), the calculation basis, and the evidence as a file "
            "(multipart) or an attachment id. Errors answer 400 with a stable `code` (own_project, wrong_state, "
            "no_benefit, already_signed, signoff). Everything is stored, or nothing."
        ),
        request={"multipart/form-data": SignInput, "application/json": SignInput},
        responses={201: SignoffOutput, **error_responses(400, 403, 404)},
    )
    def post(self, request, tenant_slug, project_id):
        project = self._project(project_id)
        serializer = SignInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        evidence = None
        if data.get("evidence") is not None:
            # Another project's (or tenant's) attachment reads like a missing one.
            evidence = Attachment.objects.filter(project=project, pk=data["evidence"]).first()
            if evidence is None:
                message = _("Choose an attachment of this project.")
                raise ApplicationError(message, code="signoff", field_errors={"evidence": [message]})
        signoff = finance.benefit_signoff_sign(
            actor=self.membership,
            project=project,
            amount=data["amount"],
            basis=data["basis"],
            evidence_upload=data.get("evidence_file"),
            evidence=evidence,
        )
        return Response(SignoffOutput(signoff).data, status=status.HTTP_201_CREATED)


class BenefitSignoffReturnApi(TenantAPIView):
    required_perm = "projects.view"

    @extend_schema(
        tags=[PROJECTS],
        summary=gettext_lazy("Return the verified benefits for correction"),
        description=gettext_lazy("A finance verifier who may sign off sends the figures back with the reason."),
        request=ReturnInput,
        responses={201: SignoffOutput, **error_responses(400, 403, 404)},
    )
    def post(self, request, tenant_slug, project_id):
        project = selectors.project_get(viewer=self.membership, project_id=project_id)
        serializer = ReturnInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        signoff = finance.benefit_signoff_return(
            actor=self.membership, project=project, reason=serializer.validated_data["reason"]
        )
        return Response(SignoffOutput(signoff).data, status=status.HTTP_201_CREATED)
