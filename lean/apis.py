"""REST API of the tenancy core, and the stable JSON error shape every API operation answers with.

Errors: {"code": "...", "message": "...", "field_errors": {"field": ["..."]}}: a broken rule (ApplicationError)
answers 400, a refusal (Forbidden) 403 with its reason, a rejected batch (BatchRejected) 400 with every bad row
in field_errors by its place ({"3": ["..."]}).
"""

import base64
import binascii

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import defaults
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler

from .apikeys import scope_for
from .errors import ApplicationError, Forbidden
from .models import Role, Unit
from .permissions import require
from .selectors import member_get, member_list, unit_tree


def error_response(exc: ApplicationError) -> Response:
    """A service's error in the stable shape: 403 for a refusal, 400 for any other broken rule."""
    body = {"code": exc.code, "message": str(exc.message), "field_errors": exc.field_errors}
    return Response(body, status=403 if isinstance(exc, Forbidden) else 400)


def exception_handler(exc, context):
    if isinstance(exc, ApplicationError):
        return error_response(exc)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)  # Django's own refusals (ours are Forbidden, above)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        field_errors = {str(field): _messages(errors) for field, errors in detail.items()}
        message = str(gettext_lazy("Invalid input."))
        response.data = {"code": "invalid", "message": message, "field_errors": field_errors}
    else:
        detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
        code = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
        response.data = {
            "code": code if isinstance(code, str) else "error",
            "message": str(detail),
            "field_errors": {},
        }
    return response


def _messages(detail, prefix: str = "") -> list[str]:
    """A field's errors as the flat list of messages the error shape promises: a nested serializer's errors
    (an item of a list, a field of an object) are prefixed with where they are ("0.indicator_id: …")."""
    if isinstance(detail, dict):
        return [m for key, errors in detail.items() for m in _messages(errors, f"{prefix}{key}.")]
    if isinstance(detail, list):
        if all(not isinstance(item, dict | list) for item in detail):
            return [f"{prefix[:-1]}: {item}" if prefix else str(item) for item in detail]
        return [m for index, item in enumerate(detail) for m in _messages(item, f"{prefix}{index}.")]
    return [f"{prefix[:-1]}: {detail}" if prefix else str(detail)]


def page_not_found(request, exception):
    """Django's 404 page, but the stable JSON error under the API: an address no pattern matches there (an id
    of -1, a mistyped path) is answered like any other missing object."""
    if "/api/" in request.path_info:
        message = str(exceptions.NotFound.default_detail)
        return JsonResponse({"code": "not_found", "message": message, "field_errors": {}}, status=404)
    return defaults.page_not_found(request, exception)


class Page(PageNumberPagination):
    """Pages of 100, whatever the client asks; a page number that is no page (0, -1, past the end, not a
    number) is a 400 on the `page` field rather than DRF's 404."""

    page_size = 100

    def paginate_queryset(self, queryset, request, view=None):
        try:
            return super().paginate_queryset(queryset, request, view)
        except exceptions.NotFound as error:
            raise exceptions.ValidationError({self.page_query_param: [error.detail]}) from error

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_query_param:
                parameter["schema"]["minimum"] = 1
        return parameters


class CursorField(serializers.CharField):
    """The opaque cursor of a keyset-paginated list (the key of the last row of the previous page, in base64):
    pages stay stable while rows are added, which page numbers do not. `as_int` for an integer key."""

    def __init__(self, *, as_int: bool = False, **kwargs):
        self.as_int = as_int
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", gettext_lazy("The next_cursor of the previous page."))
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        try:
            key = base64.urlsafe_b64decode(super().to_internal_value(data).encode()).decode()
            return int(key) if self.as_int else key
        except (binascii.Error, UnicodeDecodeError, ValueError) as error:
            raise serializers.ValidationError(_("Not a cursor from this API.")) from error


def cursor_page(rows: list, limit: int, key) -> tuple[list, str | None]:
    """The page of a keyset-paginated list and the next page's cursor (None on the last page). `rows` holds up
    to limit + 1 rows in key order (one more than the page tells whether another page follows); `key(row)` is
    the row's key, what the CursorField of the next request gives back."""
    if len(rows) <= limit:
        return rows, None
    rows = rows[:limit]
    return rows, base64.urlsafe_b64encode(str(key(rows[-1])).encode()).decode()


def cursor_page_schema(name: str, item: serializers.Serializer) -> serializers.Serializer:
    """The schema of a cursor page: {"results": [...], "next_cursor": "..." or null}."""
    return inline_serializer(name, {"results": item, "next_cursor": serializers.CharField(allow_null=True)})


def read_input(request, serializer_class, **kwargs) -> dict:
    """The request body as `serializer_class` validates it (`partial=True` for a change); else a 400."""
    serializer = serializer_class(data=request.data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def list_schema(tag: str, summary, filters, output, **kwargs) -> dict:
    """extend_schema's arguments of a list operation: `filters` as its query parameters, a page of `output` rows,
    and the stable errors (400 for a bad filter, 403); `kwargs`, any other (description, …)."""
    responses = {200: output(many=True), **error_responses(400, 403)}
    return {"tags": [tag], "summary": summary, "parameters": [filters], "responses": responses, **kwargs}


def write_schema(tag: str, summary, description, request, output, *, created: bool = False) -> dict:
    """extend_schema's arguments of a write of the body `request`, answered with `output`: 201 for a new row
    (errors 400 and 403), else 200 for a change to a row that may not be there (errors 400, 403 and 404)."""
    status_code, errors = (201, (400, 403)) if created else (200, (400, 403, 404))
    responses = {status_code: output, **error_responses(*errors)}
    return {"tags": [tag], "summary": summary, "description": description, "request": request, "responses": responses}


def list_page(view, rows, serializer_class) -> Response:
    """One page of `rows` as every list operation answers: {"count", "next", "previous", "results"}. `rows` come
    in an order that never moves a row between pages (the selector's, with the id last)."""
    page = Page()
    items = page.paginate_queryset(rows, view.request, view=view)
    return page.get_paginated_response(serializer_class(items, many=True).data)


# ---------------------------------------------------------------- writes of one item or many, all or nothing

MAX_BULK = 5000


def error_messages(detail) -> list[str]:
    """A serializer's error detail as flat messages ("value: A valid number is required.")."""
    if isinstance(detail, dict):
        return [
            message if field == "non_field_errors" else f"{field}: {message}"
            for field, errors in detail.items()
            for message in error_messages(errors)
        ]
    if isinstance(detail, list):
        return [message for item in detail for message in error_messages(item)]
    return [str(detail)]


def validate_each(serializer_class, raw_items) -> tuple[list, dict]:
    """Check every item of a bulk request on its own: (validated data or None per item, {index: messages}), so
    that every bad item is listed by its index, not only the first."""
    rows, errors = [], {}
    for index, raw in enumerate(raw_items):
        serializer = serializer_class(data=raw)
        if serializer.is_valid():
            rows.append(serializer.validated_data)
        else:
            rows.append(None)
            errors[index] = error_messages(serializer.errors)
    return rows, errors


class RefsInput(serializers.Serializer):
    # The input of a write that names its rows by id or by other fields: `refs` holds (the id field, the fields
    # that may stand for it, the message when neither is given). (No docstring: the schema would show it.)
    refs: tuple = ()

    def validate(self, attrs):
        errors = {
            field: [message]
            for field, others, message in self.refs
            if field not in attrs and not all(other in attrs for other in others)
        }
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


class _BulkShape(serializers.Serializer):
    """Only the envelope of a bulk request, {key: [1 to MAX_BULK items]}: each item is checked on its own."""

    def __init__(self, key: str, **kwargs):
        self.key = key
        super().__init__(**kwargs)

    def get_fields(self):
        return {self.key: serializers.ListField(min_length=1, max_length=MAX_BULK)}


def one_item(request, serializer_class, resolve):
    """The item of a write of one, checked as a bulk item is: validated by `serializer_class`, then turned into
    the service's input by `resolve` (validated rows → items and {index: errors}); any error is a 400."""
    (item,), errors = resolve([read_input(request, serializer_class)])
    if errors:
        raise serializers.ValidationError(errors[0])
    return item


def bulk_items(request, key: str, serializer_class, resolve) -> tuple[list, dict[int, list[str]]]:
    """The items of a bulk write under `key`, each validated by `serializer_class` and turned into the service's
    input by `resolve`: (items, None where an item is wrong; {index: messages} of every wrong item). A request
    that is not such a list is a 400 at once."""
    shape = _BulkShape(key, data=request.data)
    shape.is_valid(raise_exception=True)
    rows, errors = validate_each(serializer_class, shape.validated_data[key])
    items, missing = resolve(rows)
    errors.update({index: error_messages(detail) for index, detail in missing.items()})
    return items, errors


def bulk_refuse(errors: dict[int, list[str]]) -> None:
    """All or nothing: with any item wrong, nothing is stored and the 400 lists every wrong item by its index."""
    if errors:
        raise ApplicationError(
            _("Nothing was stored: %(count)s item(s) have errors.") % {"count": len(errors)},
            code="invalid_rows",
            field_errors={str(index): errors[index] for index in sorted(errors)},
        )


def bulk_schema(name: str, key: str, item_serializer) -> dict:
    """extend_schema's request and answers of a bulk write: `{key: [item, ...]}` in (`<name>BulkInput`), how many
    rows were stored and their ids out (`<name>BulkOutput`, as bulk_created answers)."""
    bulk_input = inline_serializer(
        f"{name}BulkInput", {key: item_serializer(many=True, min_length=1, max_length=MAX_BULK)}
    )
    bulk_output = inline_serializer(
        f"{name}BulkOutput",
        {
            "saved": serializers.IntegerField(),
            "ids": serializers.ListField(
                child=serializers.IntegerField(), help_text=gettext_lazy("In the order of the items.")
            ),
        },
    )
    return {"request": bulk_input, "responses": {201: bulk_output, **error_responses(400, 403)}}


def bulk_created(rows) -> Response:
    """The answer of a bulk write (see bulk_schema): how many rows were stored, and their ids in the items' order."""
    return Response({"saved": len(rows), "ids": [row.pk for row in rows]}, status=status.HTTP_201_CREATED)


def save_one(save, item, *, code: str):
    """Store one item through a bulk service (`save(items=[...])` → rows): the item's listed errors are the
    errors of the request, not of "item 0"."""
    try:
        return save(items=[item])[0]
    except ApplicationError as error:
        messages = error.field_errors.get("0", [])
        raise ApplicationError(
            " ".join(messages) or error.message, code=code, field_errors={"non_field_errors": messages}
        ) from error


class ErrorOutput(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    field_errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text=gettext_lazy("Messages by field name, or by item index for a list of items."),
    )


_ERROR_DESCRIPTIONS = {
    400: gettext_lazy("Invalid input or a broken business rule."),
    403: gettext_lazy("The member may not do this."),
    404: gettext_lazy("No such object in this tenant."),
}


def error_responses(*statuses: int) -> dict:
    """The schema's error answers of an operation, all in the stable error shape."""
    return {status: OpenApiResponse(ErrorOutput, description=_ERROR_DESCRIPTIONS[status]) for status in statuses}


class TenantMember(BasePermission):
    """The request reached a tenant URL as an active member (the middleware already answered 404 otherwise)."""

    def has_permission(self, request, view):
        return getattr(request._request, "membership", None) is not None


class MissingScope(exceptions.PermissionDenied):
    default_code = "missing_scope"


class TenantAPIView(APIView):
    """Every API operation's base: a member of the URL's tenant (by session or by API key) who holds
    `required_perm`; with a key, the key also needs the operation's scope (see lean.apikeys.scope_for)."""

    permission_classes = [TenantMember]
    required_perm: str | None = None
    api_scope: str | None = None  # the scope area, when not the app's name

    @property
    def membership(self):
        return self.request._request.membership

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        key = getattr(request._request, "api_key", None)
        if key is not None:
            needed = scope_for(self, request.method)
            if needed not in key.scopes:
                raise MissingScope(gettext_lazy("This API key lacks the scope %(scope)s.") % {"scope": needed})
        if self.required_perm:
            require(self.membership, self.required_perm)


class UnitOutput(serializers.ModelSerializer):
    parent_id = serializers.IntegerField(allow_null=True)

    class Meta:
        model = Unit
        fields = ["id", "code", "name", "kind", "parent_id", "active"]


class UnitListApi(TenantAPIView):
    required_perm = "units.view"

    @extend_schema(
        tags=["units"],
        operation_id="units_list",
        responses={200: inline_serializer("UnitList", {"results": UnitOutput(many=True)}), **error_responses(403)},
    )
    def get(self, request, tenant_slug):
        return Response({"results": UnitOutput(unit_tree(), many=True).data})


class UnitDetailApi(TenantAPIView):
    required_perm = "units.view"

    @extend_schema(tags=["units"], responses={200: UnitOutput, **error_responses(403, 404)})
    def get(self, request, tenant_slug, unit_id):
        return Response(UnitOutput(get_object_or_404(Unit, pk=unit_id)).data)


class MemberOutput(serializers.Serializer):
    id = serializers.IntegerField()
    employee_number = serializers.CharField()
    name = serializers.CharField(source="user.display_name")
    unit_id = serializers.IntegerField()
    unit_code = serializers.CharField(source="unit.code")
    position = serializers.CharField()
    roles = serializers.ListField(child=serializers.CharField())
    active = serializers.BooleanField()


class MemberListApi(TenantAPIView):
    required_perm = "members.list"

    @extend_schema(
        tags=["members"],
        operation_id="members_list",
        parameters=[
            OpenApiParameter("role", enum=Role.values, description=gettext_lazy("Only members with this role."))
        ],
        responses={200: inline_serializer("MemberList", {"results": MemberOutput(many=True)}), **error_responses(403)},
    )
    def get(self, request, tenant_slug):
        members = member_list(viewer=self.membership, role=request.query_params.get("role") or None)
        return Response({"results": MemberOutput(members, many=True).data})


class MemberDetailApi(TenantAPIView):
    @extend_schema(tags=["members"], responses={200: MemberOutput, **error_responses(403, 404)})
    def get(self, request, tenant_slug, membership_id):
        return Response(MemberOutput(member_get(viewer=self.membership, membership_id=membership_id)).data)
