"""The tenant-aware base task, health tasks and the delivery task of group robots."""

import logging

from celery import Task, shared_task
from django.db import InterfaceError, OperationalError, connection
from kombu.exceptions import OperationalError as BrokerError

from .models import Tenant, Unit
from .tenancy import tenant_scope

logger = logging.getLogger(__name__)


class TenantTask(Task):
    """A task for one tenant: its first argument is `tenant_id`; the body runs inside that tenant's scope.

    Tasks acknowledge late and retry with backoff on database or broker errors; the scope is reset after.
    """

    abstract = True
    acks_late = True
    autoretry_for = (OperationalError, InterfaceError, BrokerError, ConnectionError, TimeoutError)
    retry_backoff = True
    retry_backoff_max = 600
    max_retries = 5

    def __call__(self, tenant_id, *args, **kwargs):
        tenant = Tenant.objects.get(pk=tenant_id)
        with tenant_scope(tenant):
            return super().__call__(tenant_id, *args, **kwargs)


@shared_task(name="lean.health_check")
def health_check():
    """Proves a worker can reach the broker and the database."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return "ok"


@shared_task(name="lean.tenant_health_check", base=TenantTask, bind=True)
def tenant_health_check(self, tenant_id):
    """Counts the tenant's units from inside its scope: proves the task door sets the tenant."""
    return {"tenant_id": tenant_id, "units": Unit.objects.count()}


@shared_task(
    name="lean.deliver_channel_message",
    bind=True,
    acks_late=True,
    max_retries=None,
    autoretry_for=TenantTask.autoretry_for,
    retry_backoff=True,
)
def deliver_channel_message(self, tenant_id, delivery_id):
    """Post one notification to a group robot (WeCom, DingTalk); on failure try again later with backoff, until
    lean.channels.services.MAX_ATTEMPTS. As with webhooks, the attempt's record commits before the retry."""
    from .channels.services import MAX_ATTEMPTS, backoff_seconds, delivery_attempt
    from .models import ChannelDelivery

    with tenant_scope(Tenant.objects.get(pk=tenant_id)):
        delivery = ChannelDelivery.objects.filter(pk=delivery_id).first()
        if delivery is None:
            return "gone"
        if delivery_attempt(delivery=delivery):
            return "sent"
        delivery.refresh_from_db()
        attempts, status = delivery.attempts, delivery.status
    if status == ChannelDelivery.Status.FAILED or attempts >= MAX_ATTEMPTS:
        return "failed"
    raise self.retry(countdown=backoff_seconds(attempts))
