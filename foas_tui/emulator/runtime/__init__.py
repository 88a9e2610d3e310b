"""Runtime payloads of emulated instances (checkpoints, exceptions, metrics, DAG, plans, validation).
Pure: no clock reads, no I/O; times are epoch ms, delays ms, vCores hundredths of a core, memory MB.
One module per domain; this package re-exports the names the handlers and the store use."""

from __future__ import annotations

from foas_tui.emulator.runtime.autoscale import autoscale_plan_content, autoscale_plan_list, latest_autoscale_plan
from foas_tui.emulator.runtime.base import (
    ALL_EXCEPTIONS_CAP,
    CHECKPOINT_HISTORY,
    CST,
    DEFAULT_CHECKPOINT_INTERVAL_MS,
    DEFAULT_CHECKPOINT_TIMEOUT_MS,
    HISTORY_CAP,
    RESTART_WINDOW_MS,
    InstanceView,
    checkpoint_interval_ms,
    cst,
    jid,
    parse_properties,
)
from foas_tui.emulator.runtime.checkpoints import checkpoints
from foas_tui.emulator.runtime.detail import config, detail, final_state, job_state, resource
from foas_tui.emulator.runtime.exceptions import exceptions, exceptions_of_size, failure_state
from foas_tui.emulator.runtime.metric_query import metrics
from foas_tui.emulator.runtime.metrics import MAX_POINTS, input_delay, metric_kind
from foas_tui.emulator.runtime.plan import plan_json, plan_resource, synth_code
from foas_tui.emulator.runtime.validation import validate
from foas_tui.emulator.runtime.views import default_parallelism, instance_view_for

__all__ = [
    "ALL_EXCEPTIONS_CAP", "CHECKPOINT_HISTORY", "CST", "DEFAULT_CHECKPOINT_INTERVAL_MS",
    "DEFAULT_CHECKPOINT_TIMEOUT_MS", "HISTORY_CAP", "InstanceView", "MAX_POINTS", "RESTART_WINDOW_MS",
    "autoscale_plan_content", "autoscale_plan_list", "checkpoint_interval_ms", "checkpoints", "config", "cst",
    "default_parallelism", "detail", "exceptions", "exceptions_of_size", "failure_state", "final_state",
    "input_delay", "instance_view_for", "jid", "job_state", "latest_autoscale_plan", "metric_kind", "metrics",
    "parse_properties", "plan_json", "plan_resource", "resource", "synth_code", "validate",
]
