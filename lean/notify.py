"""Tell members about something: an in-app notification each, and an email when email is configured.

Emails leave only after the transaction commits, so a refused or rolled-back action never sends mail.
"""

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import transaction

from .models import Membership, Notification
from .tenancy import current_tenant


def notify(*, recipients, title: str, body: str = "", url: str = "", exclude: Membership | None = None) -> int:
    """One notification per distinct active recipient (never the person who acted: `exclude`). Bounded: one
    insert whatever the number of recipients."""
    return notify_each([(recipients, title, body, url)], exclude=exclude)


def notify_each(messages, *, exclude: Membership | None = None) -> int:
    """Several messages, each (recipients, title, body, url), as `notify` sends one: one insert for them all
    (a job telling each of 300 units about its own report), the emails after commit. Returns how many
    notifications were made."""
    tenant = current_tenant()
    rows, mails = [], []
    for recipients, title, body, url in messages:
        people = {m.pk: m for m in recipients if m is not None and m.active}
        if exclude is not None:
            people.pop(exclude.pk, None)
        rows += [
            Notification(tenant=tenant, recipient=m, title=title[:200], body=body, url=url) for m in people.values()
        ]
        if settings.EMAIL_HOST:  # only then are the users' addresses read
            addresses = [m.user.email for m in people.values() if m.user.email]
            if addresses:
                mails.append((title, f"{body}\n\n{url}".strip(), settings.DEFAULT_FROM_EMAIL, addresses))
    if rows:
        Notification.objects.bulk_create(rows)
    if mails:
        transaction.on_commit(lambda: send_mass_mail(mails, fail_silently=True))
    return len(rows)
