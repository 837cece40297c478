"""Who may do what in the target tree. The lean office builds the tree; a unit manager enters readings for
their unit (and the units below it) and analyses its shortfalls; every member reads."""

import rules

from lean.models import Role
from lean.permissions import is_lean_office, is_member, manages_unit_of, permissions


@rules.predicate
def manages_it_or_some_unit(member, obj=None):
    """With an object: manages its unit. Without: is a unit manager at all (may open the entry pages)."""
    if obj is None:
        return member is not None and member.active and Role.UNIT_MANAGER in member.roles
    return manages_unit_of(member, obj)


permissions.add_rule("targets.view", is_member)
permissions.add_rule("targets.manage", is_lean_office)
# obj: the unit the readings are for (or nothing: "may enter readings for some unit").
permissions.add_rule("readings.enter", is_lean_office | manages_it_or_some_unit)
# obj: the shortfall (or nothing).
permissions.add_rule("shortfalls.analyse", is_lean_office | manages_it_or_some_unit)
permissions.add_rule("shortfalls.assess", is_lean_office)
# The HR system reads the annual performance assessment through the lean office's API key.
permissions.add_rule("hr.assessments", is_lean_office)
