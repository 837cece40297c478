"""The audit log (being split into sub-modules)."""

from .page import *  # noqa: F403
