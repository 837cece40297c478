"""Single sign-on (统一身份认证) through an OpenID Connect provider, configured per tenant.

The protocol is Authlib's (state, nonce, PKCE S256, the token request, the ID token's signature checked against the
provider's JWKS, its issuer, audience, expiry and nonce); a client is built per request from the tenant's settings,
so each tenant has its own provider and no process-wide registry goes stale when the lean office changes them.

The provider only says who the person is: the employee-number claim. The tenant is the one of the URL the sign-in
started on (TenantMiddleware's scope), its state lives in the session under a name of that tenant, and the person is
the active member of that tenant with that employee number. Nobody is ever created here.
"""

import ipaddress
import logging
import re
import time
from urllib.parse import urlsplit

import requests
from authlib.integrations.base_client import MismatchingStateError, OAuthError
from authlib.integrations.django_client import DjangoOAuth2App
from authlib.integrations.django_client.integration import DjangoIntegration
from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _
from joserfc.errors import JoseError

from .errors import ApplicationError
from .models import Membership, SsoSettings
from .outbound import PrivateAddress, check_before_call, saved_url_problem
from .permissions import require
from .tenancy import current_tenant

log = logging.getLogger(__name__)

TIMEOUT_SECONDS = 10
STATE_SECONDS = 600  # a sign-in started and not finished within ten minutes starts again
DISCOVERY_PATH = "/.well-known/openid-configuration"
# When the configured claim is missing, the provider's user name is taken as the employee number.
FALLBACK_CLAIM = "preferred_username"
SCOPE_TOKEN = re.compile(r"^[\x21\x23-\x5b\x5d-\x7e]+$")  # RFC 6749 scope-token
CLAIM_NAME = re.compile(r"^[A-Za-z0-9_.:/-]+$")
EMPLOYEE_NUMBER_MAX = 40


class SsoRefused(ApplicationError):
    """A sign-in that cannot go on; `status` is the HTTP status of the page that explains it."""

    def __init__(self, message, code: str, status: int = 400):
        super().__init__(message, code=code)
        self.status = status


# --- reads -----------------------------------------------------------------------------------------------------


def sso_settings_get() -> SsoSettings | None:
    """The current tenant's single sign-on settings, or None when the lean office never saved any."""
    return SsoSettings.objects.first()


def sso_settings_enabled() -> SsoSettings | None:
    """The settings when single sign-on is on and complete, else None (the pages answer 404)."""
    config = sso_settings_get()
    if config is None or not config.enabled or not (config.issuer and config.client_id and config.client_secret):
        return None
    return config


def discovery_url(issuer: str) -> str:
    return issuer.rstrip("/") + DISCOVERY_PATH


# --- writes ----------------------------------------------------------------------------------------------------


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def issuer_problem(issuer: str) -> str | None:
    """Why an issuer URL is refused, or None. http only for a provider on this machine, or in development."""
    parts = urlsplit(issuer)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return _("Enter the provider's issuer URL, for example https://sso.example.com/realms/lean.")
    if parts.query or parts.fragment or parts.username or parts.password:
        return _("The issuer URL has no query, fragment or password in it.")
    if problem := saved_url_problem(issuer):
        return problem
    if parts.scheme == "http" and not (settings.DEBUG or _is_loopback(parts.hostname)):
        return _("The issuer must use https (http is accepted only for a provider on this machine).")
    return None


def _clean_scopes(scopes: str) -> tuple[str, list[str]]:
    tokens = list(dict.fromkeys(scopes.replace(",", " ").split()))
    if any(not SCOPE_TOKEN.match(t) for t in tokens):
        return " ".join(tokens), [_("Scopes are words separated by spaces, without quotes or backslashes.")]
    if "openid" not in tokens:
        return " ".join(tokens), [_("The scopes must include openid.")]
    return " ".join(tokens), []


@transaction.atomic
def sso_settings_update(
    *,
    actor: Membership,
    enabled: bool,
    button_label: str,
    issuer: str,
    client_id: str,
    client_secret: str = "",
    scopes: str,
    employee_number_claim: str,
) -> SsoSettings:
    """The lean office saves the tenant's provider. A blank secret keeps the stored one; nothing is saved when any
    field is wrong, and single sign-on can only be on with an issuer, a client ID and a secret."""
    require(actor, "sso.manage")
    config = SsoSettings.objects.select_for_update().first() or SsoSettings(tenant=current_tenant())
    issuer, client_id, client_secret = issuer.strip(), client_id.strip(), client_secret.strip()
    button_label, employee_number_claim = button_label.strip(), employee_number_claim.strip()
    scopes, scope_errors = _clean_scopes(scopes)
    errors = {}
    if issuer and (problem := issuer_problem(issuer)):
        errors["issuer"] = [problem]
    if scope_errors:
        errors["scopes"] = scope_errors
    if not employee_number_claim or not CLAIM_NAME.match(employee_number_claim):
        errors["employee_number_claim"] = [_("Enter the name of a claim, for example employee_number.")]
    if enabled:
        if not issuer:
            errors.setdefault("issuer", [_("Single sign-on needs the provider's issuer URL.")])
        if not client_id:
            errors["client_id"] = [_("Single sign-on needs the client ID registered at the provider.")]
        if not (client_secret or config.client_secret):
            errors["client_secret"] = [_("Single sign-on needs the client secret registered at the provider.")]
    if errors:
        raise ApplicationError(_("Check the highlighted fields."), code="invalid", field_errors=errors)
    config.enabled = enabled
    config.button_label = button_label
    config.issuer = issuer
    config.client_id = client_id
    if client_secret:
        config.client_secret = client_secret
    config.scopes = scopes
    config.employee_number_claim = employee_number_claim
    config._history_user = actor.user
    config.save()
    return config


# --- the protocol ----------------------------------------------------------------------------------------------


def _client(config: SsoSettings) -> DjangoOAuth2App:
    # The name keys the state in the session: a state started for one tenant is unknown to another's callback.
    name = f"lean-sso-{config.tenant_id}"
    framework = DjangoIntegration(name)
    framework.expires_in = STATE_SECONDS
    return DjangoOAuth2App(
        framework,
        name=name,
        client_id=config.client_id,
        client_secret=config.client_secret,
        server_metadata_url=discovery_url(config.issuer),
        client_kwargs={"scope": config.scopes, "code_challenge_method": "S256", "default_timeout": TIMEOUT_SECONDS},
    )


def _metadata(client: DjangoOAuth2App, config: SsoSettings) -> dict:
    """The provider's discovery document, checked: it must name the configured issuer and its endpoints."""
    try:
        check_before_call(config.issuer)
        metadata = client.load_server_metadata()
        for key in ("authorization_endpoint", "token_endpoint", "jwks_uri", "userinfo_endpoint"):
            if metadata.get(key):  # the browser opens the first; the server calls the others
                check_before_call(str(metadata[key]))
    except PrivateAddress as error:
        raise SsoRefused(str(error), code="private", status=502) from error
    except (requests.RequestException, ValueError, TypeError) as error:
        log.warning("SSO discovery failed for tenant %s at %s: %s", config.tenant_id, config.issuer, error)
        raise SsoRefused(
            _("The sign-in service cannot be reached right now. Try again later, or sign in with your password."),
            code="unreachable",
            status=502,
        ) from error
    if str(metadata.get("issuer", "")).rstrip("/") != config.issuer.rstrip("/"):
        log.warning("SSO issuer mismatch for tenant %s: %r", config.tenant_id, metadata.get("issuer"))
        raise SsoRefused(
            _("The sign-in service answered for another issuer than the one configured."), code="issuer", status=502
        )
    if not all(metadata.get(key) for key in ("authorization_endpoint", "token_endpoint", "jwks_uri")):
        raise SsoRefused(_("The sign-in service's configuration is incomplete."), code="metadata", status=502)
    return metadata


def sso_check(*, config: SsoSettings) -> dict:
    """The lean office's "test the connection": the provider's discovery document, checked as a sign-in would."""
    return _metadata(_client(config), config)


def _next_key(config: SsoSettings) -> str:
    return f"lean_sso_next_{config.tenant_id}"


def sso_begin(*, request, config: SsoSettings, redirect_uri: str, next_url: str = ""):
    """Send the browser to the provider; the state, nonce and PKCE verifier wait in the session."""
    client = _client(config)
    _metadata(client, config)
    response = client.authorize_redirect(request, redirect_uri)
    request.session[_next_key(config)] = next_url
    return response


def sso_next_url(*, request, config: SsoSettings) -> str:
    return request.session.pop(_next_key(config), "") or ""


def _claim(claims, name: str) -> str | None:
    value = claims.get(name)
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value.strip():
        return None
    return value.strip()


def _employee_number(client: DjangoOAuth2App, config: SsoSettings, token: dict, metadata: dict) -> str:
    id_claims = token["userinfo"]
    number = _claim(id_claims, config.employee_number_claim)
    info = {}
    if number is None and metadata.get("userinfo_endpoint"):
        # Conforming providers put the scopes' claims in the userinfo answer rather than in the ID token.
        try:
            info = client.userinfo(token=token)
        except (requests.RequestException, OAuthError, ValueError) as error:
            log.warning("SSO userinfo failed for tenant %s: %s", config.tenant_id, error)
            raise SsoRefused(
                _("The sign-in service did not answer who you are. Try again later."), code="userinfo", status=502
            ) from error
        if info.get("sub") != id_claims.get("sub"):
            raise SsoRefused(_("The sign-in service's answer could not be verified."), code="userinfo")
        number = _claim(info, config.employee_number_claim)
    if number is None:
        number = _claim(id_claims, FALLBACK_CLAIM) or _claim(info, FALLBACK_CLAIM)
    if number is None or len(number) > EMPLOYEE_NUMBER_MAX:
        raise SsoRefused(
            _("The sign-in service did not send an employee number (claim “%(claim)s”).")
            % {"claim": config.employee_number_claim},
            code="no_claim",
            status=403,
        )
    return number


def sso_complete(*, request, config: SsoSettings) -> Membership:
    """The provider's answer at the callback: check it, and find the active member of THIS tenant it names."""
    if request.GET.get("error"):
        raise SsoRefused(
            _("The sign-in service did not sign you in (%(error)s).") % {"error": request.GET["error"][:100]},
            code="provider_error",
            status=403,
        )
    client = _client(config)
    state = request.GET.get("state", "")
    pending = request.session.get(f"_state_{client.name}_{state}") if state else None
    if not pending or pending.get("exp", 0) < time.time() or not request.GET.get("code"):
        raise SsoRefused(
            _("This sign-in has expired or did not start here. Start again from the sign-in page."), code="state"
        )
    metadata = _metadata(client, config)
    try:
        token = client.authorize_access_token(
            request,
            claims_options={
                "iss": {"essential": True, "value": metadata["issuer"]},
                "aud": {"essential": True, "value": config.client_id},
            },
        )
    except MismatchingStateError as error:
        raise SsoRefused(
            _("This sign-in has expired or did not start here. Start again from the sign-in page."), code="state"
        ) from error
    except requests.RequestException as error:
        log.warning("SSO token request failed for tenant %s: %s", config.tenant_id, error)
        raise SsoRefused(
            _("The sign-in service cannot be reached right now. Try again later, or sign in with your password."),
            code="unreachable",
            status=502,
        ) from error
    except (OAuthError, JoseError, ValueError, KeyError) as error:
        log.warning("SSO answer refused for tenant %s: %r", config.tenant_id, error)
        raise SsoRefused(_("The sign-in service's answer could not be verified."), code="invalid_token") from error
    if not token.get("userinfo"):
        # Without a verified ID token nothing says who this is (a plain OAuth answer is not enough).
        raise SsoRefused(_("The sign-in service's answer could not be verified."), code="no_id_token")
    number = _employee_number(client, config, token, metadata)
    membership = Membership.objects.select_related("user").filter(employee_number=number).first()
    if membership is None:
        log.info("SSO sign-in refused for tenant %s: no member %r", config.tenant_id, number)
        raise SsoRefused(
            _("No member of %(tenant)s has the employee number %(number)s. Ask your lean office to add you.")
            % {"tenant": current_tenant().name, "number": number},
            code="no_member",
            status=403,
        )
    if not membership.active or not membership.user.is_active:
        raise SsoRefused(
            _("Your account in %(tenant)s is not active. Ask your lean office.") % {"tenant": current_tenant().name},
            code="inactive",
            status=403,
        )
    log.info("SSO sign-in for tenant %s: member %s", config.tenant_id, membership.pk)
    return membership
