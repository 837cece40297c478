"""Models of targets: added by its own issue."""
