"""Models of innovation: added by its own issue."""
