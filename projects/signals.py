"""Signals other apps listen to. `project_closed` is the call point for innovation points: when a project is
closed and released, its team's contributions are handed to innovation/ (connected in that app)."""

from django.dispatch import Signal

# Sent after the closing transaction commits, with project=<Project>.
project_closed = Signal()
