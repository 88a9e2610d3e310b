"""What quitting now would cut short: an action still following its jobs, an unsaved edit on a screen."""

from __future__ import annotations

from typing import Any


def quit_blockers(app: Any) -> list[str]:
    """Plain sentences, one per thing that quitting would lose or leave half done (none: quit at once)."""
    reasons: list[str] = []
    run = getattr(app, "_ops_last_run", None)
    if run is not None and not run.finished:
        pending = sum(1 for target in run.targets.values() if not target.finished)
        reasons.append(f"{run.title} is still being followed ({pending} job(s) not at their target state yet); "
                       "the service goes on, but you will not see how it ends")
    for screen in app.screen_stack:
        edit = getattr(screen, "edit", None)
        if edit is not None and getattr(edit, "dirty", False) and not getattr(screen, "read_only", False):
            key = edit.key
            reasons.append(f"unsaved changes to {key.project}/{key.job} (the draft is kept locally and "
                           "offered again on the next edit)")
    return reasons
