"""App settings (`config.toml`) and the shared file helpers: where foas-tui keeps files, atomic writes.

No secrets live here; credentials are in `foas_tui.credentials`.
"""

from __future__ import annotations

import math
import os
import re
import tempfile
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

import platformdirs

APP_NAME = "foas-tui"
CONFIG_DIR_ENV = "FOAS_TUI_CONFIG_DIR"
DATA_DIR_ENV = "FOAS_TUI_DATA_DIR"
CONFIG_FILE = "config.toml"


class ConfigError(Exception):
    """A settings or profiles file that cannot be used; `str()` names the file and the line or field."""

    def __init__(self, detail: str, path: Path | str | None = None, field_name: str | None = None,
                 line: int | None = None):
        self.detail = detail
        self.path = Path(path) if path is not None else None
        self.field_name = field_name
        self.line = line
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f"{self.path}" if self.path is not None else ""
        if self.line is not None:
            where = f"{where} line {self.line}" if where else f"line {self.line}"
        where = f"{where}: " if where else ""
        what = f"{self.field_name}: " if self.field_name else ""
        return f"{where}{what}{self.detail}"


def key_line(text: str, dotted: str) -> int | None:
    """The 1-based line where `section.key` (or a top-level `key`) is set in TOML `text`, or None.

    tomllib reports no positions for values it parsed, so this scans the text: the key's line inside its
    `[section]` (or before any section for a top-level key), the key bare or quoted. Good enough to point a
    person at the line; it does not handle dotted keys or inline tables.
    """
    section, _, key = dotted.partition(".") if "." in dotted else ("", "", dotted)
    current = ""
    pattern = re.compile(rf"""^\s*(?:{re.escape(key)}|"{re.escape(key)}"|'{re.escape(key)}')\s*=""")
    header = re.compile(r"^\s*\[\s*([^\[\]]+?)\s*\]")
    for number, line in enumerate(text.splitlines(), start=1):
        match = header.match(line)
        if match:
            current = match.group(1).strip().strip('"\'')
            if not section and current == key:  # a whole table that is wrong: point at its header
                return number
            continue
        if current == section and pattern.match(line):
            return number
    return None


# --- locations ------------------------------------------------------------------------------------


def config_dir(env: Mapping[str, str] | None = None) -> Path:
    """`~/.config/foas-tui` (platform equivalent), or `$FOAS_TUI_CONFIG_DIR`."""
    env = os.environ if env is None else env
    override = env.get(CONFIG_DIR_ENV)
    if override:
        return Path(override).expanduser()
    return platformdirs.user_config_path(APP_NAME, appauthor=False)


def data_dir(env: Mapping[str, str] | None = None) -> Path:
    """`~/.local/share/foas-tui` (platform equivalent), or `$FOAS_TUI_DATA_DIR`."""
    env = os.environ if env is None else env
    override = env.get(DATA_DIR_ENV)
    if override:
        return Path(override).expanduser()
    return platformdirs.user_data_path(APP_NAME, appauthor=False)


def config_path(env: Mapping[str, str] | None = None) -> Path:
    return config_dir(env) / CONFIG_FILE


def ensure_private_dir(directory: Path) -> Path:
    """Create `directory` (and parents) if needed; a directory we create is made 0700."""
    if not directory.is_dir():
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(directory, 0o700)  # mkdir's mode is filtered by the umask
    return directory


def atomic_write(path: Path, text: str, mode: int = 0o600) -> None:
    """Write `text` to `path` through a temporary file and `os.replace`, so readers never see half a file."""
    ensure_private_dir(path.parent)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp_name, mode)
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise


def read_toml(path: Path) -> dict[str, Any] | None:
    """Parse a TOML file; None when it does not exist; `ConfigError` (with the line) when malformed."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as err:
        raise ConfigError(f"cannot read: {err.strerror or err}", path) from None
    import tomllib  # only when there is a file: its import compiles a dozen regexes (~3 ms of every start)

    try:
        return tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError("not UTF-8 text", path) from None
    except tomllib.TOMLDecodeError as err:
        # The message carries "(at line N, column M)" and never echoes the file's content.
        raise ConfigError(f"invalid TOML: {err}", path) from None


# --- settings -------------------------------------------------------------------------------------


@dataclass
class TriageConfig:
    """Thresholds the triage view uses to flag a job as needing attention."""

    delay_seconds: float = 180.0
    checkpoint_stale_seconds: float = 300.0
    restart_window_seconds: float = 1800.0
    restart_count: int = 3
    bell_on_critical: bool = False  # ring the terminal bell (and notify) when a job newly enters critical


@dataclass
class ClientConfig:
    """HTTP client behaviour."""

    timeout: float = 10.0
    retries: int = 2
    max_concurrency: int = 16
    # BatchGetInstanceRunSummary calls in flight per live refresh (halved on Throttling): 1,000 jobs take 10
    # calls (<= 300 names each), all in one wave; 4 of max_concurrency stay free for what the operator opens.
    refresh_concurrency: int = 12
    max_response_bytes: int = 32 * 1024 * 1024  # api.client.DEFAULT_MAX_RESPONSE_BYTES (the why is there)


@dataclass
class AppConfig:
    """Everything in `config.toml`; a missing file or key means the default."""

    refresh_interval: float = 5.0
    theme: str = "textual-dark"
    keymap: dict[str, str] = field(default_factory=dict)
    default_profile: str | None = None
    profile_colors: dict[str, str] = field(default_factory=dict)
    triage: TriageConfig = field(default_factory=TriageConfig)
    client: ClientConfig = field(default_factory=ClientConfig)


# Allowed range and unit of every numeric field, by dotted name. A value outside fails the whole file with
# a sentence naming the range: nan would spin the refresh loop, inf would remove every deadline.
_RANGES: dict[str, tuple[float, float, str]] = {
    "refresh_interval": (1.0, 3600.0, "seconds"),
    "triage.delay_seconds": (0.0, 7 * 86400.0, "seconds"),
    "triage.checkpoint_stale_seconds": (0.0, 7 * 86400.0, "seconds"),
    "triage.restart_window_seconds": (1.0, 7 * 86400.0, "seconds"),
    "triage.restart_count": (1, 1000, ""),
    "client.timeout": (0.1, 600.0, "seconds"),
    "client.retries": (0, 10, ""),
    "client.max_concurrency": (1, 256, ""),
    "client.refresh_concurrency": (1, 64, ""),
    "client.max_response_bytes": (1024 * 1024, 1024 * 1024 * 1024, "bytes (1 MiB to 1 GiB)"),
}
_SECTIONS: dict[str, type] = {"triage": TriageConfig, "client": ClientConfig}


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _check_number(value: object, kind: type, name: str, path: Path) -> float | int:
    is_number = isinstance(value, int | float) and not isinstance(value, bool)
    if kind is int and not (isinstance(value, int) and not isinstance(value, bool)):
        raise ConfigError(f"expected an integer, got {value!r}", path, name)
    if not is_number:
        raise ConfigError(f"expected a number, got {value!r}", path, name)
    low, high, unit = _RANGES[name]
    if not math.isfinite(value) or not low <= value <= high:  # type: ignore[arg-type,operator]
        unit = f" {unit}" if unit else ""
        raise ConfigError(f"must be between {_num(low)} and {_num(high)}{unit}, got {value!r}", path, name)
    return value if kind is int else float(value)  # type: ignore[arg-type,return-value]


def _check_str_table(value: object, name: str, path: Path) -> dict[str, str]:
    if not isinstance(value, dict):
        raise ConfigError(f"expected a table like [{name}], got {type(value).__name__}", path, name)
    for key, item in value.items():
        if not isinstance(item, str) or not item.strip():
            raise ConfigError(f"expected a non-empty string, got {item!r}", path, f"{name}.{key}")
    return dict(value)


def _check_keys(table: Mapping[str, object], allowed: list[str], section: str, path: Path) -> None:
    for key in table:
        if key not in allowed:
            known = ", ".join(allowed)
            where = f"[{section}]" if section else "top level"
            raise ConfigError(f"unknown key {key!r} at {where} (known: {known})", path,
                              f"{section}.{key}" if section else key)


def _section_from(table: object, cls: type, section: str, path: Path) -> Any:
    if not isinstance(table, dict):
        raise ConfigError(f"expected a table [{section}]", path, section)
    names = [f.name for f in fields(cls)]
    _check_keys(table, names, section, path)
    kinds = {f.name: type(getattr(cls(), f.name)) for f in fields(cls)}
    values = {k: _check_bool(v, f"{section}.{k}", path) if kinds[k] is bool
              else _check_number(v, kinds[k], f"{section}.{k}", path) for k, v in table.items()}
    return cls(**values)


def _check_bool(value: object, name: str, path: Path) -> bool:
    if not isinstance(value, bool):
        raise ConfigError(f"expected true or false, got {value!r}", path, name)
    return value


def config_from_dict(data: Mapping[str, Any], path: Path) -> AppConfig:
    """Validate a parsed `config.toml`; `ConfigError` names the offending field."""
    _check_keys(data, [f.name for f in fields(AppConfig)], "", path)
    values: dict[str, Any] = {}
    for key, value in data.items():
        if key in _SECTIONS:
            values[key] = _section_from(value, _SECTIONS[key], key, path)
        elif key in ("keymap", "profile_colors"):
            values[key] = _check_str_table(value, key, path)
        elif key == "refresh_interval":
            values[key] = _check_number(value, float, key, path)
        elif not isinstance(value, str) or not value.strip():  # theme, default_profile
            raise ConfigError(f"expected a non-empty string, got {value!r}", path, key)
        else:
            values[key] = value
    return AppConfig(**values)


def load_config(path: Path | None = None) -> AppConfig:
    """Read `config.toml`; defaults when it does not exist. A `ConfigError` carries the line when found."""
    path = config_path() if path is None else path
    data = read_toml(path)
    if data is None:
        return AppConfig()
    try:
        return config_from_dict(data, path)
    except ConfigError as err:
        if err.field_name and err.line is None:
            err.line = key_line(path.read_text(encoding="utf-8", errors="replace"), err.field_name)
        raise


def config_line(dotted: str, path: Path | None = None) -> int | None:
    """The line of `config.toml` that sets `dotted` (e.g. "keymap.ops.stop" is key "ops.stop" of [keymap])."""
    path = config_path() if path is None else path
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    return key_line(text, dotted)


def _without_none(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_none(v) for k, v in value.items() if v is not None}
    return value


def save_config(config: AppConfig, path: Path | None = None) -> Path:
    """Write `config.toml` atomically (0600, directory 0700); returns the path written."""
    path = config_path() if path is None else path
    import tomli_w  # only to write: not on every start

    atomic_write(path, tomli_w.dumps(_without_none(asdict(config))))
    return path
