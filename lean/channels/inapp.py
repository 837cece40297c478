"""The in-app channel: one Notification row per recipient, all in one insert."""

from ..models import Notification
from .base import Channel


class InAppChannel(Channel):
    kind = "inapp"

    def __init__(self, tenant):
        self.tenant = tenant

    def send(self, messages) -> int:
        rows = [
            Notification(tenant=self.tenant, recipient=m, title=msg.title[:200], body=msg.body, url=msg.url)
            for msg in messages
            for m in msg.recipients
        ]
        if rows:
            Notification.objects.bulk_create(rows)
        return len(rows)
