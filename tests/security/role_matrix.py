"""The role matrix: every tenant page and API operation (by URL name and method) × role → allowed or refused.

tests/security/test_role_matrix.py checks the whole table against the running app, and fails when a tenant URL
is missing here or listed here no longer exists, so a new page can never skip the matrix.

Roles are the members of the test tenant (tests/factories.py): the HQ lean office, the manager of the unit
(一分公司), an HQ reviewer, an employee of the unit's team, an HQ finance verifier, an HQ leader (分管领导, only
that role); anonymous; and on API routes an API key (it acts for the lean office member who made it) holding
the operation's scope, and one holding every other scope. A key's rule follows from the lean office's: the key
with the scope may what the lean office may, the key without it never.

The objects in the URLs are the first of their kind in the tenant (the probe's `ids_in`), except a person (the
employee: self for the employee, below the manager) and a unit (the manager's unit). So "the employee may open
member-detail" means "their own", "the manager may" means "someone of their unit".

A page's `post=None` means the page has no form of its own: its POST, if the view takes one, shows the page
as GET does (not checked again). A POST or PATCH is sent empty unless the rule gives a `body`: a body is given
where the view validates its input before the service checks the role, so an empty one would answer 400 to
everyone and say nothing about permission.
"""

from dataclasses import dataclass

from django.core.files.uploadedfile import SimpleUploadedFile

LO, UM, RV, EM, FI, LD = "lean_office", "manager", "reviewer", "employee", "finance", "leader"
ANON = "anonymous"
KEY, KEY_WITHOUT_SCOPE = "api_key", "api_key_without_scope"

MEMBERS = frozenset({LO, UM, RV, EM, FI, LD})
SESSION_ROLES = (LO, UM, RV, EM, FI, LD, ANON)
KEY_ROLES = (KEY, KEY_WITHOUT_SCOPE)

EVERYONE = MEMBERS | {ANON}
NOBODY = frozenset()
WRITERS = MEMBERS - {LD}  # the leader reads and changes nothing
LEAN_OFFICE = frozenset({LO})
MANAGERS = frozenset({LO, UM})  # the lean office, and the manager of the object's unit
FIGURES = frozenset({LO, UM, LD})  # the dashboard, the query and the portfolio
REVIEWS = frozenset({LO, UM, RV})
SELF_OR_MANAGER = frozenset({LO, UM, EM})  # the employee's own things: they, their manager, the lean office
FINANCE = frozenset({FI})


@dataclass(frozen=True)
class Rule:
    """Who may use each method of a route; None: the method is not checked (see the module's docstring)."""

    get: frozenset | None = None
    post: frozenset | None = None
    patch: frozenset | None = None
    body: object = None  # fx -> dict: the POST/PATCH data (a form's fields, or an API's JSON)
    note: str = ""
    api: bool = False

    def methods(self):
        pairs = (("get", self.get), ("post", self.post), ("patch", self.patch))
        return [(method, who) for method, who in pairs if who is not None]

    def allowed(self, method: str, role: str) -> bool:
        who = getattr(self, method)
        if role == KEY:
            return LO in who
        if role == KEY_WITHOUT_SCOPE:
            return False
        return role in who


def page(get=MEMBERS, post=None, **kw) -> Rule:
    return Rule(get=frozenset(get), post=None if post is None else frozenset(post), **kw)


def read(who, **kw) -> Rule:
    """A page or download that only shows."""
    return page(get=who, **kw)


def form(who, **kw) -> Rule:
    """A page with its form: the same people open and submit it."""
    return page(get=who, post=who, **kw)


def action(who, **kw) -> Rule:
    """A button: POST only."""
    return Rule(get=None, post=frozenset(who), **kw)


def api(get=None, post=None, patch=None, **kw) -> Rule:
    as_set = lambda who: None if who is None else frozenset(who)  # noqa: E731
    return Rule(get=as_set(get), post=as_set(post), patch=as_set(patch), api=True, **kw)


def _pdf(fx):
    return {"file": SimpleUploadedFile("方案.pdf", b"%PDF-1.4\n% matrix\n", content_type="application/pdf")}


TILES = ("achievement", "shortfalls", "benchmarks", "projects", "benefits", "innovation", "suggestions")

SSO_OFF = "404 to everyone while single sign-on is off, as in the fixture (tests/lean/test_sso.py turns it on)"

MATRIX: dict[str, Rule] = {
    # ------------------------------------------------------------------ the tenant, people, administration
    "home": read(MEMBERS),
    # The sign-in page is public; a member who is signed in is sent on (a redirect, not to the login).
    "tenant-login": form(EVERYONE),
    "sso-login": read(NOBODY, note=SSO_OFF),
    "sso-callback": read(NOBODY, note=SSO_OFF),
    "unit-list": page(get=MEMBERS, post=LEAN_OFFICE),
    "unit-detail": read(MEMBERS),
    "member-list": read(MANAGERS),
    "member-detail": read(SELF_OR_MANAGER),
    "member-edit": form(LEAN_OFFICE),
    "member-activation": form(LEAN_OFFICE),
    "member-force-reset": form(LEAN_OFFICE),
    "api-unit-list": api(get=MEMBERS),
    "api-unit-detail": api(get=MEMBERS),
    "api-member-list": api(get=MANAGERS),
    "api-member-detail": api(get=SELF_OR_MANAGER),
    "notifications": read(MEMBERS),
    "notifications-read": action(MEMBERS),
    "notification-open": action({EM}, note="the fixture's first notification is the employee's: only its owner"),
    "tenant-settings": form(LEAN_OFFICE),
    "integrations": form(LEAN_OFFICE),
    "sso-settings": form(LEAN_OFFICE),
    "integrations-key-revoke": action(LEAN_OFFICE),
    "integrations-webhook": form(LEAN_OFFICE),
    "integrations-webhook-toggle": action(LEAN_OFFICE),
    "integrations-delivery-resend": action(LEAN_OFFICE),
    "integrations-channels": form(LEAN_OFFICE),
    "integrations-channel": form(LEAN_OFFICE),
    "integrations-channel-toggle": action(LEAN_OFFICE),
    "integrations-channel-test": action(LEAN_OFFICE),
    "audit": read(LEAN_OFFICE),
    "api-audit-list": api(get=LEAN_OFFICE),
    "jobs-runs": read(LEAN_OFFICE),
    "jobs-run": action(LEAN_OFFICE),
    "jobs-settings": form(LEAN_OFFICE),
    # ------------------------------------------------------------------ data platform
    "query": read(FIGURES),
    "query-data": read(FIGURES),
    "query-export-xlsx": read(FIGURES),
    "query-export-csv": read(FIGURES),
    # Saving a query keeps a bookmark of one's own to share by its link: the leader may, it changes no figure.
    "query-save": action(FIGURES),
    "query-saved": read(FIGURES),
    "query-saved-delete": action(LEAN_OFFICE, note="its owner (the fixture's query is the lean office's) or LO"),
    "dashboard": read(FIGURES),
    **{f"dashboard-tile-{tile}": read(FIGURES) for tile in TILES},
    **{f"dashboard-tile-{tile}-{fmt}": read(FIGURES) for tile in TILES for fmt in ("xlsx", "csv")},
    # ------------------------------------------------------------------ target tree
    "targets-tree": read(MEMBERS),
    "targets-tree-new": form(LEAN_OFFICE),
    "targets-node-children": read(MEMBERS),
    "targets-node-edit": form(LEAN_OFFICE),
    "targets-node-add": form(LEAN_OFFICE),
    "targets-node-delete": action(LEAN_OFFICE),
    "targets-indicator": read(MEMBERS),
    "targets-indicator-edit": form(LEAN_OFFICE),
    "targets-indicator-targets": form(LEAN_OFFICE),
    "targets-readings": form(MANAGERS),
    "targets-reading-edit": form(MANAGERS),
    "targets-import": form(MANAGERS),
    "targets-import-csv": read(MANAGERS),
    "targets-import-xlsx": read(MANAGERS),
    "targets-import-preview": form(LEAN_OFFICE, note="the fixture's import is the lean office's: its owner or LO"),
    "targets-shortfalls": read(MEMBERS),
    "targets-shortfall": page(get=MEMBERS, post=MANAGERS),  # the analysis: the unit's manager or LO
    "targets-shortfall-assess": action(LEAN_OFFICE),
    "targets-reports": read(MANAGERS),
    # The first report is the tenant-wide summary: the lean office's (a manager gets their units' reports).
    "targets-report": read(LEAN_OFFICE),
    "targets-report-xlsx": read(LEAN_OFFICE),
    "targets-report-pdf": read(LEAN_OFFICE),
    "api-target-tree-list": api(get=MEMBERS),
    "api-target-tree-detail": api(get=MEMBERS),
    "api-indicator-list": api(get=MEMBERS),
    "api-indicator-detail": api(get=MEMBERS),
    "api-reading-list": api(get=MEMBERS, post=MANAGERS),
    "api-reading-bulk": api(post=MANAGERS),
    "api-reading-detail": api(get=MEMBERS, patch=MANAGERS),
    "api-shortfall-list": api(get=MEMBERS),
    "api-shortfall-detail": api(get=MEMBERS, patch=MANAGERS, body=lambda fx: {"analysis": "根因：点检不到位"}),
    # ------------------------------------------------------------------ benchmarking
    "benchmarking-board": read(MEMBERS),
    "benchmarking-new": form(LEAN_OFFICE),
    "benchmarking-indicator": read(MEMBERS),
    "benchmarking-edit": form(LEAN_OFFICE),
    "benchmarking-peers": page(get=MEMBERS, post=LEAN_OFFICE),
    "benchmarking-peer": page(get=MEMBERS, post=LEAN_OFFICE),
    "benchmarking-value-new": form(LEAN_OFFICE),
    "benchmarking-import": form(LEAN_OFFICE),
    "benchmarking-import-csv": read(LEAN_OFFICE),
    "benchmarking-import-xlsx": read(LEAN_OFFICE),
    "benchmarking-proposals": read(MEMBERS),
    "benchmarking-proposal-new": form({UM}, note="a unit proposes its own indicators; the lean office decides"),
    # A proposal is open to the lean office, managers and HQ; an employee of a unit does not see it.
    "benchmarking-proposal": page(get=MEMBERS - {EM}, post=LEAN_OFFICE),
    "benchmarking-practice-new": form(MANAGERS),
    "benchmarking-practice": read(MEMBERS),
    "api-benchmark-list": api(get=MEMBERS),
    "api-benchmark-detail": api(get=MEMBERS),
    "api-peer-list": api(get=MEMBERS, post=LEAN_OFFICE),
    "api-peer-detail": api(get=MEMBERS, patch=LEAN_OFFICE),
    "api-peer-value-list": api(get=MEMBERS, post=LEAN_OFFICE),
    "api-peer-value-bulk": api(post=LEAN_OFFICE),
    "api-benchmark-comparison": api(get=MEMBERS),
    "api-proposal-list": api(get=MEMBERS, post={UM}),
    "api-proposal-detail": api(get=MEMBERS - {EM}),
    "api-proposal-accept": api(post=LEAN_OFFICE),
    "api-proposal-decline": api(post=LEAN_OFFICE),
    # ------------------------------------------------------------------ lean projects
    # The fixture's project is the unit's, filed by its manager, the employee on its team, at its midterm review
    # with the reviewer on the panel; HQ's finance verifier and HQ's leader see every project of their subtree.
    "projects-mine": read(MEMBERS),
    "projects-new": form(WRITERS),
    "projects-detail": read(MEMBERS),
    "projects-edit": form(MANAGERS, note="the applicant (the unit's manager) or LO"),
    "projects-indicators": form(MANAGERS),
    "projects-team": form(MANAGERS),
    "projects-plan": form(MANAGERS),
    "projects-closing": form(MANAGERS),
    # The door is open to whoever sees the project; the workflow decides each action by role and state
    # (tests/projects/test_workflow.py has that table).
    "projects-transition": action(MEMBERS),
    "projects-note": action({LO, UM, EM}, body=lambda fx: {"text": "完成点检"}, note="team, applicant, LO"),
    "projects-attachment-upload": action({LO, UM, EM}, body=_pdf),
    "projects-attachment": read(MEMBERS),
    "projects-package-pdf": read(MEMBERS),
    "projects-package-zip": read(MEMBERS),
    "projects-filings": read(LEAN_OFFICE),
    "projects-signoff": page(get={LO, UM, FI}, post=FINANCE, body=lambda fx: {"form": "return", "reason": "口径"}),
    "projects-finance": read(FINANCE),
    "projects-board": read(FIGURES),
    "projects-table": read(FIGURES),
    "projects-reviews": read(REVIEWS),
    # A project's own people never sit on its panel: its review is the panel's and the lean office's.
    "projects-review": form({LO, RV}),
    "projects-criteria": form(LEAN_OFFICE),
    "projects-cases": read(MEMBERS),
    "projects-guides": page(get=MEMBERS, post=LEAN_OFFICE),
    "projects-guide": form(LEAN_OFFICE, note="the fixture's guide is not published: only LO sees it"),
    "projects-direction-new": form(LEAN_OFFICE),
    "projects-direction-edit": form(LEAN_OFFICE),
    "projects-from-shortfall": action(LEAN_OFFICE),
    "api-guide-list": api(get=MEMBERS),
    "api-guide-detail": api(get=LEAN_OFFICE),
    "api-project-list": api(get=MEMBERS, post=WRITERS),
    "api-project-detail": api(get=MEMBERS, patch=MANAGERS, body=lambda fx: {"planned_end": "2025-12-31"}),
    "api-project-transition": api(post=MEMBERS),
    "api-project-signoffs": api(
        get=MEMBERS,
        post=FINANCE,
        body=lambda fx: {"amount": "1.00", "basis": "财务口径", "evidence": fx["attachment_id"]},
    ),
    "api-project-signoff-return": api(post=FINANCE, body=lambda fx: {"reason": "口径待核实"}),
    "api-finance-queue": api(get=FINANCE),
    "api-review-list": api(get=REVIEWS),
    "api-review-detail": api(get={LO, RV}),
    "api-case-list": api(get=MEMBERS),
    # ------------------------------------------------------------------ innovation
    "innovation-archive": read(MEMBERS),
    "innovation-member": read(SELF_OR_MANAGER),
    "innovation-units": read(MANAGERS),
    "innovation-unit": read(MANAGERS),
    "innovation-contributions": read(MEMBERS),
    "innovation-contribution-new": form(WRITERS),
    # The fixture's first contribution (the employee's OPL) is on the open listing, which every member sees.
    "innovation-contribution": read(MEMBERS),
    "innovation-contribution-verify": action(MANAGERS),
    "innovation-contribution-reject": action(MANAGERS),
    "innovation-contribution-rescore": action(LEAN_OFFICE),
    "innovation-objection-new": action(WRITERS, body=lambda fx: {"text": "积分有误"}),
    "innovation-suggestions": read(MEMBERS),
    "innovation-suggestion-new": form(WRITERS),
    "innovation-suggestion": read(SELF_OR_MANAGER),
    "innovation-suggestion-act": action(MANAGERS),
    "innovation-rules": read(MEMBERS),
    "innovation-rules-new": form(LEAN_OFFICE),
    "innovation-rules-preview": action(LEAN_OFFICE),
    "innovation-rule-version": read(MEMBERS),
    "innovation-type-new": form(MANAGERS),
    "innovation-tuning": form(MANAGERS),
    "innovation-listings": read(MEMBERS),
    "innovation-listing-new": form(LEAN_OFFICE),
    "innovation-settings": form(LEAN_OFFICE),
    "innovation-listing": read(MEMBERS),
    "innovation-listing-finalize": action(LEAN_OFFICE),
    "innovation-board-create": action(LEAN_OFFICE),
    "innovation-board-revoke": action(LEAN_OFFICE),
    "innovation-objection-resolve": action(LEAN_OFFICE),
    "innovation-incentives": read(MANAGERS),
    "innovation-incentive-new": form(MANAGERS),
    "innovation-studio-new": form(MANAGERS),
    "api-innovation-type-list": api(get=MEMBERS),
    "api-innovation-rule-list": api(get=MEMBERS),
    "api-innovation-rule-detail": api(get=MEMBERS),
    "api-innovation-contribution-list": api(
        get=MEMBERS,
        post=WRITERS,
        body=lambda fx: {"type": "opl", "title": "点检一点课", "occurred_on": "2025-03-01"},
    ),
    # The API is stricter than the page: a contribution not one's own or one's units' is "not found".
    "api-innovation-contribution-detail": api(get=SELF_OR_MANAGER),
    "api-innovation-contribution-verify": api(post=MANAGERS),
    "api-innovation-contribution-reject": api(post=MANAGERS),
    "api-innovation-suggestion-list": api(
        get=MEMBERS, post=WRITERS, body=lambda fx: {"title": "加装清扫器", "problem": "撒煤", "proposal": "加装"}
    ),
    "api-innovation-suggestion-detail": api(get=SELF_OR_MANAGER),
    "api-innovation-employee-archive": api(get=SELF_OR_MANAGER),
    "api-innovation-unit-archive": api(get=MANAGERS),
    "api-innovation-listing-list": api(get=MEMBERS),
    "api-innovation-listing-detail": api(get=MEMBERS),
    # ------------------------------------------------------------------ the HR system's API (the lean office's key)
    "api-hr-sync": api(post=LEAN_OFFICE),
    "api-hr-points": api(get=LEAN_OFFICE),
    "api-hr-unit-points": api(get=LEAN_OFFICE),
    "api-hr-employee": api(get=LEAN_OFFICE),
    "api-hr-assessments": api(get=LEAN_OFFICE),
    "api-schema": api(get=MEMBERS),
    "api-docs": api(get=MEMBERS),
}
