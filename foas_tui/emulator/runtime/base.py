"""Shared ground of the runtime generators: the instance view, deterministic noise, job properties."""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from functools import lru_cache

CST = timezone(timedelta(hours=8))
_M64 = (1 << 64) - 1
DEFAULT_CHECKPOINT_INTERVAL_MS = 180_000
DEFAULT_CHECKPOINT_TIMEOUT_MS = 600_000
ALL_EXCEPTIONS_CAP = 32  # entries kept in "all-exceptions" (older ones -> truncated=true)
HISTORY_CAP = 16  # Flink's web.exception-history-size default
CHECKPOINT_HISTORY = 10  # Flink's web.checkpoints.history default
RESTART_WINDOW_MS = 15_000  # after a failover the job reports RESTARTING this long


@dataclass
class InstanceView:
    """What the generators need to know about one instance. The trailing optional fields refine the output:
    code (SQL or DataStream config) shapes the DAG and task names, properties gives the checkpoint interval."""

    project: str
    job_name: str
    instance_id: int
    job_type: str
    scenario: str
    expect_state: str
    actual_state: str
    start_ms: int
    end_ms: int | None
    now_ms: int
    failovers: int
    last_error_ms: int | None
    last_error_message: str | None
    seed: int
    parallelism: int = 4
    code: str = ""
    properties: str = ""
    queue_name: str = ""
    cluster_id: str = ""
    # Trigger times of the checkpoints ModifyInstanceState took on pause/stop (triggerCheckpoint=true); None when
    # the instance's stops are not known (demo instances), which keeps the generated savepoint behaviour.
    triggered: tuple[int, ...] | None = None
    # AutoScale as committed (CommitJob isOnOff) and its fetch_delay goal in seconds; None: not known (demo data)
    autoscale_on: bool | None = None
    fetch_delay_s: float = 60.0


# --------------------------------------------------------------------------------------------------------------
# Deterministic noise


def _mix(x: int) -> int:
    """splitmix64 finalizer."""
    x = (x + 0x9E3779B97F4A7C15) & _M64
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _M64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _M64
    return x ^ (x >> 31)


def _key(*parts: object) -> int:
    return _mix(zlib.crc32("|".join(map(str, parts)).encode()) | (len(parts) << 40))


_MULS = (0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0xD6E8FEB86659FD93)


def _u(base: int, *ints: int) -> float:
    """A uniform [0, 1) value determined by base and (up to four) ints."""
    x = base
    for mul, i in zip(_MULS, ints, strict=False):
        x ^= (i * mul) & _M64
    return (_mix(x) >> 11) / 9007199254740992.0


@lru_cache(maxsize=4096)
def _ckey(*parts: object) -> int:
    return _key(*parts)


def _job_key(v: InstanceView) -> int:
    return _ckey(v.seed, v.project, v.job_name)


def _inst_key(v: InstanceView) -> int:
    return _ckey(v.seed, v.project, v.job_name, v.instance_id)


def _hex(base: int, n: int) -> str:
    out, x = "", base
    while len(out) < n:
        x = _mix(x)
        out += f"{x:016x}"
    return out[:n]


def jid(v: InstanceView) -> str:
    """The Flink JobID (32 hex) of an instance."""
    return _hex(_inst_key(v) ^ 0x5A5A, 32)


def cst(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, CST).strftime("%Y-%m-%d %H:%M:%S")


# --------------------------------------------------------------------------------------------------------------
# Properties


@lru_cache(maxsize=1024)
def _parse_properties(text: str) -> tuple[tuple[str, str], ...]:
    out = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or line.startswith("--") or "=" not in line:
            continue
        k, _, val = line.partition("=")
        out.append((k.strip(), val.strip()))
    return tuple(out)


def parse_properties(text: str) -> dict[str, str]:
    """key=value lines of a job's properties (or DataStream code); '#' and '--' lines are comments."""
    return dict(_parse_properties(text or ""))


def _int_prop(v: InstanceView, key: str, default: int) -> int:
    for text in (v.properties, v.code if "blink.main.class" in v.code else ""):
        value = parse_properties(text).get(key)
        if value and value.isdigit():
            return int(value)
    return default


def checkpoint_interval_ms(v: InstanceView) -> int:
    return max(1000, _int_prop(v, "blink.checkpoint.interval.ms", DEFAULT_CHECKPOINT_INTERVAL_MS))


