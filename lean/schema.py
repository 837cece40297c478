"""How the OpenAPI schema documents every operation the same way: the API key scope it needs, and the 401 and
429 answers every operation may give (in the stable error shape)."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import get_doc
from drf_spectacular.utils import OpenApiResponse

from .apikeys import scope_for

COMMON_ERRORS = {
    "401": _("The API key is wrong, revoked, or its owner left."),
    "429": _("Too many requests for this API key: wait the seconds in the Retry-After header."),
}


class LeanAutoSchema(AutoSchema):
    def _scope(self):
        return scope_for(self.view, self.method)

    def get_operation(self, *args, **kwargs):
        # Here rather than in get_description, which extend_schema(description=…) replaces.
        operation = super().get_operation(*args, **kwargs)
        if operation is None:
            return None
        base = operation.get("description", "")
        if base and self._inherited_docstring(base):
            base = ""  # a base class's docstring is about the code, not about this operation
        note = _("API key scope: %(scope)s") % {"scope": self._scope()}
        operation["description"] = f"{base}\n\n{note}".strip()
        return operation

    def _inherited_docstring(self, text: str) -> bool:
        view_class = type(self.view)
        if "__doc__" in vars(view_class) and view_class.__doc__:
            return False
        return any(get_doc(parent).strip() == text.strip() for parent in view_class.__mro__[1:] if parent.__doc__)

    def get_auth(self):
        return [{"apiKey": [self._scope()]}, {"cookieAuth": []}]

    def _get_response_bodies(self, direction="response"):
        from .apis import _ERROR_DESCRIPTIONS, ErrorOutput

        responses = super()._get_response_bodies(direction)
        if self.method == "GET" and getattr(self.view, "pagination_class", None) and "400" not in responses:
            # A page number that is no page answers 400 (lean.apis.Page), on every paged list.
            responses["400"] = self._get_response_for_code(
                OpenApiResponse(ErrorOutput, description=_ERROR_DESCRIPTIONS[400]), "400", direction=direction
            )
        for code, description in COMMON_ERRORS.items():
            if code not in responses:
                responses[code] = self._get_response_for_code(
                    OpenApiResponse(ErrorOutput, description=description), code, direction=direction
                )
        return responses


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "lean.authentication.ApiKeyAuthentication"
    name = "apiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": str(_("An API key of the tenant, created by the lean office: Authorization: Bearer lk_…")),
        }
