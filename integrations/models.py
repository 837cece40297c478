"""The tables of the tenant's integrations: replayed answers of idempotent API writes, and the webhook endpoints
with their deliveries. They kept their tables (lean_*) when they moved here from lean, so their row-level security
policies and history stayed as they were."""

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from lean.models import ApiKey, Membership, TenantModel


class IdempotencyRecord(TenantModel):
    """The answer given to a write request carrying an `Idempotency-Key`, replayed when the same key comes again
    with the same body (a client retrying after a timeout never applies a batch twice)."""

    key = models.CharField(max_length=200)
    api_key = models.ForeignKey(ApiKey, null=True, on_delete=models.CASCADE, related_name="+")
    request_hash = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField()
    body = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "lean_idempotencyrecord"
        constraints = [models.UniqueConstraint(fields=["tenant", "api_key", "key"], name="idempotency_key_unique")]

    def __str__(self):
        return self.key


class WebhookEvent(models.TextChoices):
    LISTING_FINALIZED = "listing.finalized", _("An innovation listing was finalized")
    PROJECT_CLOSED = "project.closed", _("A project was closed and released")


class WebhookEndpoint(TenantModel):
    """Where the tenant wants events delivered, signed with the endpoint's secret (HMAC-SHA256)."""

    url = models.URLField(_("URL"), max_length=500)
    description = models.CharField(_("description"), max_length=200, blank=True)
    events = ArrayField(models.CharField(max_length=40, choices=WebhookEvent.choices), verbose_name=_("events"))
    secret = models.CharField(max_length=80)
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(Membership, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords(table_name="lean_historicalwebhookendpoint")

    class Meta:
        db_table = "lean_webhookendpoint"
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        ordering = ["-created_at"]

    def __str__(self):
        return self.url


class WebhookDelivery(TenantModel):
    """One event for one endpoint, with every attempt's outcome. Retried with backoff until delivered or out of
    attempts; the lean office may send it again."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")

    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(_("event"), max_length=40, choices=WebhookEvent.choices)
    event_id = models.CharField(max_length=80)  # the same for every endpoint and attempt: receivers dedupe on it
    payload = models.JSONField()
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_status_code = models.PositiveSmallIntegerField(_("last answer"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)

    class Meta:
        db_table = "lean_webhookdelivery"
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["tenant", "endpoint", "created_at"], name="delivery_endpoint_date")]

    def __str__(self):
        return f"{self.event} {self.event_id}"
