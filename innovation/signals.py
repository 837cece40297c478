"""Signals of innovation/: `listing_finalized` (sent after commit, with listing=<Listing>) is where HR delivery
and other follow-up work hook in."""

from django.dispatch import Signal

listing_finalized = Signal()
