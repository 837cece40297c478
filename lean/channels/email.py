"""The email channel: only when email is configured (EMAIL_HOST, from the environment), and only after the
transaction commits, so a refused or rolled-back action never sends mail."""

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import transaction

from .base import Channel


class EmailChannel(Channel):
    kind = "email"

    @staticmethod
    def configured() -> bool:
        return bool(settings.EMAIL_HOST)

    def send(self, messages) -> int:
        if not self.configured():  # only then are the users' addresses read
            return 0
        mails = []
        for msg in messages:
            addresses = [m.user.email for m in msg.recipients if m.user.email]
            if addresses:
                mails.append((msg.title, f"{msg.body}\n\n{msg.url}".strip(), settings.DEFAULT_FROM_EMAIL, addresses))
        if mails:
            transaction.on_commit(lambda: send_mass_mail(mails, fail_silently=True))
        return len(mails)
