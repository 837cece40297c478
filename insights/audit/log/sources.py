"""The tables the audit log reads (one `Source` each: the model, its kind, the whitelist of fields whose changes
are shown and how, the page an entry links to), the kinds the log is filtered by and the actions' labels. Secrets
are never in a source's fields; addresses carrying an access key show only whether they are set."""

from dataclasses import dataclass, field

from django.apps import apps
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

CREATED, CHANGED, DELETED, DECISION = "created", "changed", "deleted", "decision"
HISTORY_TYPES = {"+": CREATED, "~": CHANGED, "-": DELETED}
ACTION_LABELS = {
    CREATED: pgettext_lazy("audit", "created"),
    CHANGED: pgettext_lazy("audit", "changed"),
    DELETED: pgettext_lazy("audit", "deleted"),
    DECISION: pgettext_lazy("audit", "decision"),
}

KINDS = {
    "members": _("Members"),
    "api_keys": _("API keys"),
    "sso": _("Single sign-on"),
    "channels": _("Notification channels and webhooks"),
    "settings": _("Settings"),
    "points_rules": _("Points rules"),
    "listings": _("Innovation listings"),
    "decisions": _("Project decisions"),
    "finance": _("Finance sign-offs"),
    "assessments": _("Performance assessments"),
}

# How a field's value is shown: as it is (choices by their label), or only whether it is set.
PLAIN, PRESENCE = "plain", "presence"


@dataclass(frozen=True)
class Source:
    """One table the log reads. `fields` is the whitelist of fields whose changes are shown (name → how)."""

    key: str
    kind: str
    model: str  # "app.Model"; the history table is its simple-history model unless `log` is set
    label: object
    fields: dict = field(default_factory=dict)
    log: bool = False  # an append-only log table (not a history table): every row is one decision or change
    link: str = ""  # the URL name of the object's page, taking the object id as `<model>_id`
    link_perm: str = ""
    labels: dict = field(default_factory=dict)  # a field's label where the model gives none

    @property
    def base(self):
        return apps.get_model(self.model)

    @property
    def table(self):
        return self.base if self.log else self.base.history.model


SOURCES = [
    Source(
        "member",
        "members",
        "lean.Membership",
        _("Member"),
        {"employee_number": PLAIN, "unit": PLAIN, "roles": PLAIN, "active": PLAIN, "position": PLAIN},
        link="member-detail",
        link_perm="members.view",
    ),
    Source(
        "api_key",
        "api_keys",
        "lean.ApiKey",
        _("API key"),
        {"name": PLAIN, "scopes": PLAIN, "revoked_at": PLAIN},
        link="integrations",
        link_perm="apikeys.manage",
    ),
    Source(
        "sso",
        "sso",
        "lean.SsoSettings",
        _("Single sign-on"),
        {
            "enabled": PLAIN,
            "button_label": PLAIN,
            "issuer": PLAIN,
            "client_id": PLAIN,
            "scopes": PLAIN,
            "employee_number_claim": PLAIN,
        },
        link="sso-settings",
        link_perm="sso.manage",
    ),
    Source(
        "channel",
        "channels",
        "lean.NotificationChannel",
        _("Notification channel"),
        {"kind": PLAIN, "name": PLAIN, "webhook_url": PRESENCE, "unit": PLAIN, "active": PLAIN},
        link="integrations-channel",
        link_perm="channels.manage",
    ),
    Source(
        "webhook",
        "channels",
        "integrations.WebhookEndpoint",
        _("Webhook"),
        {"url": PRESENCE, "description": PLAIN, "events": PLAIN, "active": PLAIN},
        link="integrations-webhook",
        link_perm="webhooks.manage",
    ),
    Source(
        "tenant_settings",
        "settings",
        "lean.AuditEvent",
        _("Enterprise settings"),
        {"ranking_enabled": PLAIN},
        log=True,
        link="tenant-settings",
        link_perm="tenant.settings",
    ),
    Source(
        "job_settings",
        "settings",
        "scheduling.Schedule",
        _("Scheduled jobs"),
        {"job": PLAIN, "cadence": PLAIN, "day": PLAIN, "hour": PLAIN},
        link="jobs-settings",
        link_perm="jobs.manage",
    ),
    Source(
        "innovation_settings",
        "settings",
        "innovation.InnovationSettings",
        _("Listing settings"),
        {"objection_days": PLAIN},
        link="innovation-settings",
        link_perm="innovation.listing.manage",
    ),
    Source(
        "rule_version",
        "points_rules",
        "innovation.RuleVersion",
        _("Points rules version"),
        {"number": PLAIN, "effective_from": PLAIN, "note": PLAIN, "rules": PRESENCE},
        link="innovation-rule-version",
        link_perm="innovation.rules.manage",
    ),
    Source(
        "unit_tuning",
        "points_rules",
        "innovation.UnitTuning",
        _("Unit's points tuning"),
        {"unit": PLAIN, "effective_from": PLAIN, "note": PLAIN, "factors": PRESENCE, "type_base": PRESENCE},
    ),
    Source(
        "listing",
        "listings",
        "innovation.Listing",
        _("Innovation listing"),
        {
            "title": PLAIN,
            "period_start": PLAIN,
            "period_end": PLAIN,
            "state": PLAIN,
            "closes_at": PLAIN,
            "finalized_at": PLAIN,
            "board_token_digest": PRESENCE,
        },
        link="innovation-listing",
        link_perm="innovation.listing.manage",
        labels={"board_token_digest": _("notice-board link")},
    ),
    Source(
        "transition",
        "decisions",
        "projects.Transition",
        _("Project"),
        {"from_state": PLAIN, "to_state": PLAIN},
        log=True,
    ),
    Source(
        "signoff",
        "finance",
        "projects.BenefitSignoff",
        _("Benefit sign-off"),
        {"status": PLAIN, "amount": PLAIN, "basis": PLAIN, "evidence": PRESENCE},
    ),
    Source(
        "assessment",
        "assessments",
        "targets.Assessment",
        _("Assessment"),
        {"indicator_code": PLAIN, "unit": PLAIN, "year": PLAIN, "note": PLAIN},
    ),
]
SOURCE_BY_KEY = {source.key: source for source in SOURCES}
