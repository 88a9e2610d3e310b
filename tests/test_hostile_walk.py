"""Issue 12: untrusted text can't crash, spoof or drive foas-tui. A walk over every screen on the hostile emulator.

The app runs with a driver that records what Textual writes to the terminal (tests/helpers/hostile.py), so the
assertions are about the real output: no escape sequence, C1/C0 control or live link that came from the data,
the app alive after every step, and markup from the data shown as text, not obeyed.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from helpers.hostile import clear_written, hostile_app, terminal_findings, visible_text, written
from test_app_support import wait_for
from textual.worker import WorkerCancelled, WorkerFailed

from foas_tui.emulator.hostile import SURROGATE_MARK

SIZE = (200, 50)
EATEN_CLICK = "risk_controlx"  # what shows when "risk_control[@click=app.quit]x" is parsed as markup


# --- the attacker itself: deterministic, functional, hostile on the wire ----------------------------

def _hostile_emulator(clock: Any = None) -> Any:
    from foas_tui.emulator import EmulatorConfig, create_app

    return create_app(EmulatorConfig(hostile=True, clock=clock))


def test_the_hostile_demo_is_deterministic_and_names_stay_unique() -> None:
    first, second = _hostile_emulator().store, _hostile_emulator().store
    assert sorted(first.projects) == sorted(second.projects)
    for name, project in first.projects.items():
        other = second.projects[name]
        assert sorted(project.jobs) == sorted(other.jobs)
        assert sorted(project.folders) == sorted(other.folders)
        assert [j.description for _, j in sorted(project.jobs.items())] == [
            j.description for _, j in sorted(other.jobs.items())]
    names = [(p, j) for p, project in first.projects.items() for j in project.jobs]
    assert len(names) == 64 == len(set(names))
    every = " ".join([*first.projects, *(j for _, j in names),
                      *(f for p in first.projects.values() for f in p.folders)])
    for payload in ("\x1b]2;PWNED\x07", "\x1b]52;c;SElKQUNL\x07", "\x1b[2J", "\x9b2J", "[@click=app.quit]x",
                    "\u202e", "\u200b", SURROGATE_MARK):
        assert payload in every, payload
    assert any(len(j) > 10_000 for _, j in names)


async def test_hostile_jobs_still_start_and_run_and_errors_carry_the_payloads() -> None:
    import httpx

    from foas_tui.api.client import FoasClient
    from foas_tui.api.errors import FoasError
    from foas_tui.api.signing import Credentials
    from foas_tui.emulator import DEMO_ACCESS_KEY_ID, DEMO_ACCESS_KEY_SECRET, DEMO_ENDPOINT, FakeClock, demo_client

    clock = FakeClock(1_795_680_000.0)
    emulator = _hostile_emulator(clock)
    client = demo_client(emulator, retries=0)
    store = emulator.store
    project, name = next((p, n) for p in sorted(store.projects) for n, j in sorted(store.projects[p].jobs.items())
                         if j.scenario == "never_started" and j.committed and "\x1b" in n and "/" not in n)
    started = await client.start_job(project, name)
    clock.advance(30)
    instance = (await client.get_instance(project, name, started.instance_id)).instance
    assert instance is not None and instance.actual_state == "RUNNING"
    # The listing carries a real lone surrogate on the wire, the JSON escape \ud800 (the client must cope).
    bodies: list[bytes] = []

    async def recording(scope: Any, receive: Any, send: Any) -> None:
        async def keep(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.body":
                bodies.append(message.get("body", b""))
            await send(message)

        await emulator(scope, receive, keep)

    recorded = FoasClient(Credentials(DEMO_ACCESS_KEY_ID, DEMO_ACCESS_KEY_SECRET), region_id="cn-hangzhou",
                          endpoint=DEMO_ENDPOINT, retries=0, transport=httpx.ASGITransport(app=recording))
    listed = await recorded.list_job("realtime_dw", page_size=100)
    await recorded.aclose()
    assert len(listed.jobs) == 16
    assert any(b'\\ud800"' in body for body in bodies)
    emulator.faults.set("GetProject", status=400)
    try:
        await client.get_project("realtime_dw")
    except FoasError as err:
        message = err.message
    else:
        raise AssertionError("the injected 400 did not fail the call")
    assert message.startswith("Injected failure with HTTP status 400.")
    assert "\x1b]52;c;SElKQUNL\x07" in message and "\ud800" in message and "[@click=app.quit]x[/]" in message
    await client.aclose()


def test_the_cli_turns_hostile_text_on_for_the_demo_and_the_emulator_only(capsys: Any) -> None:
    from foas_tui.cli import build_parser, main

    assert build_parser().parse_args(["--demo", "--hostile-text"]).hostile_text
    assert build_parser().parse_args(["emulator", "--hostile-text"]).hostile_text
    assert main(["--hostile-text"]) == 2
    assert "--demo" in capsys.readouterr().err


def failing_job(app: Any, *, project_has: str = "") -> tuple[str, str]:
    """A failing job (it has a hostile last error) in a project whose name contains `project_has`."""
    store = app.session.emulator.store
    for project in sorted(store.projects):
        if project_has not in project:
            continue
        for name, job in sorted(store.projects[project].jobs.items()):
            if job.scenario in ("failing", "restarting") and SURROGATE_MARK not in name and len(name) < 200:
                return project, name
    raise AssertionError("the hostile demo has no failing job there")


class Walk:
    """Steps through the app; records the data-borne sequences each step wrote, and that the app survived."""

    def __init__(self, pilot: Any) -> None:
        self.pilot = pilot
        self.app = pilot.app
        self.leaks: dict[str, list[str]] = {}
        self.seen = ""  # every visible character written so far

    async def settle(self) -> None:
        # The workers a key started (loads, validations); long followers are left running after 3 s. A worker
        # that fails or is cancelled (an exclusive reload) is not the test's business: the app's state is.
        try:
            await asyncio.wait_for(self.app.workers.wait_for_complete(), 3.0)
        except (TimeoutError, WorkerCancelled, WorkerFailed):
            pass
        await self.pilot.pause()

    async def step(self, name: str, *keys: str, until: Any = None) -> str:
        """Press `keys`, wait for `until`, let the workers finish; returns the text the step made visible."""
        clear_written(self.app)
        if keys:
            await self.pilot.press(*keys)
        if until is not None:
            await wait_for(self.pilot, until, what=name)
        await self.settle()
        assert self.app.is_running and self.app.return_code is None, f"the app stopped at step {name!r}"
        out = written(self.app)
        shown = visible_text(out)
        self.seen += shown
        findings = terminal_findings(out)
        leaks = []
        if findings:
            first = {f.kind: f.context for f in reversed(findings)}  # one sample of each kind
            leaks = [f"{kind} in {context!r}" for kind, context in sorted(first.items())]
        if EATEN_CLICK in shown:  # the project "risk_control[@click=app.quit]x...": its tag was obeyed
            at = shown.index(EATEN_CLICK)
            leaks.append(f"markup [@click=app.quit] obeyed in {shown[max(0, at - 30): at + 40]!r}")
        if leaks:
            self.leaks[name] = leaks
        return shown

    async def dialog(self, name: str, *keys: str) -> bool:
        """Press `keys`; when a modal opened, check it and close it with Escape. True when one opened (an action
        that does not apply to the job says so in a toast instead, which is checked the same way)."""
        main = self.app.main_screen
        await self.step(name, *keys)
        if self.app.screen is main:
            return False
        await self.step(f"{name} (closed)", "escape", until=lambda: self.app.screen is main)
        return True

    def report(self) -> str:
        return "\n".join(f"  {name}: {'; '.join(kinds)}" for name, kinds in self.leaks.items())


async def _start(pilot: Any) -> Walk:
    walk = Walk(pilot)
    main = pilot.app.main_screen
    assert main is not None
    await walk.step("main screen", until=lambda: main.tree.projects_loaded.is_set() and main.live.row_count)
    return walk


async def _on_failing_job(walk: Walk, project_has: str = "[@click") -> None:
    app = walk.app
    project, job = failing_job(app, project_has=project_has)
    app.select_job(project, job)
    await walk.step("job selected", until=lambda: (sel := app.current_selection()) is not None
                    and sel.job_name == job)


async def _tree(walk: Walk) -> None:
    # Open every project and the folders under the cursor as it walks down.
    walk.app.main_screen.tree.focus()
    for _ in range(3):
        await walk.step("tree: open and walk", *(["l", "j"] * 12))
    await walk.step("tree: bottom", "G")


async def _live_table(walk: Walk) -> None:
    walk.app.main_screen.tree.focus()
    await walk.step("live table", "tab", "j", "j", "space")
    await walk.step("live table: sorted", "o")
    await walk.step("live table: sorted again", "o", "O")


async def _job_pane(walk: Walk) -> None:
    await _on_failing_job(walk)
    walk.app.main_screen.query_one("#job-pane").focus()
    for tab in ("code", "properties", "instances", "metrics", "overview"):
        await walk.step(f"job pane: {tab}", "right_square_bracket")


async def _viewers(walk: Walk) -> None:
    app, main = walk.app, walk.app.main_screen
    await _on_failing_job(walk)
    for key, view in (("e", "exceptions"), ("c", "checkpoints"), ("m", "metrics"), ("i", "internals"),
                      ("H", "history"), ("V", "metric explorer")):
        await walk.step(f"viewer: {view}", key, until=lambda: app.screen is not main)
        await walk.step(f"viewer: {view} scrolled", "j", "j", "enter", "right_square_bracket")
        await walk.step(f"viewer: {view} (closed)", "escape", until=lambda: app.screen is main)
    # the metric explorer across the project's running jobs: hostile job names label the lines
    await walk.step("viewer: metric explorer", "V", until=lambda: app.screen is not main)
    await walk.step("viewer: metric explorer across jobs", "a", until=lambda: getattr(app.screen, "across", False)
                    and getattr(app.screen, "series", None) is not None)
    await walk.step("viewer: metric explorer (closed)", "escape", until=lambda: app.screen is main)
    # cluster pulse: cluster and queue names come from the service
    await walk.step("viewer: cluster pulse", "Z", until=lambda: app.screen is not main
                    and getattr(app.screen, "pulses", None) is not None)
    await walk.step("viewer: cluster pulse (closed)", "escape", until=lambda: app.screen is main)
    # what failed: project and job names and last errors of failed instances come from the service
    await walk.step("viewer: what failed", "W", until=lambda: app.screen is not main
                    and getattr(app.screen, "report_data", None) is not None)
    await walk.step("viewer: what failed, 2 weeks", ":", *"failures", "space", *"336", "enter",
                    until=lambda: getattr(app.screen, "hours", None) == 336.0
                    and getattr(app.screen, "report_data", None) is not None)
    await walk.step("viewer: what failed, scrolled", "j", "j")
    await walk.step("viewer: what failed (closed)", "escape", until=lambda: app.screen is main)
    # a lagging job: the internals name its bottleneck vertex (a name from the job's hostile SQL) in words
    store = app.session.emulator.store
    lagging = next(((p, n) for p in sorted(store.projects) for n, j in sorted(store.projects[p].jobs.items())
                    if j.scenario == "lagging" and j.current is not None and SURROGATE_MARK not in n
                    and len(n) < 200), None)
    assert lagging is not None, "the hostile demo has no lagging job"
    app.select_job(*lagging)
    await walk.step("lagging job selected", until=lambda: (sel := app.current_selection()) is not None
                    and sel.job_name == lagging[1])
    await walk.step("viewer: internals of a lagging job", "i", until=lambda: app.screen is not main)
    await walk.step("viewer: internals of a lagging job (closed)", "escape", until=lambda: app.screen is main)


async def _triage(walk: Walk) -> None:
    app, main = walk.app, walk.app.main_screen
    await walk.step("triage board", "t", until=lambda: app.screen is not main)
    await walk.step("triage board: rows", "j", "j", "j")
    await walk.step("triage board: filtered", "slash", *"state:failed", "enter")
    await walk.step("triage board: bad filter", "slash", *" colour:", "enter")
    await walk.step("triage board: filter cleared", "escape")
    await walk.step("triage board (closed)", "escape", until=lambda: app.screen is main)
    await walk.step("cluster pulse", "Z", until=lambda: app.screen is not main)
    await walk.step("cluster pulse: rows", "j", "j")
    await walk.step("cluster pulse (closed)", "escape", until=lambda: app.screen is main)


async def _action_dialogs(walk: Walk) -> None:
    app, main = walk.app, walk.app.main_screen
    await _on_failing_job(walk)
    opened = set()
    for key, what in (("s", "start"), ("P", "pause"), ("u", "resume"), ("x", "stop"), ("C", "commit"),
                      ("F", "offline"), ("D", "delete"), ("A", "autoscale"), ("E", "code editor"),
                      ("K", "properties form"), ("n", "create job")):
        if await walk.dialog(f"dialog: {what}", key):
            opened.add(what)
    # A running job: resume does not apply; every other action asks or opens its form.
    assert {"start", "pause", "stop", "commit", "offline", "delete", "code editor", "properties form",
            "create job"} <= opened, opened
    for key, what in (("v", "validate"), ("J", "raw plan"), ("dollar_sign", "plan resources")):
        await walk.step(f"action: {what}", key)
        if app.screen is not main:
            await walk.step(f"action: {what} (closed)", "escape", until=lambda: app.screen is main)


async def _start_points(walk: Walk) -> None:
    # The start form's points come from the service: the last failure's (hostile) message is shown in its note.
    from foas_tui.screens.start_job import StartJobScreen

    app, main = walk.app, walk.app.main_screen
    await _on_failing_job(walk)
    await walk.step("start form", "s", until=lambda: isinstance(app.screen, StartJobScreen))
    form = app.screen
    assert not form.query_one("#point-failure").disabled  # a failing job: its last error is on record
    for point in ("failure", "checkpoint", "now"):
        if not form.query_one(f"#point-{point}").disabled:
            form.query_one(f"#point-{point}").value = True
        await walk.step(f"start form: {point}")
    await walk.step("start form (closed)", "escape", until=lambda: app.screen is main)


async def _folder_dialogs(walk: Walk) -> None:
    # The cursor on a folder with a hostile name: /ods + OSC 2 title in realtime_dw (the first project).
    main = walk.app.main_screen
    main.tree.focus()
    await walk.step("tree: first folder", "g", "l", "j")
    opened = set()
    for key, what in (("N", "new folder"), ("M", "move folder"), ("X", "delete folder")):
        if await walk.dialog(f"dialog: {what}", key):
            opened.add(what)
    assert opened == {"new folder", "move folder", "delete folder"}, opened


async def _command_log(walk: Walk) -> None:
    await _on_failing_job(walk)
    await walk.dialog("command log", "L")


async def _resources(walk: Walk) -> None:
    app, main = walk.app, walk.app.main_screen
    await walk.step("resources", "R", until=lambda: app.screen is not main)
    for kind in range(5):
        await walk.step(f"resources: kind {kind + 2}", "right_square_bracket", "j", "j")
    await walk.step("resources (closed)", "escape", until=lambda: app.screen is main)


async def _help_jump_filter_palette(walk: Walk) -> None:
    app, main = walk.app, walk.app.main_screen
    await _on_failing_job(walk)
    assert await walk.dialog("help", "question_mark")
    await walk.step("jump", "colon", *"risk", until=lambda: app.screen is not main)
    await walk.step("jump (closed)", "escape", until=lambda: app.screen is main)
    main.tree.focus()
    await walk.step("filter", "slash", *"ods")
    await walk.step("filter: fields", "ctrl+u", *"state:running delay>1s | /od[s/")  # a bad regex on the way
    await walk.step("filter (cleared)", "escape")
    await walk.step("palette", "ctrl+p", *"ads", until=lambda: app.screen is not main)
    await walk.step("palette: field filter", *" state:failed")
    await walk.step("palette (closed)", "escape", until=lambda: app.screen is main)


async def _failures(walk: Walk) -> None:
    # Failed calls: the error Message of every answer is hostile.
    app = walk.app
    app.session.emulator.faults.set(status=500)
    await walk.step("every call fails", "r")
    app.select_job(*failing_job(app, project_has="iot"))
    await walk.step("selection while failing")
    app.session.emulator.faults.clear()
    await walk.step("recovered", "r")


async def _odd_names(walk: Walk) -> None:
    # Jobs whose names the client cannot send as they are (a lone surrogate, a "/") or that are 10,000+
    # characters long: selecting each shows what went wrong, and the app goes on.
    app = walk.app
    store = app.session.emulator.store
    odd = {"lone surrogate": lambda n: SURROGATE_MARK in n, "slash": lambda n: "/" in n,
           "10,000 characters": lambda n: len(n) > 5000}
    for what, test in odd.items():
        project, name = next((p, n) for p in sorted(store.projects) for n in sorted(store.projects[p].jobs)
                             if test(n))
        wire = name.replace(SURROGATE_MARK, "\ud800")  # what the client received in the listing
        app.select_job(project, wire)
        await walk.step(f"job with a {what} in its name")  # selected, or a toast says why it cannot be
        walk.app.main_screen.query_one("#job-pane").focus()
        for tab in ("code", "properties", "instances"):
            await walk.step(f"job with a {what}: {tab}", "right_square_bracket")


SECTIONS = {"tree": _tree, "live table": _live_table, "job pane": _job_pane, "viewers": _viewers,
            "triage board": _triage, "action dialogs": _action_dialogs, "start points": _start_points,
            "folder dialogs": _folder_dialogs,
            "command log": _command_log, "resources": _resources, "help jump filter palette": _help_jump_filter_palette,
            "failed calls": _failures, "odd names": _odd_names}


@pytest.mark.parametrize("section", list(SECTIONS))
async def test_every_screen_survives_hostile_text_and_writes_no_sequence_from_the_data(section: str) -> None:
    app = hostile_app()
    async with app.run_test(headless=False, size=SIZE, notifications=True) as pilot:
        walk = await _start(pilot)
        await SECTIONS[section](walk)
        assert not walk.leaks, "hostile text reached the terminal live (sequences, or markup obeyed):\n" + walk.report()
        assert app.is_running


async def test_markup_in_names_and_descriptions_is_shown_as_text() -> None:
    app = hostile_app()
    async with app.run_test(headless=False, size=SIZE) as pilot:
        walk = Walk(pilot)
        main = app.main_screen
        assert main is not None
        await walk.step("main screen", until=lambda: main.tree.projects_loaded.is_set() and main.live.row_count)
        # The project name "risk_control[@click=app.quit]x\x1b]2;PWNED\x07" in the tree: the tag is visible text.
        assert "risk_control[@click=app.quit]x" in walk.seen
        project, job = failing_job(app, project_has="[@click")
        app.select_job(project, job)
        await walk.step("job selected", until=lambda: (sel := app.current_selection()) is not None
                        and sel.job_name == job)
        # The job's description carries "[link=a:b]y[/link]" or another tag; the overview shows it literally.
        description = app.session.emulator.store.job(project, job).description
        shown = [tag for tag in ("[link=a:b]y[/link]", "[@click=app.quit]x[/]", "a[/]b", "orders[2", "[bold")
                 if tag in description]
        assert shown, description
        for tag in shown:
            assert tag in walk.seen, f"{tag!r} of the description is not on screen as text"
        # Clicking where a [@click=app.quit] would be live does not quit.
        await pilot.click("#tree")
        await walk.settle()
        assert app.is_running


async def test_error_messages_of_failed_calls_are_shown_without_their_sequences() -> None:
    app = hostile_app()
    async with app.run_test(headless=False, size=SIZE, notifications=True) as pilot:
        walk = Walk(pilot)
        main = app.main_screen
        assert main is not None
        await walk.step("main screen", until=lambda: main.tree.projects_loaded.is_set() and main.live.row_count)
        app.session.emulator.faults.set("GetJob", status=400)
        project, job = failing_job(app, project_has="realtime")
        app.select_job(project, job)
        await walk.step("GetJob fails with a hostile Message",
                        until=lambda: "Injected" in visible_text(written(app)))
        assert "InvalidParameter" in walk.seen or "Injected failure" in walk.seen  # the error is shown
        assert not walk.leaks, "error message sequences reached the terminal:\n" + walk.report()


async def test_markup_in_a_palette_hit_is_shown_as_text() -> None:
    app = hostile_app()
    async with app.run_test(headless=False, size=SIZE) as pilot:
        walk = await _start(pilot)
        main = app.main_screen
        shown = await walk.step("palette", "ctrl+p", *"risk", until=lambda: app.screen is not main)
        shown += await walk.step("palette: hits")
        # The hit for the project "risk_control[@click=app.quit]x\x1b]2;PWNED\x07" names it with its tag.
        assert "Project: risk_control" in shown
        assert "Project: risk_control[@click=app.quit]x" in shown
        assert "risk_controlx" not in shown, "the palette hit obeyed the [@click=app.quit] tag in a project name"
        assert not walk.leaks, walk.report()


async def test_the_live_table_gets_states_for_a_project_with_hostile_job_names() -> None:
    # realtime_dw's jobs have names with controls (CR, BEL, BS ...), a lone surrogate, 10,000 characters: their
    # states still arrive (or the failure is reported); the table must not stay "loading…" silently.
    app = hostile_app()
    async with app.run_test(headless=False, size=SIZE, notifications=True) as pilot:
        await _start(pilot)
        await wait_for(pilot, lambda: app.refresher.generation >= 1, what="a first live refresh")
        assert len(app.refresher.rows) >= 10
