"""Issue 12 on the running app: hostile names, descriptions and folders neither crash, spoof nor drive it.

The bar: the app stays up, markup in the data shows literally, and what the driver writes to the terminal
holds no escape sequence and no C1 byte from the data (the data's ESC shows as ``␛``).
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from test_app_support import make_app, plain, ready, wait_for
from textual.drivers.headless_driver import HeadlessDriver

from foas_tui.app import FoasApp
from foas_tui.screens.checkpoints import CheckpointsScreen
from foas_tui.screens.exceptions import ExceptionsScreen

ESC, BEL = "\x1b", "\x07"
JOB = "orders[2"
DESCRIPTION = f"{ESC}[2J{ESC}]2;PWNED{BEL}[@click=app.quit]x[/]"
LINK_FOLDER = "/x[link=a:b]y"
OSC52_FOLDER = f"/z{ESC}]52;c;SElKQUNL{BEL}"


def renamed_stream_job(app: FoasApp, name: str) -> Any:
    """The first project's first stream job, renamed `name` in the emulator's store (the service allows it)."""
    store = app.session.emulator.store  # type: ignore[attr-defined]
    project = store.projects[sorted(store.projects)[0]]
    old = next(old for old, job in project.jobs.items() if job.job_type != "FLINK_BATCH")
    job = project.jobs.pop(old)
    job.name = name
    project.jobs[name] = job
    return job


def hostile_app() -> tuple[FoasApp, str]:
    """A demo app whose first project has a job named `orders[2` (hostile description) and two hostile folders."""
    app = make_app(jobs=12)
    renamed_stream_job(app, JOB).description = DESCRIPTION
    store = app.session.emulator.store  # type: ignore[attr-defined]
    project = store.projects[sorted(store.projects)[0]]
    for path in (LINK_FOLDER, OSC52_FOLDER):
        store.ensure_folder(project, path)
    return app, project.name


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Everything the app writes to its driver: the headless driver made to receive frames like a terminal."""
    written: list[str] = []
    monkeypatch.setattr(HeadlessDriver, "is_headless", property(lambda self: False))
    monkeypatch.setattr(HeadlessDriver, "write", lambda self, data: written.append(data))
    return written


def data_controls(output: str) -> list[str]:
    """Terminal controls in `output` that came from the data: OSC strings, screen clears, BEL, C1 bytes."""
    output = re.sub(r"\x1b\]22;[a-z-]*\x07", "", output)  # Textual's own pointer-shape OSC 22
    found = re.findall(r"\x1b\][^\x07\x1b]*|\x1b\[2J|\x07|[\x80-\x9f]", output)
    return [f for f in found if "SElKQUNL" in f or "PWNED" in f or f in ("\x1b[2J", BEL) or len(f) == 1]


async def test_hostile_names_descriptions_and_folders_are_shown_not_obeyed(terminal: list[str]) -> None:
    app, project = hostile_app()
    async with app.run_test(size=(140, 40)) as pilot:
        await ready(pilot)
        main = app.main_screen
        assert main is not None
        app.select_job(project, JOB)
        pane = main.job_pane
        await wait_for(pilot, lambda: pane.job is not None and pane.job.job_name == JOB and pane.detail is not None,
                       what="the hostile job in the job pane")
        await pilot.pause(0.1)
        overview = plain(main.query_one("#overview-body"))
        # The description shows literally: pictures for the controls, the click markup as text.
        assert "␛[2J␛]2;PWNED␇[@click=app.quit]x[/]" in overview
        assert JOB in overview

        # The folders are in the tree, labelled literally.
        labels = []

        def walk(node: Any) -> None:
            labels.append(node.label.plain)
            for child in node.children:
                walk(child)

        walk(main.tree.root)
        assert any("x[link=a:b]y" in label for label in labels), labels
        assert any("z␛]52;c;SElKQUNL␇" in label for label in labels), labels

        # Every job-pane tab renders the hostile job.
        for tab in ("code", "properties", "instances", "overview"):
            main.query_one("#job-tabs").active = tab  # type: ignore[attr-defined]
            await pilot.pause(0.05)

        # The checkpoint viewer of `orders[2` used to crash the app in `_set_header`.
        main.focus_next()
        app.select_job(project, JOB)
        await pilot.pause(0.1)
        app.action_checkpoints()
        await wait_for(pilot, lambda: isinstance(app.screen, CheckpointsScreen), what="the checkpoints screen")
        await wait_for(pilot, lambda: any(JOB in plain(h) for h in app.screen.query("#checkpoints-header")),
                       what="the checkpoints header")
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is main, what="back on the main screen")
        app.action_exceptions()
        await wait_for(pilot, lambda: isinstance(app.screen, ExceptionsScreen), what="the exceptions screen")
        await wait_for(pilot, lambda: any(JOB in plain(h) for h in app.screen.query("#exceptions-header")),
                       what="the exceptions header")
        await pilot.press("escape")
        await pilot.pause(0.1)

        assert app.is_running and app.return_code is None
    output = "".join(chunk for chunk in terminal if chunk != BEL)  # a lone BEL write is Textual's own bell()
    assert output, "the driver received no frame: the capture is not working"
    assert data_controls(output) == []
    visible = re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", output)  # the text drawn, without Textual's own CSI codes
    assert "␛]2;PWNED␇" in visible  # the description was drawn, as text


async def test_a_crash_never_prints_local_variables() -> None:
    """An exception in a handler whose frame holds a secret: the crash traceback shows no locals."""
    app = make_app(jobs=4)
    secret = "".join(reversed("Qb18xZ-TERCES-EKAF"))  # built at run time: the traceback's source lines can't hold it

    def boom() -> None:
        access_key_secret = secret  # noqa: F841 - a local of the crashing frame, as in signing code
        raise RuntimeError("signing failed")

    # Textual renders the crash report through the app's console (for either path of its error handling):
    # record what that produces for any traceback.
    from rich.traceback import Traceback

    rendered: list[str] = []
    render = app.console.render

    def recording_render(renderable: Any, options: Any = None) -> Any:
        segments = list(render(renderable, options))
        if isinstance(renderable, Traceback):
            rendered.append("".join(segment.text for segment in segments))
        return iter(segments)

    app.console.render = recording_render  # type: ignore[method-assign]
    with pytest.raises(RuntimeError):
        async with app.run_test(size=(80, 24)) as pilot:
            await ready(pilot)
            app.call_later(boom)  # runs in the app's message loop, so Textual's error handling gets it
            await pilot.pause()
    shown = "".join(rendered)
    assert "signing failed" in shown and "boom" in shown  # the traceback is there ...
    assert secret not in shown  # ... the value of its local is not



async def test_the_editor_shows_controls_and_saves_untouched_lines_byte_for_byte(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """SQL with ESC and NUL in one line: shown as pictures, and after editing another line and saving,
    the job the service stores still has that line exactly as it was."""
    from test_ops_actions import job, select, sql_job

    from foas_tui.screens.code_editor import CodeEditorScreen
    from foas_tui.screens.confirm import ChoiceScreen

    app = make_app(jobs=12)
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(pilot)
        target = sql_job(app)
        hostile_line = f"SELECT '{ESC}]2;x{BEL}' AS a, '\x00' AS b, 'ok\u202e' AS c FROM t;"
        stored = job(app, *target)
        stored.code = f"-- header\n{hostile_line}\n-- last line"
        select(app, monkeypatch, target)
        await pilot.press("E")
        await wait_for(pilot, lambda: isinstance(app.screen, CodeEditorScreen), what="the editor")
        editor = app.screen
        area = editor.query_one("#editor-area")
        assert ESC not in area.text and "\x00" not in area.text  # the TextArea draws only the cleaned text
        assert "'␛]2;x␇' AS a, '␀' AS b, 'ok⟨U+202E⟩'" in area.text
        area.move_cursor(area.document.end)
        await pilot.press(*" edited")
        await pilot.pause(0.05)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, ChoiceScreen) and "Save" in app.screen.title_text,
                       what="the save confirmation")
        await pilot.press("s")
        await wait_for(pilot, lambda: isinstance(app.screen, ChoiceScreen) and app.screen.title_text == "Saved",
                       what="the save")
        saved = job(app, *target).code
    assert saved.split("\n")[1] == hostile_line  # untouched: byte for byte, ESC, BEL, NUL and U+202E included
    assert saved.split("\n")[2] == "-- last line edited"


async def test_an_unexpected_error_in_a_viewer_worker_is_a_toast_and_the_app_stays(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from test_app_support import notifications

    def broken_show(self: CheckpointsScreen, report: Any, payload: Any) -> None:
        raise KeyError("a field the renderer did not expect")

    monkeypatch.setattr(CheckpointsScreen, "_show", broken_show)
    app, project = hostile_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await ready(pilot)
        app.select_job(project, JOB)
        main = app.main_screen
        assert main is not None
        await wait_for(pilot, lambda: main.job_pane.job is not None and main.job_pane.job.job_name == JOB,
                       what="the job")
        app.action_checkpoints()
        await wait_for(pilot, lambda: any("Unexpected error" in n for n in notifications(app)),
                       what="the toast about the failed worker")
        assert isinstance(app.screen, CheckpointsScreen) and app.is_running and app.return_code is None
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is main, what="back on the main screen")


async def test_a_job_name_the_path_cannot_carry_is_a_clear_error_not_an_unexpected_one() -> None:
    """GetJob puts the job's name in the request path (the spec's `/api/v2/projects/[projectName]/jobs/[jobName]`);
    a name with '?' (the console lets people make one) cannot go there. Nothing is sent, and the operator is
    told why and what to do, not shown a ValueError."""
    from test_app_support import notifications

    app = make_app(jobs=12)
    renamed_stream_job(app, "half?way")
    async with app.run_test(size=(120, 36)) as pilot:
        await ready(pilot)
        app.select_job(sorted(app.session.emulator.store.projects)[0], "half?way")  # type: ignore[attr-defined]
        await wait_for(pilot, lambda: any("cannot be sent in the request path" in n for n in notifications(app)),
                       what="the error about the name")
        shown = "\n".join(notifications(app))
        assert "Invalid parameter error in GetJob" in shown and "console" in shown, shown
        assert "Unexpected error" not in shown and "ValueError" not in shown, shown
        assert app.is_running
