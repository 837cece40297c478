"""Who may open what in projects. The fine-grained lifecycle rights (applicant, approver, chair) are in
projects/workflow.py; these are the page-level permissions."""

import rules

from lean.models import Role
from lean.permissions import is_finance, is_leader, is_lean_office, is_member, is_reviewer, only_reads, permissions


@rules.predicate
def is_unit_manager_any(member, obj=None):
    return member is not None and member.active and Role.UNIT_MANAGER in member.roles


permissions.add_rule("projects.view", is_member)
permissions.add_rule("projects.file", is_member & ~only_reads)  # any member may draft a proposal for their own unit
permissions.add_rule("projects.portfolio", is_lean_office | is_unit_manager_any | is_leader)
permissions.add_rule("projects.guide.manage", is_lean_office)
permissions.add_rule("projects.criteria.manage", is_lean_office)
permissions.add_rule("projects.finance", is_finance)  # 财务核验: the sign-off queue
permissions.add_rule("projects.filings", is_lean_office)  # 备案: the inbox of filed unit-tier projects
permissions.add_rule("projects.reviews", is_reviewer | is_lean_office | is_unit_manager_any)
