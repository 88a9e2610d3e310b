"""One handler per foas operation: parameters in, the seed's response shape out (RequestId added by the app).
One module per API group; importing this package registers every handler."""

from __future__ import annotations

from foas_tui.emulator.handlers import clusters, instances, jobs, packages_queues, projects_tags  # noqa: F401
from foas_tui.emulator.handlers.core import HANDLERS, Call, dispatch
from foas_tui.emulator.spec_table import OPERATIONS

_missing_handlers = set(OPERATIONS) - set(HANDLERS)
if _missing_handlers:  # pragma: no cover - a guard for whoever regenerates operations.py
    raise RuntimeError(f"operations without an emulator handler: {sorted(_missing_handlers)}")

__all__ = ["HANDLERS", "Call", "dispatch"]
