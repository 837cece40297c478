"""Lean projects (精益课题): the yearly improvement guide, projects in two tiers with their lifecycle, teams,
indicators, PDCA, benefits, progress notes, attachments, and the midterm and closing reviews.

The lifecycle itself (which action moves which state, for whom) is in projects/workflow.py; every change of
state goes through projects.services.project_transition and leaves a Transition row.

Split by sub-domain; every model is imported here (Django's app registry finds the app's models through this
package) and importable from here (`from projects.models import Project`): `guides.py` (the yearly guide and its
directions), `project.py` (the project, its tier and state, the units, indicators and shortfalls it attacks, its
team), `activity.py` (lifecycle steps, progress notes, attachments), `reviews.py` (criteria, reviews, panels and
scores), `signoffs.py` (finance's sign-off of the benefits).
"""

from .activity import Attachment, ProgressNote, Transition, attachment_path
from .guides import Direction, DirectionSource, Guide
from .project import Project, ProjectIndicator, ProjectShortfall, ProjectUnit, State, TeamMember, Tier
from .reviews import Complexity, Criterion, Review, ReviewAssignment, Score
from .signoffs import BenefitSignoff

__all__ = [
    "Guide",
    "Direction",
    "DirectionSource",
    "Tier",
    "State",
    "Project",
    "ProjectUnit",
    "ProjectIndicator",
    "ProjectShortfall",
    "TeamMember",
    "Transition",
    "ProgressNote",
    "attachment_path",
    "Attachment",
    "Criterion",
    "Complexity",
    "Review",
    "ReviewAssignment",
    "Score",
    "BenefitSignoff",
]
