"""Models of projects: added by its own issue."""
