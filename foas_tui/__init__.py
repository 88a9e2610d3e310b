"""foas-tui: a terminal UI for Alibaba Cloud Realtime Compute (foas, OpenAPI 2018-11-11)."""

__version__ = "0.1.0"
