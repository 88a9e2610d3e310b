"""Create and organise (jobs, folders) and the resource screens, with their preconditions."""

from __future__ import annotations

from typing import Any

from foas_tui.screens.confirm import ChoiceScreen, ConfirmScreen, TextScreen
from foas_tui.screens.create_job import CreateJobScreen, check_job_name
from foas_tui.screens.folders import FolderFormScreen
from foas_tui.screens.resources import MutationFormScreen, ResourcesScreen
from tests.test_ops_actions import make_app, mutating_calls, running, select, store, wait_for


def scope(app: Any, monkeypatch: Any, project: str, path: str, folder: bool) -> None:
    monkeypatch.setattr(app, "_ops_scope", lambda: (project, path, path if folder else None))


async def test_new_job_form_explains_and_creates_an_offline_job(monkeypatch) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        scope(app, monkeypatch, "realtime_dw", "/etl", folder=True)
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, CreateJobScreen))
        form = app.screen
        assert "created offline" in str(form.query_one(".ops-hint").render())
        form.context.existing.add("taken_name")
        form.query_one("#job-name").value = "taken_name"  # exists already
        await pilot.press("ctrl+s")
        await pilot.pause(0.05)
        assert "already exists" in str(form.query_one("#job-errors").render())
        form.query_one("#job-name").value = "new_gmv_job"
        form.query_one("#job-folder").value = "/etl/new"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, ChoiceScreen))
        assert app.screen.title_text == "Folder does not exist"
        await pilot.press("y")
        await wait_for(pilot, lambda: isinstance(app.screen, ChoiceScreen) and app.screen.title_text == "Job created")
        created = store(app).job("realtime_dw", "new_gmv_job")
        assert created.committed is False and "INSERT INTO sink_table" in created.code
        assert store(app).folder("realtime_dw", "/etl/new").folder_id == created.folder_id
        assert mutating_calls(app) == ["CreateFolder", "CreateFolder", "CreateJob"]  # /etl, then /etl/new


def test_job_names_are_checked() -> None:
    assert check_job_name("", set()) == "the job name is required"
    assert "no '/'" in check_job_name("a/b", set())
    assert "already exists" in check_job_name("x", {"x"})
    assert check_job_name("订单_gmv-1.0", set()) is None


async def test_folders_create_move_and_refuse_to_delete_a_non_empty_one(monkeypatch) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        scope(app, monkeypatch, "realtime_dw", "/", folder=False)
        await pilot.press("N")
        await wait_for(pilot, lambda: isinstance(app.screen, FolderFormScreen))
        app.screen.query_one("#folder-path").value = "/scratch"
        await pilot.click("#ops-ok")
        await wait_for(pilot, lambda: "CreateFolder" in mutating_calls(app))
        assert store(app).folder("realtime_dw", "/scratch")

        scope(app, monkeypatch, "realtime_dw", "/scratch", folder=True)
        await pilot.press("M")
        await wait_for(pilot, lambda: isinstance(app.screen, FolderFormScreen))
        app.screen.query_one("#folder-dest").value = "/scratch2"
        await pilot.click("#ops-ok")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.click("#ops-ok")
        await wait_for(pilot, lambda: "MVFolder" in mutating_calls(app))
        assert "/scratch2" in store(app).project("realtime_dw").folders

        scope(app, monkeypatch, "realtime_dw", "/scratch2", folder=True)
        await pilot.press("X")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))  # empty: may be deleted
        assert "Only an empty folder" in str(app.screen.notes)
        await pilot.click("#ops-ok")
        await wait_for(pilot, lambda: "DeleteFolder" in mutating_calls(app))

        busy = next(path for path, folder in store(app).project("realtime_dw").folders.items()
                    if path != "/" and any(j.folder_id == folder.folder_id
                                           for j in store(app).project("realtime_dw").jobs.values()))
        scope(app, monkeypatch, "realtime_dw", busy, folder=True)
        await pilot.press("X")
        await wait_for(pilot, lambda: isinstance(app.screen, TextScreen))
        assert "is not empty" in app.screen.title_text
        assert mutating_calls(app) == ["CreateFolder", "MVFolder", "DeleteFolder"]


async def test_resources_screen_lists_details_and_creates_a_package(monkeypatch) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        select(app, monkeypatch, running(app))
        app.run_command_line("packages")  # `:packages`
        await wait_for(pilot, lambda: isinstance(app.screen, ResourcesScreen))
        screen = app.screen
        await wait_for(pilot, lambda: screen.rows != [] or "no packages" in str(
            screen.query_one("#res-detail-body").render()))
        project = running(app)[0]
        count = len(store(app).project(project).packages)
        assert len(screen.rows) == count
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, MutationFormScreen))
        form = app.screen
        values = {"package_name": "udf-1.0.jar", "oss_bucket": "bucket", "oss_endpoint": "oss-cn-hangzhou.aliyuncs.com",
                  "oss_owner": "1234", "oss_path": "jars/udf-1.0.jar"}
        for name, value in values.items():
            form.query_one(f"#field-{name}").value = value
        form.query_one("#field-type").value = "JAR"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "CreatePackage" in mutating_calls(app))
        assert "udf-1.0.jar" in store(app).project(project).packages
        for tab in ("queues", "clusters", "projects", "tags"):
            screen.query_one("#res-tabs").active = f"tab-{tab}"
            await wait_for(pilot, lambda tab=tab: screen.kind_name == tab)
        await pilot.press("escape")
        app.run_command_line("stop")  # `:stop` goes through the same action (and its confirmation)
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("escape")
        assert mutating_calls(app) == ["CreatePackage"]
