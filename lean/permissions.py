"""The one answer to "may this member do X (to this object)": rules predicates over a Membership.

Views and API operations refuse with `require(request, "perm", obj)` (a 403 with lean.errors.Forbidden), ask
`can(request.membership, "perm", obj)` to decide what to show, the API's base view checks `required_perm`,
templates ask `{% can "perm" obj as allowed %}`. Apps add their own rules to `permissions` in their rules.py.
"""

import rules

from lean.access import is_within
from lean.errors import Forbidden

from .models import Role


@rules.predicate
def is_member(member, obj=None):
    return member is not None and member.active


def has_role(role):
    @rules.predicate(name=f"has_role:{role}")
    def predicate(member, obj=None):
        return member is not None and member.active and role in member.roles

    return predicate


is_lean_office = has_role(Role.LEAN_OFFICE)
is_unit_manager = has_role(Role.UNIT_MANAGER)
is_reviewer = has_role(Role.REVIEWER)
is_employee = has_role(Role.EMPLOYEE)
is_finance = has_role(Role.FINANCE)
is_leader = has_role(Role.LEADER)


@rules.predicate
def manages_unit_of(member, obj):
    """A unit manager manages their own unit and everything below it in the organisation tree."""
    if member is None or obj is None or Role.UNIT_MANAGER not in member.roles:
        return False
    unit = getattr(obj, "unit", obj)
    return is_within(unit, member.unit)


# Every role but the leader's may change something; a member holding only the leader role reads and never writes.
WRITING_ROLES = frozenset({Role.LEAN_OFFICE, Role.UNIT_MANAGER, Role.REVIEWER, Role.EMPLOYEE, Role.FINANCE})


@rules.predicate
def only_reads(member, obj=None):
    """A leader (分管领导) with no other role: sees the dashboards, the query and the portfolio, changes nothing."""
    return member is not None and Role.LEADER in member.roles and not WRITING_ROLES.intersection(member.roles)


@rules.predicate
def is_self(member, obj):
    return member is not None and obj is not None and getattr(obj, "pk", None) == member.pk


permissions = rules.RuleSet()
permissions.add_rule("tenant.view", is_member)
permissions.add_rule("units.view", is_member)
permissions.add_rule("units.manage", is_lean_office)
permissions.add_rule("members.list", is_lean_office | is_unit_manager)
permissions.add_rule("members.view", is_lean_office | manages_unit_of | is_self)
permissions.add_rule("members.edit", is_lean_office)
# Hand a member a link to set their password, or force a new one (lean/accounts.py).
permissions.add_rule("members.access", is_lean_office)
permissions.add_rule("tenant.settings", is_lean_office)
permissions.add_rule("history.view", is_lean_office)
permissions.add_rule("audit.view", is_lean_office)  # insights/audit/log/; leaders read results, not logs
permissions.add_rule("apikeys.manage", is_lean_office)
permissions.add_rule("webhooks.manage", is_lean_office)
permissions.add_rule("channels.manage", is_lean_office)
permissions.add_rule("hr.sync", is_lean_office)
permissions.add_rule("jobs.manage", is_lean_office)
# The tenant's single sign-on provider (lean/sso.py).
permissions.add_rule("sso.manage", is_lean_office)
permissions.add_rule("hr.points", is_lean_office)


def can(member, perm: str, obj=None) -> bool:
    return permissions.test_rule(perm, member, obj)


def require(actor, perm: str, obj=None, message=None) -> None:
    """Refuse (Forbidden: a 403 page, or 403 from the API) unless the member may `perm` (on `obj`). `actor` is the
    request (a page's or the API's) or the member; `message` says why, when there is more to say than the role."""
    member = actor.membership if hasattr(actor, "META") else actor  # a page's request, the API's, or the member
    if not can(member, perm, obj):
        raise Forbidden(message)
