"""What the operator has selected: one job (and optionally one of its instances)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Selection:
    """A job the operator pointed at; `instance_id=-1` means "the current instance" (as the API does)."""

    project: str
    job_name: str
    job_type: str
    folder_path: str = "/"
    instance_id: int = -1

    @property
    def key(self) -> tuple[str, str]:
        """Identity of the job across refreshes: (project, job name)."""
        return (self.project, self.job_name)

    @property
    def is_stream(self) -> bool:
        return self.job_type.upper() != "FLINK_BATCH"
