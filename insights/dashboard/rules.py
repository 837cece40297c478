"""Who may open the dashboard: the lean office (the whole tenant), unit managers and leaders (分管领导, read-only)
(their own subtree)."""

from lean.permissions import is_leader, is_lean_office, is_unit_manager, permissions

permissions.add_rule("dashboard.view", is_lean_office | is_unit_manager | is_leader)
