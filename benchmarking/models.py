"""Models of benchmarking: added by its own issue."""
