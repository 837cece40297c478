"""Shortfall reports (being split into sub-modules)."""

from .content import *  # noqa: F403
