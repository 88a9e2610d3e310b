"""App-facing use cases with no widgets: session, call log, selection, refresh scheduling, tree state."""
