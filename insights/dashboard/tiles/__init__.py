"""The dashboard's tiles (being split into sub-modules)."""

from .targets import *  # noqa: F403
