"""Widgets: one family per file (project tree, job pane, instance table, header, status bar, palette)."""
