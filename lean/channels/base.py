"""The channel interface and the message every channel takes."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Message:
    """One notification for its recipients (active memberships, the acting member already left out)."""

    recipients: tuple
    title: str
    body: str = ""
    url: str = ""


class DeliveryError(Exception):
    """The channel refused or could not take the message; `str()` says why, for the delivery log."""


class Channel:
    """Somewhere notifications go. `send` delivers the messages and returns how many it handed on; a channel
    that talks to another system raises DeliveryError when that system refuses."""

    kind = ""

    def send(self, messages) -> int:
        raise NotImplementedError
