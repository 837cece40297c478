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

Split by sub-domain, every name importable from here: `sources.py` (the tables read and their whitelisted
fields), `query.py` (the merged, paged query and its filters), `page.py` (a page's rows as entries).
"""

from .page import Change, Entry, audit_page
from .query import audit_entries, audit_filtered, day_bounds, person_user_ids
from .sources import (
    ACTION_LABELS,
    CHANGED,
    CREATED,
    DECISION,
    DELETED,
    HISTORY_TYPES,
    KINDS,
    PLAIN,
    PRESENCE,
    SOURCE_BY_KEY,
    SOURCES,
    Source,
)

__all__ = [
    "CREATED",
    "CHANGED",
    "DELETED",
    "DECISION",
    "HISTORY_TYPES",
    "ACTION_LABELS",
    "KINDS",
    "PLAIN",
    "PRESENCE",
    "Source",
    "SOURCES",
    "SOURCE_BY_KEY",
    "day_bounds",
    "audit_entries",
    "person_user_ids",
    "audit_filtered",
    "Change",
    "Entry",
    "audit_page",
]
