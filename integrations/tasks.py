"""The Celery door of webhook deliveries."""

from celery import shared_task

from integrations.models import WebhookDelivery
from integrations.webhooks import MAX_ATTEMPTS, backoff_seconds, delivery_attempt
from lean.models import Tenant
from lean.tasks import TenantTask
from lean.tenancy import tenant_scope


@shared_task(
    name="integrations.deliver_webhook",
    bind=True,
    acks_late=True,
    max_retries=None,
    autoretry_for=TenantTask.autoretry_for,
    retry_backoff=True,
)
def deliver_webhook(self, tenant_id, delivery_id):
    """Try a webhook delivery; on failure try again later with backoff, until integrations.webhooks.MAX_ATTEMPTS.

    The attempt is recorded in its own tenant-scoped transaction, and the retry is asked for only after that
    commits: a retry raised inside the scope would roll the attempt's record back."""
    with tenant_scope(Tenant.objects.get(pk=tenant_id)):
        delivery = WebhookDelivery.objects.filter(pk=delivery_id).first()
        if delivery is None:
            return "gone"
        if delivery_attempt(delivery=delivery):
            return "delivered"
        delivery.refresh_from_db()
        attempts = delivery.attempts
    if attempts >= MAX_ATTEMPTS:
        return "failed"
    raise self.retry(countdown=backoff_seconds(attempts))
