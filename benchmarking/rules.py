"""Who may do what in benchmarking. The lean office chooses indicators, keeps the outside peers and their
values, and decides proposals; a unit manager proposes their unit's indicators and records practices learned;
every member reads the board and the comparisons."""

from lean.permissions import is_lean_office, is_member, permissions
from targets.rules import manages_it_or_some_unit

permissions.add_rule("benchmarking.view", is_member)
permissions.add_rule("benchmarking.manage", is_lean_office)
# obj: the unit proposing (or nothing: may propose for some unit).
permissions.add_rule("benchmarking.propose", manages_it_or_some_unit)
# obj: the learning unit (or nothing).
permissions.add_rule("benchmarking.practice", is_lean_office | manages_it_or_some_unit)
