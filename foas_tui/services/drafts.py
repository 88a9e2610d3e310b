"""Local drafts of job code and properties: one file per (profile, project, job, kind), written atomically.

A draft survives a crash or a dropped SSH session and is offered back when the editor opens again.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from foas_tui.config import atomic_write, data_dir

if TYPE_CHECKING:
    from foas_tui.api.client import FoasClient

DRAFTS_DIR = "drafts"
SCRATCH_DIR = "editing"  # the files $EDITOR edits, next to the drafts
SCRATCH_SUFFIX = {"code": ".sql", "properties": ".properties"}  # so the editor picks its syntax mode
_SAFE = re.compile(r"[^A-Za-z0-9_.-]")


@dataclass(frozen=True, slots=True)
class DraftKey:
    profile: str
    project: str
    job: str
    kind: str = "code"  # "code" or "properties"

    def filename(self) -> str:
        # Readable and collision-free: sanitized name plus a short hash of the exact identity.
        ident = "\x00".join((self.profile, self.project, self.job, self.kind))
        digest = hashlib.sha256(ident.encode("utf-8")).hexdigest()[:10]
        readable = _SAFE.sub("_", f"{self.project}.{self.job}")[:80]
        return f"{readable}.{self.kind}.{digest}.json"


@dataclass(frozen=True, slots=True)
class Draft:
    """Unsaved text plus what it was based on, so a later save can detect remote changes."""

    profile: str
    project: str
    job: str
    kind: str
    text: str
    base_text: str
    base_modify_time: int | None
    saved_at: float

    @property
    def key(self) -> DraftKey:
        return DraftKey(self.profile, self.project, self.job, self.kind)

    @property
    def differs_from_base(self) -> bool:
        return self.text != self.base_text


class DraftStore:
    """Drafts under `<data dir>/drafts/<profile>/` ($FOAS_TUI_DATA_DIR honoured), mode 0600."""

    def __init__(self, root: Path | None = None, clock: Callable[[], float] = time.time) -> None:
        self.root = root if root is not None else data_dir() / DRAFTS_DIR
        self._clock = clock

    def path(self, key: DraftKey) -> Path:
        return self.root / _SAFE.sub("_", key.profile or "default") / key.filename()

    def save(self, key: DraftKey, text: str, base_text: str, base_modify_time: int | None = None) -> Draft:
        draft = Draft(key.profile, key.project, key.job, key.kind, text, base_text, base_modify_time,
                      self._clock())
        atomic_write(self.path(key), json.dumps(asdict(draft), ensure_ascii=False))
        return draft

    def load(self, key: DraftKey) -> Draft | None:
        """The saved draft, or None (also None for a file that is unreadable: it is kept for inspection)."""
        path = self.path(key)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return Draft(**data)
        except FileNotFoundError:
            return None
        except (OSError, ValueError, TypeError):
            return None

    def discard(self, key: DraftKey) -> None:
        self.path(key).unlink(missing_ok=True)

    def scratch_path(self, key: DraftKey) -> Path:
        """The file `$EDITOR` edits for this key (written before the editor starts, removed after)."""
        return self.root / SCRATCH_DIR / f"{key.filename().removesuffix('.json')}{SCRATCH_SUFFIX[key.kind]}"

    def adopt_scratch(self, key: DraftKey, remote_text: str, remote_modify_time: int | None) -> Draft | None:
        """Turn a file left behind by `$EDITOR` into the draft, and remove it.

        It is left when the app died while the editor was open (a dropped SSH session): whatever the editor
        wrote to it then becomes the draft, with the existing draft's base (or the remote text as base),
        and is offered back like any draft. Returns the draft, or None when there was no such file.
        """
        path = self.scratch_path(key)
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):  # none (the usual case), or unreadable: then left for inspection
            return None
        draft = self.load(key)
        current = draft.text if draft is not None else remote_text
        if text != current:
            base_text, base_time = ((draft.base_text, draft.base_modify_time) if draft is not None
                                    else (remote_text, remote_modify_time))
            draft = self.save(key, text, base_text, base_time)
        path.unlink(missing_ok=True)
        return draft

    def backup(self, key: DraftKey, text: str) -> Path:
        """Keep a copy of text the operator chose to throw away (e.g. "take theirs"): nothing is ever lost."""
        stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(self._clock()))
        path = self.path(key).with_suffix(f".discarded-{stamp}.txt")
        atomic_write(path, text)
        return path

    def __iter__(self) -> Iterator[Draft]:
        if not self.root.is_dir():
            return
        for path in sorted(self.root.glob("*/*.json")):
            try:
                yield Draft(**json.loads(path.read_text(encoding="utf-8")))
            except (OSError, ValueError, TypeError):
                continue


@dataclass(slots=True)
class EditSession:
    """One edit of a job's code or properties: the text it started from, the current text, its draft."""

    store: DraftStore
    key: DraftKey
    base_text: str
    base_modify_time: int | None
    text: str

    @classmethod
    def open(cls, store: DraftStore, key: DraftKey, remote_text: str, remote_modify_time: int | None,
             draft: Draft | None = None) -> EditSession:
        """From the remote copy, or from a recovered draft (then its own base is kept for conflict checks)."""
        if draft is not None:
            return cls(store, key, draft.base_text, draft.base_modify_time, draft.text)
        return cls(store, key, remote_text, remote_modify_time, remote_text)

    @property
    def dirty(self) -> bool:
        return self.text != self.base_text

    def record(self, text: str) -> None:
        """Every change goes to disk at once; an unchanged text leaves no draft behind."""
        self.text = text
        if self.dirty:
            self.store.save(self.key, text, self.base_text, self.base_modify_time)
        else:
            self.store.discard(self.key)

    def rebase(self, remote_text: str, remote_modify_time: int | None) -> None:
        """Accept the remote copy as the new base (after the operator saw the remote change)."""
        self.base_text, self.base_modify_time = remote_text, remote_modify_time
        self.record(self.text)

    def saved(self, modify_time: int | None = None) -> None:
        """The text is now the remote copy: the draft is no longer needed."""
        self.base_text, self.base_modify_time = self.text, modify_time
        self.store.discard(self.key)

    def take_remote(self, remote_text: str, remote_modify_time: int | None) -> Path | None:
        """Replace my text with the remote copy; mine is kept in a backup file."""
        backup = self.store.backup(self.key, self.text) if self.text != remote_text else None
        self.base_text, self.base_modify_time, self.text = remote_text, remote_modify_time, remote_text
        self.store.discard(self.key)
        return backup

    def throw_away(self) -> Path | None:
        """Go back to the base text; the discarded text is kept in a backup file."""
        backup = self.store.backup(self.key, self.text) if self.dirty else None
        self.text = self.base_text
        self.store.discard(self.key)
        return backup


# --- the remote side of an edit -----------------------------------------------------------------------

EDITABLE = ("code", "properties")


async def fetch_job_text(client: FoasClient, project: str, job_name: str, kind: str) -> tuple[str, int | None, Any]:
    """(text, modify time in epoch ms, the job model) of the job's code or properties (GetJob)."""
    if kind not in EDITABLE:
        raise ValueError(f"cannot edit {kind!r}")
    response = await client.get_job(project, job_name)
    job = response.job
    text = (getattr(job, kind, None) or "") if job is not None else ""
    return text, getattr(job, "modify_time", None), job


async def store_job_text(client: FoasClient, project: str, job_name: str, kind: str, text: str) -> Any:
    """UpdateJob with only the edited field (the API changes only the fields that are sent)."""
    if kind == "code":
        return await client.update_job(project, job_name, code=text)
    if kind == "properties":
        return await client.update_job(project, job_name, properties=text)
    raise ValueError(f"cannot edit {kind!r}")
