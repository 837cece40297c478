"""Addresses the server calls on a tenant's behalf: webhooks, chat robots, the SSO provider.

A tenant's lean office types these URLs, so without a guard they could make our server call into its own private
network (server-side request forgery: the metadata service, Redis, PostgreSQL, other hosts behind the firewall).
Unless LEAN_ALLOW_PRIVATE_URLS is on (development, tests, or an on-premises install whose HR system lives on the
intranet), an address must resolve only to public IP addresses, checked when it is saved (IP literals and
localhost, no DNS needed) and again just before every call (the name may resolve elsewhere by then).
"""

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _


class PrivateAddress(Exception):
    """The URL points into a private, loopback, link-local or reserved network."""


def _private_ip(text: str) -> bool:
    try:
        address = ipaddress.ip_address(text.split("%", 1)[0])
    except ValueError:
        return False
    return not address.is_global


def _allowed() -> bool:
    return getattr(settings, "LEAN_ALLOW_PRIVATE_URLS", False)


def saved_url_problem(url: str) -> str | None:
    """Why a URL may not be saved, without asking DNS: an IP literal or localhost on a private network."""
    if _allowed():
        return None
    host = (urlsplit(url).hostname or "").lower()
    if host == "localhost" or host.endswith(".localhost") or _private_ip(host):
        return _("The address points into a private network; the server only calls public addresses.")
    return None


def check_before_call(url: str) -> None:
    """Raise PrivateAddress when any address the URL's host resolves to is not public."""
    if _allowed():
        return
    parts = urlsplit(url)
    host = parts.hostname or ""
    try:
        infos = socket.getaddrinfo(host, parts.port or (443 if parts.scheme == "https" else 80))
    except (socket.gaierror, UnicodeError) as error:
        raise PrivateAddress(_("The address's host name cannot be resolved: %(host)s") % {"host": host}) from error
    if not infos or any(_private_ip(info[4][0]) for info in infos):
        raise PrivateAddress(
            _("The address %(host)s points into a private network; the server only calls public addresses.")
            % {"host": host}
        )
