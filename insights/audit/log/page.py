"""The audit log (审计日志): every sensitive change of the tenant, newest first, for the lean office.

Read from the history tables django-simple-history keeps (members, API keys, single sign-on, channels and
webhooks, settings, points rules, listings, finance sign-offs, assessments), the projects' lifecycle log (their
decisions) and `AuditEvent` (the tenant's settings, whose row keeps no history). One UNION ALL query pages the
merged entries; the page's rows are then completed with a fixed number of queries per source (the rows with the
previous version of each, to tell what changed), so a page costs the same whatever the tenant's size.

Every history table carries `tenant_id` and is under row-level security like its model (lean/rls.py picks up
every table with a `tenant` column); the selector filters on the tenant as well, since history managers are not
behind the ORM scope guard.

Only the fields a source lists are ever shown: secrets (API key digests, webhook and SSO secrets, a listing's
board token) are not listed, and robot and webhook addresses, which carry their access key, show as "changed"
without their value.
"""

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django.apps import apps
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import F, OuterRef, Q, Subquery, Value
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from lean.models import Membership, Tenant, Unit, User
from lean.permissions import can
from lean.tenancy import current_tenant
from projects.models import Project
from projects.workflow import ACTIONS

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


def _decisions():
    return [name for name, action in ACTIONS.items() if action.who != "applicant"]


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


# --- the merged, paged query ------------------------------------------------------------------------------------


def _branch(source: Source, *, tenant: Tenant, user_ids, since, until):
    """The source's rows as (src, row id, at, history type, user id, object id), filtered."""
    table = source.table
    if source.log:
        at, user, obj = "created_at", "actor__user_id", "project_id"
        if source.model == "lean.AuditEvent":
            at, obj = "at", "tenant_id"
        rows = table._default_manager.filter(tenant=tenant)
        if source.key == "transition":
            rows = rows.filter(action__in=_decisions())
        elif source.key == "tenant_settings":
            rows = rows.filter(kind="tenant.settings")
        columns = {
            "a_id": F("pk"),
            "a_at": F(at),
            "a_type": Value("~", output_field=models.CharField()),
            "a_user": F(user),
            "a_obj": F(obj),
        }
    else:
        at = "history_date"
        rows = table._default_manager.filter(tenant=tenant)
        columns = {
            "a_id": F("history_id"),
            "a_at": F(at),
            "a_type": F("history_type"),
            "a_user": F("history_user_id"),
            "a_obj": F("id"),
        }
    if user_ids is not None:
        rows = rows.filter(**{f"{'actor__user_id' if source.log else 'history_user_id'}__in": user_ids})
    if since is not None:
        rows = rows.filter(**{f"{at}__gte": since})
    if until is not None:
        rows = rows.filter(**{f"{at}__lt": until})
    return rows.annotate(a_src=Value(source.key, output_field=models.CharField()), **columns).values(
        "a_src", "a_id", "a_at", "a_type", "a_user", "a_obj"
    )


def day_bounds(tenant: Tenant, date_from, date_to):
    """The tenant-local days [from, to] as aware datetimes [since, until)."""
    zone = ZoneInfo(tenant.time_zone)
    since = datetime.combine(date_from, time.min, zone) if date_from else None
    until = datetime.combine(date_to + timedelta(days=1), time.min, zone) if date_to else None
    return since, until


def audit_entries(*, tenant: Tenant, kind: str = "", user_ids=None, since=None, until=None):
    """The merged rows of every source of `kind` (all when empty), newest first: a queryset to page."""
    sources = [s for s in SOURCES if not kind or s.kind == kind]
    branches = [_branch(s, tenant=tenant, user_ids=user_ids, since=since, until=until) for s in sources]
    first, *rest = branches
    merged = first.union(*rest, all=True) if rest else first
    return merged.order_by("-a_at", "-a_src", "-a_id")


def person_user_ids(*, employee_number: str):
    """The users behind an employee number of the tenant (a person filter); [] when nobody has it."""
    return list(Membership.objects.filter(employee_number=employee_number.strip()).values_list("user_id", flat=True))


# --- completing a page ------------------------------------------------------------------------------------------


@dataclass
class Change:
    field: str
    label: str
    old: str | None
    new: str | None


@dataclass
class Entry:
    at: datetime
    kind: str
    kind_label: str
    source: str
    source_label: str
    action: str
    action_label: str
    object_id: int | None
    object_name: str
    url: str = ""
    user: User | None = None
    member: Membership | None = None
    changes: list = field(default_factory=list)
    reason: str = ""
    note: str = ""

    @property
    def who(self) -> str:
        return self.user.display_name if self.user else ""


def _load(source: Source, page_rows):
    """The page's rows of one source and, for each change, the version just before it: one query."""
    table = source.table
    ids = [r["a_id"] for r in page_rows]
    if source.log:
        rows = table._default_manager.filter(pk__in=ids)
        if source.key == "transition":
            rows = rows.select_related("project")
        return {row.pk: row for row in rows}, {}
    manager = table._default_manager
    before = manager.filter(id=OuterRef("id")).filter(
        Q(history_date__lt=OuterRef("history_date"))
        | Q(history_date=OuterRef("history_date"), history_id__lt=OuterRef("history_id"))
    )
    with_previous = manager.annotate(
        prev_id=Subquery(before.order_by("-history_date", "-history_id").values("history_id")[:1])
    )
    previous_ids = with_previous.filter(history_id__in=ids, history_type="~").values("prev_id")
    loaded = {
        row.history_id: row for row in with_previous.filter(Q(history_id__in=ids) | Q(history_id__in=previous_ids))
    }
    # A version before a change may be on the page itself: `loaded` holds both.
    return {i: loaded[i] for i in ids if i in loaded}, loaded


class _Refs:
    """The names the page refers to (units, users, projects), each kind loaded in one query."""

    def __init__(self):
        self.unit_ids, self.user_ids, self.project_ids = set(), set(), set()
        self.units, self.users, self.projects = {}, {}, {}

    def load(self):
        if self.unit_ids:
            self.units = Unit.objects.in_bulk(self.unit_ids)
        if self.user_ids:
            self.users = User.objects.in_bulk(self.user_ids)
        if self.project_ids:
            self.projects = {p.pk: p for p in Project.objects.filter(pk__in=self.project_ids).only("code", "title")}


def _field_label(source: Source, name: str) -> str:
    if name in source.labels:
        return str(source.labels[name])
    if source.model == "lean.AuditEvent":
        return str(Tenant._meta.get_field(name).verbose_name)
    return str(source.base._meta.get_field(name).verbose_name)


def _show(source: Source, name: str, value, refs: _Refs) -> str | None:
    """A field's value as the page shows it; None for empty."""
    if value is None or value == "" or value == []:
        return None
    if source.fields.get(name) == PRESENCE:
        return gettext("set")
    if source.model == "lean.AuditEvent":
        return gettext("yes") if value is True else gettext("no") if value is False else str(value)
    model_field = source.base._meta.get_field(name)
    if isinstance(model_field, models.ForeignKey):
        if model_field.related_model is Unit:
            unit = refs.units.get(value)
            return unit.name if unit else f"#{value}"
        return f"#{value}"
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if isinstance(model_field, ArrayField):
        labels = dict(model_field.base_field.choices or [])
        return ", ".join(str(labels.get(v, v)) for v in value)
    if model_field.choices:
        return str(dict(model_field.choices).get(value, value))
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    text = str(value)
    return text if len(text) <= 120 else text[:119] + "…"


def _value(source: Source, row, name: str):
    return getattr(row, source.base._meta.get_field(name).attname)


def _changes(source: Source, row, prev, refs: _Refs) -> list[Change]:
    changes = []
    for name in source.fields:
        new = _value(source, row, name)
        if prev is None:
            if new not in (None, "", [], False) or name in ("active", "enabled"):
                changes.append(Change(name, _field_label(source, name), None, _show(source, name, new, refs)))
            continue
        old = _value(source, prev, name)
        if old != new:
            changes.append(
                Change(name, _field_label(source, name), _show(source, name, old, refs), _show(source, name, new, refs))
            )
    return changes


def _collect_refs(source: Source, row, refs: _Refs) -> None:
    for name in source.fields:
        if source.model != "lean.AuditEvent":
            model_field = source.base._meta.get_field(name)
            if isinstance(model_field, models.ForeignKey) and model_field.related_model is Unit:
                value = getattr(row, f"{name}_id")
                if value:
                    refs.unit_ids.add(value)
    if source.key == "member":
        refs.user_ids.add(row.user_id)
    if source.key == "signoff":
        refs.project_ids.add(row.project_id)


def _name(source: Source, row, refs: _Refs) -> str:
    key = source.key
    if key == "member":
        user = refs.users.get(row.user_id)
        return f"{user.display_name if user else '#' + str(row.user_id)} ({row.employee_number})"
    if key == "api_key":
        return f"{row.name} ({row.prefix}…)"
    if key == "sso":
        return row.button_label or urlsplit(row.issuer).hostname or str(source.label)
    if key == "channel":
        return row.name
    if key == "webhook":
        # The host only: the path and query of an address may carry its access key.
        return row.description or urlsplit(row.url).hostname or str(source.label)
    if key == "rule_version":
        return gettext("Version %(number)s, from %(date)s") % {"number": row.number, "date": row.effective_from}
    if key == "unit_tuning":
        unit = refs.units.get(row.unit_id)
        return gettext("%(unit)s, from %(date)s") % {
            "unit": unit.name if unit else f"#{row.unit_id}",
            "date": row.effective_from,
        }
    if key == "listing":
        return row.title
    if key == "transition":
        return f"{row.project.code} {row.project.title}"
    if key == "signoff":
        project = refs.projects.get(row.project_id)
        return f"{project.code} {project.title}" if project else f"#{row.project_id}"
    if key == "assessment":
        unit = refs.units.get(row.unit_id)
        return f"{row.indicator_code} · {unit.name if unit else '#' + str(row.unit_id)} · {row.year}"
    return str(source.label)


def _url(source: Source, row, *, viewer: Membership, tenant: Tenant, existing: set) -> str:
    slug = tenant.slug
    if source.key in ("transition", "signoff"):
        if row.project_id in existing and can(viewer, "projects.view"):
            return reverse("projects-detail", kwargs={"tenant_slug": slug, "project_id": row.project_id})
        return ""
    if not source.link or not can(viewer, source.link_perm):
        return ""
    if source.link in ("integrations", "sso-settings", "tenant-settings", "jobs-settings", "innovation-settings"):
        return reverse(source.link, kwargs={"tenant_slug": slug})
    if row.id not in existing:  # deleted since: nothing to open
        return ""
    kwarg = f"{source.base._meta.model_name}_id" if source.key != "member" else "membership_id"
    return reverse(source.link, kwargs={"tenant_slug": slug, kwarg: row.id})


def _existing(source: Source, rows) -> set:
    """Which of the rows' objects still exist (one query), so that only those link to their page."""
    if not source.link or source.log or not rows:
        return set()
    ids = {row.id for row in rows}
    return set(source.base._default_manager.filter(pk__in=ids).values_list("pk", flat=True))


def audit_page(*, viewer: Membership, rows) -> list[Entry]:
    """The page's merged rows (from `audit_entries`) as entries: a fixed number of queries per source."""
    tenant = current_tenant()
    rows = list(rows)
    by_source = {}
    for row in rows:
        by_source.setdefault(row["a_src"], []).append(row)
    loaded, previous, existing = {}, {}, {}
    refs = _Refs()
    for key, source_rows in by_source.items():
        source = SOURCE_BY_KEY[key]
        loaded[key], previous[key] = _load(source, source_rows)
        for row in [*loaded[key].values(), *previous[key].values()]:
            _collect_refs(source, row, refs)
    for row in rows:
        if row["a_user"]:
            refs.user_ids.add(row["a_user"])
    refs.load()
    for key, by_id in loaded.items():
        existing[key] = _existing(SOURCE_BY_KEY[key], list(by_id.values()))
    # A project's decisions go with it (cascade); a sign-off's project is among the loaded ones if it still exists.
    existing["transition"] = {row.project_id for row in loaded.get("transition", {}).values()}
    existing["signoff"] = set(refs.projects)
    actors = {}
    if refs.user_ids:
        actors = {m.user_id: m for m in Membership.objects.filter(user_id__in=refs.user_ids)}

    entries = []
    for merged in rows:
        source = SOURCE_BY_KEY[merged["a_src"]]
        row = loaded[source.key].get(merged["a_id"])
        if row is None:
            continue
        entry = Entry(
            at=merged["a_at"],
            kind=source.kind,
            kind_label=str(KINDS[source.kind]),
            source=source.key,
            source_label=str(source.label),
            action=DECISION if source.key == "transition" else HISTORY_TYPES.get(merged["a_type"], CHANGED),
            action_label="",
            object_id=merged["a_obj"],
            object_name=_name(source, row, refs),
            url=_url(source, row, viewer=viewer, tenant=tenant, existing=existing.get(source.key, set())),
            user=refs.users.get(merged["a_user"]),
            member=actors.get(merged["a_user"]),
        )
        if source.key == "transition":
            action = ACTIONS.get(row.action)
            entry.note = str(action.label) if action else row.action
            entry.changes = [
                Change(
                    "state",
                    gettext("state"),
                    _show(source, "from_state", row.from_state, refs),
                    _show(source, "to_state", row.to_state, refs),
                )
            ]
            entry.reason = row.reason
        elif source.key == "tenant_settings":
            entry.action = CHANGED
            entry.changes = [
                Change(name, _field_label(source, name), _show(source, name, old, refs), _show(source, name, new, refs))
                for name, (old, new) in row.changes.items()
                if name in source.fields
            ]
            entry.reason = row.reason
        else:
            prev = previous[source.key].get(row.prev_id) if entry.action == CHANGED else None
            if entry.action != DELETED:
                entry.changes = _changes(source, row, prev, refs)
            entry.reason = gettext(row.history_change_reason) if row.history_change_reason else ""
            if not entry.reason and source.key == "signoff":
                entry.reason = row.reason
        entry.action_label = str(ACTION_LABELS[entry.action])
        entries.append(entry)
    return entries


def audit_filtered(*, kind: str = "", person: str = "", date_from=None, date_to=None):
    """The page's and the API's one entry point: the current tenant's merged rows for the filters as the form
    cleans them."""
    tenant = current_tenant()
    user_ids = person_user_ids(employee_number=person) if person else None
    since, until = day_bounds(tenant, date_from, date_to)
    return audit_entries(tenant=tenant, kind=kind, user_ids=user_ids, since=since, until=until)
