"""The tenancy core: tenants, people, the organisation tree and memberships."""

from django.contrib.auth.models import AbstractUser
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .scoping import TenantScopedManager


class Tenant(models.Model):
    """An enterprise using Lean. Read before a tenant is known (login, URL), so it is outside RLS."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    time_zone = models.CharField(_("time zone"), max_length=60, default="Asia/Shanghai")
    default_language = models.CharField(_("default language"), max_length=10, default="zh-hans")
    active = models.BooleanField(_("active"), default=True)
    # The seed paper moved away from ranking people by counts: ranks are shown only where a tenant asks for them.
    ranking_enabled = models.BooleanField(
        _("show rankings"),
        default=False,
        help_text=_("Show employees their rank among the people of their unit by innovation points."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("tenant")
        verbose_name_plural = _("tenants")
        ordering = ["name"]

    def __str__(self):
        return self.name


class User(AbstractUser):
    """A person's login. What they may do lives on their Membership in each tenant."""

    full_name = models.CharField(_("full name"), max_length=100, blank=True)

    def __str__(self):
        return self.full_name or self.username

    @property
    def display_name(self):
        return self.full_name or self.get_full_name() or self.username


def tenant_manager():
    return TenantScopedManager()


class TenantModel(models.Model):
    """Base of every tenant-owned table.

    Reached only inside a tenant scope (django-scopes raises otherwise). Row-level security, the grants
    and the same-tenant foreign keys are installed for every subclass after each migrate (lean/rls.py).
    """

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, verbose_name=_("tenant"))

    objects = tenant_manager()

    class Meta:
        abstract = True


class Unit(TenantModel):
    """A node of the organisation tree: HQ, units, teams.

    `path` is the materialised path of zero-padded ids ("/0000000001/0000000004/"), so a subtree is one
    indexed prefix query.
    """

    class Kind(models.TextChoices):
        HQ = "hq", _("Headquarters")
        UNIT = "unit", _("Unit")
        TEAM = "team", _("Team")

    name = models.CharField(_("name"), max_length=200)
    code = models.CharField(_("code"), max_length=40)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.UNIT)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("parent"),
    )
    path = models.CharField(max_length=500, editable=False, db_index=True)
    active = models.BooleanField(_("active"), default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["path"]
        constraints = [models.UniqueConstraint(fields=["tenant", "code"], name="unit_code_unique_per_tenant")]
        indexes = [models.Index(fields=["tenant", "path"], name="unit_tenant_path")]

    def __str__(self):
        return self.name

    @property
    def depth(self):
        return self.path.count("/") - 2


class Role(models.TextChoices):
    LEAN_OFFICE = "lean_office", _("Lean office")
    UNIT_MANAGER = "unit_manager", _("Unit manager")
    REVIEWER = "reviewer", _("Reviewer")
    EMPLOYEE = "employee", _("Employee")
    FINANCE = "finance", _("Finance verifier")  # 财务核验: signs off verified benefits, for their unit's subtree
    LEADER = "leader", _("Leader")  # 分管领导: reads the dashboards and pages, changes nothing


class Membership(TenantModel):
    """A person in a tenant: their unit, roles and employee number (unique within the tenant)."""

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("user"))
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="members", verbose_name=_("unit"))
    employee_number = models.CharField(_("employee number"), max_length=40)
    position = models.CharField(_("position"), max_length=100, blank=True)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    roles = ArrayField(models.CharField(max_length=20, choices=Role.choices), default=list, verbose_name=_("roles"))
    active = models.BooleanField(_("active"), default=True)
    joined_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    # Row-level security also shows a person their own memberships in other tenants (read-only).
    rls_own_rows_column = "user_id"

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["employee_number"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "employee_number"], name="membership_number_unique_per_tenant"),
            models.UniqueConstraint(fields=["tenant", "user"], name="membership_user_unique_per_tenant"),
        ]

    def __str__(self):
        return f"{self.user.display_name} ({self.employee_number})"

    def has_role(self, role: str) -> bool:
        return role in self.roles

    def get_roles_display(self):
        labels = dict(Role.choices)
        return [labels.get(r, r) for r in self.roles]


class Notification(TenantModel):
    """An in-app message to one member (a project was submitted, a review is waiting, …)."""

    recipient = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="notifications")
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("message"), blank=True)
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["tenant", "recipient", "read_at"], name="notification_unread")]

    def __str__(self):
        return self.title


class ApiScope(models.TextChoices):
    """What an API key may do. `<area>:read` opens the area's GET operations, `<area>:write` the others."""

    HR_READ = "hr:read", _("HR: read organisation, people, final points and archives")
    HR_WRITE = "hr:write", _("HR: sync units and employees")
    TARGETS_READ = "targets:read", _("Targets: read")
    TARGETS_WRITE = "targets:write", _("Targets: write readings")
    BENCHMARKING_READ = "benchmarking:read", _("Benchmarking: read")
    BENCHMARKING_WRITE = "benchmarking:write", _("Benchmarking: write values")
    PROJECTS_READ = "projects:read", _("Projects: read")
    PROJECTS_WRITE = "projects:write", _("Projects: write")
    INNOVATION_READ = "innovation:read", _("Innovation: read")
    INNOVATION_WRITE = "innovation:write", _("Innovation: write")


class ApiKey(TenantModel):
    """A key for a machine client (the HR system), created by the lean office and shown once.

    Only a SHA-256 of the key is stored: keys are 256-bit random, so a fast hash is enough. The key acts for the
    lean office member who created it, narrowed to its scopes; it stops when revoked or when that member leaves.
    """

    name = models.CharField(_("name"), max_length=100)
    # "lk_<tenant id>_<8 chars>": shown in lists, and looked up inside the tenant its id names
    prefix = models.CharField(max_length=40)
    digest = models.CharField(max_length=64)
    scopes = ArrayField(
        models.CharField(max_length=30, choices=ApiScope.choices), default=list, verbose_name=_("scopes")
    )
    created_by = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="+", verbose_name=_("acts as"))
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["tenant", "prefix"], name="api_key_prefix_per_tenant")]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def active(self):
        return self.revoked_at is None


class NotificationChannel(TenantModel):
    """A group robot (群机器人) the tenant's notifications are also posted to: WeCom (企业微信) or DingTalk (钉钉).

    With a unit, only notifications to members of that unit's subtree go to it; without, the whole tenant's.
    The secret (DingTalk's signing secret) is never shown again once saved and is kept out of the history.
    """

    class Kind(models.TextChoices):
        WECOM = "wecom", _("WeCom group robot")
        DINGTALK = "dingtalk", _("DingTalk group robot")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=100)
    webhook_url = models.URLField(_("webhook URL"), max_length=500)
    secret = models.CharField(_("signing secret"), max_length=200, blank=True)
    unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("unit")
    )
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(Membership, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords(excluded_fields=["secret"])

    class Meta:
        verbose_name = _("notification channel")
        verbose_name_plural = _("notification channels")
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["tenant", "name"], name="notification_channel_name_unique")]

    def __str__(self):
        return self.name


class ChannelDelivery(TenantModel):
    """One message posted (or to be posted) to one channel, with its attempts' outcome: the delivery log."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    channel = models.ForeignKey(NotificationChannel, on_delete=models.CASCADE, related_name="deliveries")
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("message"), blank=True)
    is_test = models.BooleanField(_("test message"), default=False)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    error = models.CharField(_("last error"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("channel delivery")
        verbose_name_plural = _("channel deliveries")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["tenant", "channel", "created_at"], name="channel_delivery_date")]

    def __str__(self):
        return self.title


class SsoSettings(TenantModel):
    """The tenant's single sign-on (统一身份认证) through an OpenID Connect provider: one per tenant.

    The provider's answer only says who the person is (the employee-number claim); the tenant always comes from
    the URL the sign-in started on. The client secret is sent to the provider and never shown back in the UI, and
    the history leaves it out.
    """

    enabled = models.BooleanField(_("enabled"), default=False)
    button_label = models.CharField(_("button label"), max_length=100, blank=True)
    issuer = models.URLField(_("issuer URL"), max_length=500, blank=True)
    client_id = models.CharField(_("client ID"), max_length=200, blank=True)
    client_secret = models.CharField(_("client secret"), max_length=500, blank=True)
    scopes = models.CharField(_("scopes"), max_length=300, default="openid profile")
    employee_number_claim = models.CharField(_("employee number claim"), max_length=100, default="employee_number")
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["client_secret"])

    class Meta:
        verbose_name = _("single sign-on settings")
        verbose_name_plural = _("single sign-on settings")
        constraints = [models.UniqueConstraint(fields=["tenant"], name="sso_settings_one_per_tenant")]

    def __str__(self):
        return self.button_label or self.issuer or str(self.tenant_id)

    @property
    def has_secret(self) -> bool:
        return bool(self.client_secret)


class AuditEvent(TenantModel):
    """A sensitive change to something that keeps no history table of its own: the tenant's settings (the Tenant
    row lives outside row-level security, so a history of it could not be a tenant table). The audit log
    (insights/audit/log/) reads these with the history tables. `changes` maps a field to its [old, new] values."""

    kind = models.CharField(max_length=40)  # "tenant.settings"
    actor = models.ForeignKey(Membership, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    changes = models.JSONField(default=dict)
    reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["tenant", "at"], name="audit_event_date")]

    def __str__(self):
        return f"{self.kind} {self.at:%Y-%m-%d %H:%M}"
