"""Open enums (states, job/API/package/deploy types): unknown values become pseudo-members, never errors."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import Annotated, Any

from foas_tui.api.models.lenient import Lenient, _to_str

# ================================================================================================
# Open enums: known values are members, unknown ones become pseudo-members (never a validation error).
# ================================================================================================

_PSEUDO_MEMBER_LIMIT = 256  # unknown enum values remembered per enum


class OpenStrEnum(StrEnum):
    """A `StrEnum` that accepts any string.

    Known values match case-insensitively (`"running"` -> `RUNNING`; the API is inconsistent about
    case, e.g. deployType `cell`/`CELL`); any other string becomes a pseudo-member that compares,
    prints and serializes as exactly that string (`is_known` is False).
    """

    @classmethod
    def _missing_(cls, value: object) -> Any:
        if not isinstance(value, str):
            return None
        value = str.__str__(value)  # a plain str, also for another enum's member
        folded = value.casefold()
        for member in cls:
            if member.value.casefold() == folded:
                return member
        pseudo = str.__new__(cls, value)
        pseudo._name_ = value
        pseudo._value_ = value
        if len(cls._value2member_map_) < len(cls.__members__) + _PSEUDO_MEMBER_LIMIT:
            cls._value2member_map_.setdefault(value, pseudo)  # next lookup of this value is a dict hit
        return pseudo

    @property
    def is_known(self) -> bool:
        return type(self).__members__.get(self._name_) is self


def _enum_coercer(enum_cls: type[OpenStrEnum]) -> Callable[[Any], Any]:
    def coerce(value: Any) -> Any:
        text = _to_str(value) if isinstance(value, str | int | float) else None
        return None if text is None else enum_cls(text)

    return coerce


class InstanceState(OpenStrEnum):
    """Expected/actual state of a job instance. UNKNOWN: no current instance (seed's Java demo)."""

    UNKNOWN = "UNKNOWN"
    WAITING = "WAITING"
    RUNNING = "RUNNING"
    PAUSED = "PAUSED"
    TERMINATED = "TERMINATED"
    SUCCESS = "SUCCESS"
    FAILED = "FAILED"


class JobType(OpenStrEnum):
    FLINK_STREAM = "FLINK_STREAM"
    FLINK_BATCH = "FLINK_BATCH"


class ApiType(OpenStrEnum):
    SQL = "SQL"
    DATASTREAM = "DATASTREAM"


class PackageType(OpenStrEnum):
    JAR = "JAR"
    DICTIONARY = "DICTIONARY"  # an ordinary file
    SCRIPT = "SCRIPT"
    PYTHON = "PYTHON"  # a Python file or ZIP package


class PackageScanState(OpenStrEnum):
    SKIP_SCAN = "SKIP_SCAN"
    NOT_START = "NOT_START"
    EXECUTING = "EXECUTING"
    PASS = "PASS"
    FAIL = "FAIL"
    EXCEPTION = "EXCEPTION"


class ClusterState(OpenStrEnum):
    """RUNNING is the normal state (in the examples, missing from the seed's enum table)."""

    STARTING = "STARTING"
    RUNNING = "RUNNING"
    EXPANDING = "EXPANDING"
    UPGRADING = "UPGRADING"
    REDUCING = "REDUCING"
    MAINTAINING = "MAINTAINING"
    DESTROYING = "DESTROYING"
    DESTROYED = "DESTROYED"


class ProjectState(OpenStrEnum):
    """Only ENABLE is documented."""

    ENABLE = "ENABLE"


class DeployType(OpenStrEnum):
    CELL = "CELL"  # exclusive cluster
    PUBLIC = "PUBLIC"  # shared cluster


class PlanJsonStatus(OpenStrEnum):
    """CheckRawPlanJson `PlanJsonInfo.Status`."""

    RUNNING = "Session in run"
    SUCCESS = "success"
    FAIL = "fail"


class FlinkState(OpenStrEnum):
    """Flink job status and execution (vertex) state, as in GetInstanceDetail."""

    INITIALIZING = "INITIALIZING"
    CREATED = "CREATED"
    SCHEDULED = "SCHEDULED"
    DEPLOYING = "DEPLOYING"
    RUNNING = "RUNNING"
    FAILING = "FAILING"
    FAILED = "FAILED"
    CANCELLING = "CANCELLING"
    CANCELING = "CANCELING"
    CANCELED = "CANCELED"
    FINISHED = "FINISHED"
    RESTARTING = "RESTARTING"
    SUSPENDING = "SUSPENDING"
    SUSPENDED = "SUSPENDED"
    RECONCILING = "RECONCILING"


class CheckpointStatus(OpenStrEnum):
    IN_PROGRESS = "IN_PROGRESS"
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"


InstanceStateValue = Annotated[InstanceState | None, Lenient(_enum_coercer(InstanceState))]
JobTypeValue = Annotated[JobType | None, Lenient(_enum_coercer(JobType))]
ApiTypeValue = Annotated[ApiType | None, Lenient(_enum_coercer(ApiType))]
PackageTypeValue = Annotated[PackageType | None, Lenient(_enum_coercer(PackageType))]
PackageScanStateValue = Annotated[PackageScanState | None, Lenient(_enum_coercer(PackageScanState))]
ClusterStateValue = Annotated[ClusterState | None, Lenient(_enum_coercer(ClusterState))]
ProjectStateValue = Annotated[ProjectState | None, Lenient(_enum_coercer(ProjectState))]
DeployTypeValue = Annotated[DeployType | None, Lenient(_enum_coercer(DeployType))]
PlanJsonStatusValue = Annotated[PlanJsonStatus | None, Lenient(_enum_coercer(PlanJsonStatus))]
FlinkStateValue = Annotated[FlinkState | None, Lenient(_enum_coercer(FlinkState))]
CheckpointStatusValue = Annotated[CheckpointStatus | None, Lenient(_enum_coercer(CheckpointStatus))]
