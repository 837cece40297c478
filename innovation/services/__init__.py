"""Writes of innovation/, split by sub-domain. Import from the sub-modules."""
