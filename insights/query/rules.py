"""Who may use the dynamic query: the lean office over the tenant, a unit manager over their own units."""

import rules

from lean.permissions import is_leader, is_lean_office, is_unit_manager, permissions


@rules.predicate
def saved_it(member, saved_query):
    return member is not None and saved_query is not None and saved_query.created_by_id == member.pk


# A leader (read-only) may save a query too: a saved query is a bookmark of their own, not programme data.
permissions.add_rule("query.use", is_lean_office | is_unit_manager | is_leader)
permissions.add_rule("query.saved.delete", (is_lean_office | is_unit_manager | is_leader) & (is_lean_office | saved_it))
