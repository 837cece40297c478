"""Who may open the dashboard: the lean office (the whole tenant) and unit managers (their own subtree)."""

from lean.permissions import is_lean_office, is_unit_manager, permissions

permissions.add_rule("dashboard.view", is_lean_office | is_unit_manager)
