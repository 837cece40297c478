"""Reads of innovation/: archives per person, unit and tenant, contribution queries, suggestion adoption rates
and listings. Every read is a fixed number of aggregate queries, whatever the number of contributions.

Split by sub-domain; every name is importable from here as well (`innovation.selectors.Period`):
- `_common.py`: the archive period, what counts as points, how far a viewer reaches;
- `archive.py`: the person's, unit's and tenant's archives;
- `query.py`: the online query of contributions;
- `suggestions.py`: the suggestions a viewer sees and their adoption rates;
- `listings.py`: the listings, their contributions and objections;
- `rules.py`: the points rules and the units' tunings;
- `incentives.py`: incentives and innovation studios;
- `hr.py`: the final points for HR.
"""

from ._common import COUNTED, ZERO, Period, in_period, reach
from .archive import member_archive, member_get_for_archive, member_rank, tenant_archive, unit_archive
from .hr import final_points, final_points_by_unit, final_points_of
from .incentives import incentive_list, managed_members, studio_list
from .listings import listing_list, listing_objections, listing_rows, listing_summary
from .query import (
    contribution_get,
    contribution_years,
    contributions,
    contributions_of_person,
    waiting_for_verification,
)
from .rules import managed_units, rule_versions, tuning_preview, tunings_in_force, unit_tunings
from .suggestions import adoption_rates, adoption_summary, suggestion_get, suggestions_for

__all__ = [
    "COUNTED",
    "ZERO",
    "Period",
    "reach",
    "in_period",
    "member_get_for_archive",
    "member_archive",
    "member_rank",
    "unit_archive",
    "tenant_archive",
    "contributions",
    "contribution_years",
    "contributions_of_person",
    "contribution_get",
    "waiting_for_verification",
    "adoption_rates",
    "suggestions_for",
    "suggestion_get",
    "adoption_summary",
    "listing_rows",
    "listing_list",
    "listing_summary",
    "listing_objections",
    "rule_versions",
    "tunings_in_force",
    "unit_tunings",
    "managed_units",
    "tuning_preview",
    "managed_members",
    "incentive_list",
    "studio_list",
    "final_points",
    "final_points_by_unit",
    "final_points_of",
]
