"""Tell members about something, through every channel (lean.channels): an in-app notification each, an
email when email is configured, and a post to the tenant's group robots (WeCom, DingTalk) that want it.

Emails and robot posts leave only after the transaction commits, so a refused or rolled-back action never
sends anything; robots are posted to by a task, so a slow robot never slows the request.
"""

from .channels import EmailChannel, InAppChannel, Message
from .channels.services import deliveries_queue
from .models import Membership
from .tenancy import current_tenant


def notify(*, recipients, title: str, body: str = "", url: str = "", exclude: Membership | None = None) -> int:
    """One notification per distinct active recipient (never the person who acted: `exclude`). Bounded: one
    insert whatever the number of recipients."""
    return notify_each([(recipients, title, body, url)], exclude=exclude)


def notify_each(messages, *, exclude: Membership | None = None) -> int:
    """Several messages, each (recipients, title, body, url), as `notify` sends one: one insert for them all
    (a job telling each of 300 units about its own report), the emails and robot posts after commit. Returns
    how many notifications were made."""
    prepared = []
    for recipients, title, body, url in messages:
        people = {m.pk: m for m in recipients if m is not None and m.active}
        if exclude is not None:
            people.pop(exclude.pk, None)
        prepared.append(Message(recipients=tuple(people.values()), title=title, body=body, url=url))
    made = InAppChannel(current_tenant()).send(prepared)
    EmailChannel().send(prepared)
    deliveries_queue(prepared)
    return made
