"""Completing a page of the audit log: the merged rows as entries, each with its object's name, the changes of
the whitelisted fields against the previous version, who made it and a link to the object while it exists. A
fixed number of queries per source, whatever the tenant's size."""

from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlsplit

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from lean.models import Membership, Tenant, Unit, User
from lean.permissions import can
from lean.tenancy import current_tenant
from projects.models import Project
from projects.workflow import ACTIONS

from .sources import ACTION_LABELS, CHANGED, DECISION, DELETED, HISTORY_TYPES, KINDS, PRESENCE, SOURCE_BY_KEY, Source


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
