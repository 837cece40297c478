"""The tables of projects/ (being split into sub-modules)."""

from .project import *  # noqa: F403
from .project import attachment_path  # noqa: F401
