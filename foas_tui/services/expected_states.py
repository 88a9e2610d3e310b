"""Answers that describe an expected state, not a failure: "the instance is not running".

GetInstanceCheckpoint, GetInstanceMetric, GetInstanceDetail ... answer an error for a job that is not
running (the seed says so, without a code). Opening a stopped job's checkpoints is a normal thing to do,
so the screens tell it as neutral information, with what to do, instead of a red precondition error.
"""

from __future__ import annotations

import re

from foas_tui.api.errors import BadRequestError, ConflictError, NotFoundError

_NOT_RUNNING = re.compile(r"not[\s_-]*running|notrunning", re.IGNORECASE)
_ACTUAL = re.compile(r"actual state (\w+)", re.IGNORECASE)


def not_running_state(err: BaseException, actual_state: str | None = None) -> str | None:
    """The job's state when `err` only says its instance is not running; None for a real failure.

    `actual_state` is what the live refresh last saw (None when unknown). An auth, throttling, server or
    connection error is never "expected", whatever the job's state.
    """
    if not isinstance(err, ConflictError | BadRequestError | NotFoundError):
        return None
    state = (actual_state or "").upper()
    if _NOT_RUNNING.search(f"{err.code} {err.message}"):
        match = _ACTUAL.search(err.message or "")
        return state or (match[1].upper() if match else "not running")
    if state and state != "RUNNING" and isinstance(err, ConflictError):
        return state  # the service refused a precondition, and the job is indeed not running
    return None
