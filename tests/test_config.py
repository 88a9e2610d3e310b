"""config.toml: defaults, validation with clear errors, atomic private writes, dir overrides."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from foas_tui.config import (
    AppConfig,
    ConfigError,
    atomic_write,
    config_dir,
    config_path,
    data_dir,
    load_config,
    save_config,
)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_dirs_honour_env_overrides(isolated_env, monkeypatch):
    assert config_dir() == isolated_env.config_dir
    assert data_dir() == isolated_env.data_dir
    assert config_path() == isolated_env.config_dir / "config.toml"
    monkeypatch.delenv("FOAS_TUI_CONFIG_DIR")
    monkeypatch.delenv("FOAS_TUI_DATA_DIR")
    # platformdirs follows the isolated XDG dirs.
    assert config_dir() == isolated_env.home / ".config" / "foas-tui"
    assert data_dir() == isolated_env.home / ".local" / "share" / "foas-tui"


def test_missing_file_gives_defaults():
    config = load_config()
    assert config == AppConfig()
    assert config.refresh_interval == 5.0
    assert config.theme == "textual-dark"
    assert config.triage.delay_seconds == 180
    assert config.triage.checkpoint_stale_seconds == 300
    assert config.triage.restart_window_seconds == 1800
    assert config.client.max_concurrency >= 1
    assert config.keymap == {} and config.profile_colors == {} and config.default_profile is None


def test_full_file_round_trips():
    config = AppConfig(
        refresh_interval=2,
        theme="nord",
        keymap={"refresh": "ctrl+r", "quit": "q"},
        default_profile="prod",
        profile_colors={"prod": "red", "dev": "green"},
    )
    config.triage.delay_seconds = 60
    config.client.retries = 0
    path = save_config(config)
    assert path == config_path()
    loaded = load_config()
    assert loaded == config
    assert isinstance(loaded.refresh_interval, float)


def test_partial_file_keeps_other_defaults():
    write(config_path(), 'theme = "gruvbox"\n[triage]\ndelay_seconds = 30\n')
    config = load_config()
    assert config.theme == "gruvbox"
    assert config.triage.delay_seconds == 30.0
    assert config.triage.checkpoint_stale_seconds == 300
    assert config.refresh_interval == 5.0


def test_save_is_private_and_atomic(isolated_env):
    save_config(AppConfig())
    path = config_path()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert [p.name for p in path.parent.iterdir()] == ["config.toml"]  # no temp file left behind


def test_save_omits_unset_default_profile():
    save_config(AppConfig())
    assert "default_profile" not in config_path().read_text()


def test_atomic_write_replaces_whole_file(tmp_path):
    target = tmp_path / "sub" / "f.txt"
    atomic_write(target, "one\n")
    atomic_write(target, "two\n", mode=0o644)
    assert target.read_text() == "two\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o644


@pytest.mark.parametrize(
    ("text", "fragments"),
    [
        ("refresh_interval = \n", ["line 1"]),
        ('theme = "x"\n[triage\n', ["line 2"]),
        ("refresh_interval = 0.5\n", ["refresh_interval", "between 1 and 3600 seconds", "line 1"]),
        ('refresh_interval = "fast"\n', ["refresh_interval", "number"]),
        ("refresh_interval = true\n", ["refresh_interval", "number"]),
        ("[triage]\ndelay_seconds = -1\n", ["triage.delay_seconds"]),
        ("[triage]\nrestart_count = 1.5\n", ["triage.restart_count", "integer"]),
        ("[triage]\nbogus = 1\n", ["bogus", "[triage]"]),
        ("[client]\nmax_concurrency = 0\n", ["client.max_concurrency"]),
        ("refresh_intervall = 3\n", ["refresh_intervall", "unknown"]),
        ("triage = 3\n", ["triage", "table"]),
        ("[keymap]\nquit = 3\n", ["keymap.quit"]),
        ('keymap = "q"\n', ["keymap"]),
        ("theme = 7\n", ["theme"]),
    ],
)
def test_malformed_file_names_file_and_place(text, fragments):
    path = write(config_path(), text)
    with pytest.raises(ConfigError) as info:
        load_config()
    message = str(info.value)
    assert str(path) in message
    for fragment in fragments:
        assert fragment in message
    assert "Traceback" not in message


def test_not_utf8_is_a_config_error():
    config_path().parent.mkdir(parents=True)
    config_path().write_bytes(b"theme = '\xff'\n")
    with pytest.raises(ConfigError, match="UTF-8"):
        load_config()


def test_explicit_path(tmp_path):
    path = write(tmp_path / "elsewhere.toml", "refresh_interval = 9\n")
    assert load_config(path).refresh_interval == 9.0


# --- every number finite and in a named range; the line of the offending key ---------------------------------


@pytest.mark.parametrize(
    ("text", "fragments"),
    [
        # nan would make the refresh timer fire at once, forever (a core at 100 %); inf never refreshes.
        ('theme = "nord"\n\nrefresh_interval = nan\n',
         ["line 3", "refresh_interval", "between 1 and 3600 seconds", "got nan"]),
        ("refresh_interval = inf\n", ["line 1", "refresh_interval", "got inf"]),
        ("refresh_interval = 0\n", ["refresh_interval", "got 0"]),
        ("refresh_interval = -5.0\n", ["refresh_interval", "got -5.0"]),
        ("refresh_interval = 86400\n", ["refresh_interval", "between 1 and 3600"]),
        # inf removes the deadline of every call.
        ('[triage]\ndelay_seconds = 1\n\n[client]\nretries = 1\ntimeout = inf\n',
         ["line 6", "client.timeout", "between 0.1 and 600 seconds", "got inf"]),
        ("[client]\ntimeout = -inf\n", ["line 2", "client.timeout"]),
        ("[client]\nretries = 1000\n", ["line 2", "client.retries", "between 0 and 10"]),
        ("[client]\nmax_concurrency = 100000\n", ["client.max_concurrency", "between 1 and 256"]),
        ("[client]\nmax_response_bytes = 10\n", ["line 2", "client.max_response_bytes", "1 MiB to 1 GiB"]),
        ("[triage]\ncheckpoint_stale_seconds = nan\n", ["line 2", "triage.checkpoint_stale_seconds", "nan"]),
        ("[triage]\nrestart_count = 0\n", ["line 2", "triage.restart_count", "between 1 and 1000"]),
        ("[triage]\n# comment\n  'bogus' = 1\n", ["line 3", "triage.bogus", "unknown key"]),
        ("theme = 'x'\nrefresh_intervall = 3\n", ["line 2", "refresh_intervall", "unknown"]),
        ('[keymap]\n"ops.stop" = 3\n', ["line 2", "keymap.ops.stop"]),
    ],
)
def test_numbers_are_finite_and_in_range_and_the_line_is_named(text, fragments):
    path = write(config_path(), text)
    with pytest.raises(ConfigError) as info:
        load_config()
    message = str(info.value)
    assert message.startswith(f"{path} line ") or str(path) in message
    for fragment in fragments:
        assert fragment in message, (fragment, message)


def test_the_bounds_themselves_are_accepted():
    write(config_path(), "refresh_interval = 1\n[client]\ntimeout = 600\nretries = 0\n"
                         "max_response_bytes = 1048576\n[triage]\ndelay_seconds = 0\n")
    config = load_config()
    assert config.refresh_interval == 1.0 and config.client.timeout == 600.0
    assert config.client.max_response_bytes == 1024 * 1024 and config.triage.delay_seconds == 0.0
    assert AppConfig().client.max_response_bytes == 32 * 1024 * 1024


def test_key_line_finds_keys_in_their_section_only():
    from foas_tui.config import key_line

    text = 'timeout = 1\n[client]\n  "timeout"=2\n[keymap]\n"ops.stop" = "x"\nquit = "q"\n'
    assert key_line(text, "timeout") == 1
    assert key_line(text, "client.timeout") == 3
    assert key_line(text, "keymap.ops.stop") == 5 and key_line(text, "keymap.quit") == 6
    assert key_line(text, "keymap.nothing") is None and key_line(text, "client") == 2


# --- [keymap] ids that name no binding are reported at start, with the file and line -------------------------


async def test_unknown_keymap_ids_are_reported_with_file_and_line(monkeypatch):
    from foas_tui.app import FoasApp

    path = write(config_path(), 'theme = "nord"\n[keymap]\n"app.help" = "f1"\n"ops.stp" = "ctrl+x"\n'
                                '"nothing.like.it" = "f9"\n')
    config = load_config()
    app = FoasApp.demo(jobs=4, config=config, state_path=None)
    shown: list[str] = []
    monkeypatch.setattr(app, "notify", lambda message, **kw: shown.append(str(message)))
    async with app.run_test() as pilot:
        for _ in range(100):
            if len(shown) >= 2:
                break
            await pilot.pause(0.02)
    problems = [m for m in shown if "keymap" in m]
    assert len(problems) == 2, shown
    assert problems[0] == (f"{path} line 4: keymap: unknown binding id 'ops.stp' "
                           "(did you mean ops.stop, ops.start, ops.pause?)")
    assert problems[1].startswith(f"{path} line 5: keymap: unknown binding id 'nothing.like.it'")
    assert not any("app.help" in m for m in shown)  # a real id is not reported


def test_the_known_binding_ids_include_app_screen_and_widget_ids():
    from foas_tui.app import FoasApp
    from foas_tui.keymap_ids import known_binding_ids

    ids = known_binding_ids(FoasApp)
    assert {"app.help", "app.quit", "ops.stop", "log.errors"} <= ids
