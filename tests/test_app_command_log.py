"""The command log (every API call, newest first, copy as `aliyun` CLI), config errors and the CLI entry."""

from __future__ import annotations

import argparse

from test_app_support import make_app, notifications, ready, wait_for

from foas_tui import app_launch as app_module
from foas_tui.screens.command_log import CommandLogScreen
from foas_tui.widgets.tree_data import walk_nodes


async def test_command_log_lists_calls_newest_first_and_copies_the_cli_command() -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await pilot.press("L")
        await wait_for(pilot, lambda: isinstance(app.screen, CommandLogScreen))
        screen = app.screen
        table = screen.query_one("#log-table")
        await wait_for(pilot, lambda: table.row_count == len(app.session.call_log), what="every call listed")
        operations = [table.get_row_at(i)[2].plain for i in range(table.row_count)]
        newest = app.session.call_log.newest_first()
        assert operations == [r.operation for r in newest]
        assert "ListProject" in operations and "BatchGetInstanceRunSummary" in operations
        # Live: a new call appears on top without reopening the screen.
        await app.session.client.list_project()
        await wait_for(pilot, lambda: table.row_count == len(app.session.call_log), what="the new call")
        await pilot.press("k", "k")  # the cursor to the top row (the newest)
        await pilot.press("c")
        expected = app.session.call_log.last.aliyun_cli()
        assert expected.startswith("aliyun foas GET /api/v2/projects")
        assert app.clipboard == expected
        assert any(expected in n for n in notifications(app))
        assert "secret" not in expected.lower()
        await pilot.press("escape")
        assert not isinstance(app.screen, CommandLogScreen)


async def test_a_malformed_config_is_a_notification_and_defaults(isolated_env) -> None:
    isolated_env.config_dir.mkdir(parents=True, exist_ok=True)
    (isolated_env.config_dir / "config.toml").write_text("refresh_interval = [oops\n")
    config, error = app_module._load_config_safely()
    assert error is not None and "config.toml" in error
    assert config.refresh_interval == 5.0
    app = make_app(config_error=error)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: any("Config file ignored" in n for n in notifications(app)))
        assert app.is_running


def test_run_app_without_credentials_says_how_to_fix_and_exits_2(capsys) -> None:
    options = argparse.Namespace(demo=False, demo_jobs=64, profile=None, region=None, endpoint=None,
                                 read_only=False, access_key_id=None, log_file=None)
    assert app_module.run_app(options) == 2
    err = capsys.readouterr().err
    assert err.startswith("foas-tui: ") and "Traceback" not in err


async def test_expanded_folders_come_back_on_the_next_run(tmp_path) -> None:
    state = tmp_path / "tree-state.json"
    app = make_app(state_path=state)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        tree = app.main_screen.tree
        project = list(tree.projects.values())[1]
        project.expand()
        await wait_for(pilot, lambda: project.data.loaded, what="the second project")
        folder = next(c for c in project.children if c.data.kind == "folder")
        folder.expand()
        await wait_for(pilot, lambda: folder.data.loaded, what="its folder")
        wanted = folder.data.state_path

        def reopened(tree) -> bool:
            return any(n.data is not None and n.data.kind == "folder" and n.data.state_path == wanted and
                       n.is_expanded and n.data.loaded for n in walk_nodes(tree.root))

        await pilot.press("r")  # reload everything: the expansion survives
        await wait_for(pilot, lambda: tree.projects and list(tree.projects.values())[1] is not project,
                       what="a reloaded tree")
        await wait_for(pilot, lambda: reopened(tree), what="the folder open again after the reload")
    assert state.exists()
    again = make_app(state_path=state)
    async with again.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await wait_for(pilot, lambda: reopened(again.main_screen.tree), what="the folder open on the next run")


async def test_the_cli_demo_builds_its_emulator_after_the_first_frame() -> None:
    app = make_app(lazy_emulator=True)
    assert app.session.emulator._emulator is None, "nothing built before the app runs"
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        assert app.session.emulator._emulator is not None
        assert app.main_screen.tree.projects


def test_build_session_uses_the_credential_chain(monkeypatch) -> None:
    from foas_tui.config import AppConfig

    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", "LTAI5tTESTKEYID000000")
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "not-a-real-secret")
    options = argparse.Namespace(demo=False, profile=None, region="cn-shanghai", endpoint="http://127.0.0.1:9",
                                 read_only=True, access_key_id=None, log_file=None)
    session = app_module.build_session(options, AppConfig(profile_colors={"env": "red"}), None)
    assert session.region_id == "cn-shanghai" and session.endpoint == "http://127.0.0.1:9"
    assert session.read_only and session.client.read_only
    assert "not-a-real-secret" not in repr(session)
    assert session.call_log in session.client.observers
