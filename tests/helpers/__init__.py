"""Shared test helpers (importable as `helpers` from any test)."""

CANARY_SECRET = "CANARY-9c1e7b-never-on-disk-or-in-logs"
"""A fake AccessKey secret; tests assert it never shows up in files, reprs, logs or errors."""
