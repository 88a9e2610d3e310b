"""The first frame does not import what only later screens need (issue 16, bench/tui_startup.py).

Run as the bench runs it: a fresh process, `FoasApp.demo(jobs=1000, lazy_emulator=True)` headless, and the
modules loaded when the first frame is painted. Each module listed here was imported before the first frame
once and is now imported by the screen, dialog or action that uses it; a new module-level import that pulls
one back in fails this test (say in the import why the first frame needs it, and take it off the list).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from textual.widgets import Input, TextArea, Tree

from foas_tui.app import _is_text_field

ROOT = Path(__file__).resolve().parent.parent

# Imported later: by an action (actions, start_points), the triage board or the first scored live row
# (triage, triage_gather, flink_payloads), ctrl+p (palette providers), the editor dialogs (TextArea), the first
# copy (clipboard), the first round of delay trends (metrics), the Instances tab (DataTable), the first `/` filter
# of the jobs table (filter_query), a config file to read (tomllib).
DEFERRED = [
    "foas_tui.services.filter_query",
    "foas_tui.services.clipboard",
    "foas_tui.services.metrics",
    "textual.widgets._data_table",
    "foas_tui.services.actions",
    "foas_tui.services.start_points",
    "foas_tui.services.triage_gather",
    "foas_tui.services.flink_payloads",
    "foas_tui.widgets.palette",
    "foas_tui.widgets.context_palette",
    "foas_tui.screens.triage",
    "importlib.resources",
    "textual.widgets._text_area",
    "tomli_w",  # writing config.toml or profiles.toml
    "tomllib",  # reading config.toml, when there is one (this test's config directory is empty)
]
# Imported by the first call (httpx, ~60 ms with what it pulls in: the client makes its httpx client then;
# the operation table; the demo emulator's signature check) or by scoring live rows (triage); none happen
# before the first frame.
AFTER_A_REFRESH = ["foas_tui.services.triage", "httpx", "foas_tui.api.http_client", "foas_tui.emulator.auth",
                   "foas_tui.api.operations"]

CHILD = r"""
import gc, json, sys
from foas_tui.app import FoasApp

class FirstFrame(FoasApp):
    def on_mount(self) -> None:
        super().on_mount()
        self.call_after_refresh(self._first_frame)

    def _first_frame(self) -> None:
        refreshed = self.refresher.last_attempt_at is not None
        report = {"modules": sorted(sys.modules), "refreshed": refreshed, "frozen": gc.get_freeze_count()}
        print(json.dumps(report), flush=True)
        self.exit(0)

FirstFrame.demo(jobs=1000, state_path=None, lazy_emulator=True).run(headless=True, size=(120, 36))
"""


def test_first_frame_leaves_later_modules_unimported(tmp_path: Path) -> None:
    env = dict(os.environ, FOAS_TUI_CONFIG_DIR=str(tmp_path), FOAS_TUI_DATA_DIR=str(tmp_path))
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    out = subprocess.run([sys.executable, "-c", CHILD], env=env, capture_output=True, text=True, timeout=120,
                         check=True)
    report = json.loads(out.stdout.strip().splitlines()[-1])
    modules = set(report["modules"])
    assert "foas_tui.screens.main" in modules  # the frame was the real main screen
    deferred = DEFERRED + ([] if report["refreshed"] else AFTER_A_REFRESH)
    assert [name for name in deferred if name in modules] == []
    # FoasApp.run froze the startup objects, so no full collection walks them before the first frame.
    assert report["frozen"] > 10_000


def test_text_fields_take_the_colon_as_text() -> None:
    """`:` opens the command line except in a text field (FoasApp.check_action); subclasses count too."""

    class Notes(TextArea):
        pass

    assert _is_text_field(Input())
    assert _is_text_field(TextArea())
    assert _is_text_field(Notes())
    assert not _is_text_field(Tree("projects"))
    assert not _is_text_field(None)


def test_the_command_line_parser_does_not_import_the_emulator(tmp_path: Path) -> None:
    """`foas-tui` builds every subcommand's parser on each start: `--demo` must not load the emulator there.

    With `--demo` the lazy emulator is built in a thread on the first request, after the first frame.
    """
    env = dict(os.environ, FOAS_TUI_CONFIG_DIR=str(tmp_path), FOAS_TUI_DATA_DIR=str(tmp_path))
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    code = "import json, sys\nfrom foas_tui import cli\ncli.build_parser()\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60,
                         check=True)
    modules = set(json.loads(out.stdout.strip().splitlines()[-1]))
    assert "foas_tui.emulator.server" in modules  # the `emulator` subcommand's parser was built
    assert [name for name in ("foas_tui.emulator.app", "foas_tui.emulator.store", "foas_tui.emulator.faults")
            if name in modules] == []
