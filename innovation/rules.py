"""Who may do what in innovation/."""

import rules

from lean.models import Role
from lean.permissions import is_lean_office, is_member, is_self, manages_unit_of, only_reads, permissions


@rules.predicate
def is_unit_manager_any(member, obj=None):
    return member is not None and member.active and Role.UNIT_MANAGER in member.roles


@rules.predicate
def manages_unit(member, unit):
    """`unit` is a Unit, or anything with a `.unit` (a suggestion, a contribution, a membership)."""
    return manages_unit_of(member, unit)


permissions.add_rule("innovation.view", is_member)
# Record a contribution, submit a suggestion, object to a listing: every member but a leader, who only reads.
permissions.add_rule("innovation.participate", is_member & ~only_reads)
permissions.add_rule("innovation.rules.manage", is_lean_office)
permissions.add_rule("innovation.tuning.manage", is_lean_office | manages_unit)
permissions.add_rule("innovation.tuning.any", is_lean_office | is_unit_manager_any)
permissions.add_rule("innovation.contribution.verify", is_lean_office | manages_unit)
permissions.add_rule("innovation.contribution.record_team", is_lean_office | is_unit_manager_any)
permissions.add_rule("innovation.archive.view", is_lean_office | manages_unit | is_self)
permissions.add_rule("innovation.unit.view", is_lean_office | manages_unit)
permissions.add_rule("innovation.units", is_lean_office | is_unit_manager_any)
permissions.add_rule("innovation.tenant.view", is_lean_office)
permissions.add_rule("innovation.listing.manage", is_lean_office)
permissions.add_rule("innovation.suggestion.evaluate", is_lean_office | manages_unit)
permissions.add_rule("innovation.incentive.manage", is_lean_office | manages_unit)
permissions.add_rule("innovation.incentives", is_lean_office | is_unit_manager_any)
