"""The emulator's in-memory state (projects, folders, jobs, instances, packages, queues, clusters, tags).

Instance states are derived lazily from the clock and a few regimes per instance, so a fake clock works.
The Store is assembled from one mixin per domain; records and constants live in `records`."""

from __future__ import annotations

from foas_tui.emulator.store.base import PlanSession, StoreBase, Tag
from foas_tui.emulator.store.demo_loader import DemoLoaderMixin
from foas_tui.emulator.store.jobs import JobsMixin
from foas_tui.emulator.store.records import (
    ACCOUNT_ID,
    API_TYPES,
    BATCH,
    BATCH_ARCHIVE_MS,
    BETA_ENGINE,
    CURRENT_ENGINE,
    ENGINE_VERSIONS,
    FAILED,
    JOB_TYPES,
    MODEL_RE,
    PACKAGE_TYPES,
    PAUSED,
    RUN,
    RUNNING,
    SCENARIOS,
    STREAM,
    SUCCESS,
    TERMINATED,
    UNKNOWN,
    WAITING,
    ApiError,
    Cluster,
    Folder,
    Instance,
    Job,
    Package,
    Phase,
    Project,
    Queue,
    bad_request,
    conflict,
    engine_tuple,
    instance_mem_mb,
    instance_vcore,
    model_cores,
    model_mem_gb,
    normalize_folder_path,
    not_found,
    parent_path,
    pretty_json,
    resolve_engine,
    scenario_hint,
)
from foas_tui.emulator.store.resources import ResourcesMixin


class Store(DemoLoaderMixin, ResourcesMixin, JobsMixin):
    """All state of one emulated foas service. Every method takes the current time from the clock."""


__all__ = [
    "ACCOUNT_ID", "API_TYPES", "ApiError", "BATCH", "BATCH_ARCHIVE_MS", "BETA_ENGINE", "CURRENT_ENGINE",
    "Cluster", "ENGINE_VERSIONS", "FAILED", "Folder", "Instance", "JOB_TYPES", "Job", "MODEL_RE",
    "PACKAGE_TYPES", "PAUSED", "Package", "Phase", "PlanSession", "Project", "Queue", "RUN", "RUNNING",
    "SCENARIOS", "STREAM", "SUCCESS", "Store", "StoreBase", "TERMINATED", "Tag", "UNKNOWN", "WAITING",
    "bad_request", "conflict", "engine_tuple", "instance_mem_mb", "instance_vcore", "model_cores",
    "model_mem_gb", "normalize_folder_path", "not_found", "parent_path", "pretty_json", "resolve_engine",
    "scenario_hint",
]
