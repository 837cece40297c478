"""Reads of innovation/ (being split into sub-modules)."""

from .archive import *  # noqa: F403
