"""Signals other apps listen to, so targets never imports them (benchmarking recomputes its comparisons)."""

from django.dispatch import Signal

# Sent inside the saving transaction with keys=[(indicator id, unit id, period start), …].
readings_changed = Signal()
