"""What the operator has selected: one job (and optionally one of its instances)."""

from __future__ import annotations

from dataclasses import dataclass


class JobIdentity:
    """For records with `project`, `job_name` and `job_type`: their identity and kind."""

    __slots__ = ()
    project: str
    job_name: str
    job_type: str

    @property
    def key(self) -> tuple[str, str]:
        """Identity of the job across refreshes: (project, job name)."""
        return (self.project, self.job_name)

    @property
    def is_stream(self) -> bool:
        return self.job_type.upper() != "FLINK_BATCH"


@dataclass(frozen=True, slots=True)
class Selection(JobIdentity):
    """A job the operator pointed at; `instance_id=-1` means "the current instance" (as the API does)."""

    project: str
    job_name: str
    job_type: str
    folder_path: str = "/"
    instance_id: int = -1
