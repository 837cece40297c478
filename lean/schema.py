"""How the OpenAPI schema documents every operation the same way: the API key scope it needs, and the 401 and
429 answers every operation may give (in the stable error shape)."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse

from .apikeys import scope_for

COMMON_ERRORS = {
    "401": _("The API key is wrong, revoked, or its owner left."),
    "429": _("Too many requests for this API key: wait the seconds in the Retry-After header."),
}


class LeanAutoSchema(AutoSchema):
    def _scope(self):
        return scope_for(self.view, self.method)

    def get_description(self):
        base = super().get_description() or ""
        note = _("API key scope: %(scope)s") % {"scope": self._scope()}
        return f"{base}\n\n{note}".strip()

    def get_auth(self):
        return [{"apiKey": [self._scope()]}, {"cookieAuth": []}]

    def _get_response_bodies(self, direction="response"):
        from .apis import ErrorOutput

        responses = super()._get_response_bodies(direction)
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
