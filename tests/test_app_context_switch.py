"""`:profile NAME` / `:region ID` and the palette switch account or region inside the app, as k9s contexts.

End to end against the in-process emulator: profiles saved with `credentials.save_profile` into a
profiles file and the in-memory keyring, a client rebuilt from them whose requests the emulator verifies.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from foas_tui.config import AppConfig, ClientConfig
from foas_tui.credentials import KeyringStore, Profile, ProfileStore, Secret, save_profile
from foas_tui.services.context_switch import ContextSource
from foas_tui.widgets.context_palette import ContextProvider
from foas_tui.widgets.header import AppHeader
from tests.test_app_support import make_app, notifications, plain, ready, wait_for

PROD_KEY = "LTAI5tProdKey0000000001"
PROD_SECRET = "prod-secret-for-tests"


@pytest.fixture
def app(tmp_path: Any, memory_keyring: Any) -> Any:
    config = AppConfig(refresh_interval=3600, client=ClientConfig(retries=0), profile_colors={"prod": "red"})
    app = make_app(jobs=16, config=config)
    emulator = app.session.emulator
    emulator.verifier.access_keys[PROD_KEY] = PROD_SECRET  # the service knows the prod key
    profiles = ProfileStore(tmp_path / "profiles.toml")

    def factory(kind: str) -> KeyringStore:
        return KeyringStore(backend=memory_keyring)

    save_profile(profiles, Profile(name="prod", region_id="cn-shanghai", access_key_id=PROD_KEY, read_only=True),
                 Secret(PROD_SECRET), factory)
    save_profile(profiles, Profile(name="staging", region_id="cn-beijing", access_key_id=PROD_KEY),
                 Secret("not-the-secret"), factory)
    app.context_source = ContextSource(profiles=profiles, store_factory=factory,
                                       transport=httpx.ASGITransport(app=emulator), env={})
    return app


async def command(pilot: Any, line: str) -> None:
    await pilot.press("colon")
    for char in line:
        await pilot.press("space" if char == " " else char)
    await pilot.press("enter")


def header_text(app: Any) -> str:
    return plain(app.main_screen.query_one("#header", AppHeader))


async def test_profile_command_rebuilds_client_header_read_only_and_tree(app: Any) -> None:
    async with app.run_test(size=(120, 30)) as pilot:
        await ready(pilot)
        old_session, old_tree = app.session, app.main_screen.tree
        assert "DEMO" in header_text(app)
        await command(pilot, "profile prod")
        await wait_for(pilot, lambda: app.session.profile_name == "prod", what="the switch")
        await ready(pilot)  # the tree reloads on the new account: projects, jobs, a refresh
        session = app.session
        assert session is not old_session and app.main_screen.tree is not old_tree  # the panes are new
        assert session.client is not old_session.client
        assert session.region_id == "cn-shanghai"
        assert session.client.base_url == "https://foas.cn-shanghai.aliyuncs.com"
        assert session.client.access_key_id_masked.startswith(PROD_KEY[:4])
        # read-only follows the profile: the client refuses changes and the keys are off
        assert session.read_only and session.client.read_only
        assert app.check_action("ops_stop", ()) is False
        header = header_text(app)
        assert "prod" in header and "cn-shanghai" in header and "READ-ONLY" in header and "DEMO" not in header
        assert app.main_screen.query_one("#header", AppHeader).has_class("-profile-colored")
        # the emulator accepted the calls signed with the profile's key, in the profile's region
        after = [r for r in app.session.call_log if r.region_id == "cn-shanghai"]
        assert after and all(r.ok for r in after) and "ListProject" in {r.operation for r in after}
        assert "switched" in "\n".join(notifications(app)).lower()


async def test_region_command_keeps_the_account(app: Any) -> None:
    async with app.run_test(size=(120, 30)) as pilot:
        await ready(pilot)
        await command(pilot, "region cn-beijing")
        await wait_for(pilot, lambda: app.session.region_id == "cn-beijing", what="the switch")
        await ready(pilot)
        assert app.session.profile_name == "demo" and app.session.demo
        calls = [r for r in app.session.call_log if r.region_id == "cn-beijing"]
        assert calls and all(r.ok for r in calls)
        assert "cn-beijing" in header_text(app)


async def test_unknown_profile_or_region_is_a_clear_error_and_changes_nothing(app: Any) -> None:
    async with app.run_test(size=(120, 30)) as pilot:
        await ready(pilot)
        session, tree = app.session, app.main_screen.tree
        await command(pilot, "profile nope")
        await wait_for(pilot, lambda: any("unknown profile" in n for n in notifications(app)), what="the error")
        text = "\n".join(notifications(app))
        assert "'nope'" in text and "prod" in text and "staging" in text
        await command(pilot, "region mars-1")
        await wait_for(pilot, lambda: any("unknown region" in n for n in notifications(app)), what="the error")
        assert "cn-shanghai" in "\n".join(notifications(app))
        assert app.session is session and app.main_screen.tree is tree


async def test_a_profile_uses_its_own_credentials(app: Any) -> None:
    """staging's secret is wrong: the switch happens and the service refuses its signature (not the demo key)."""
    async with app.run_test(size=(120, 30)) as pilot:
        await ready(pilot)
        await command(pilot, "profile staging")
        await wait_for(pilot, lambda: app.session.profile_name == "staging", what="the switch")
        await wait_for(pilot, lambda: any(r.region_id == "cn-beijing" and not r.ok for r in app.session.call_log),
                       what="a refused call")
        refused = [r for r in app.session.call_log if r.region_id == "cn-beijing" and not r.ok]
        assert refused[0].status in (400, 401, 403) and "Signature" in (refused[0].error_code or "")
        assert not app.session.read_only  # staging is not a read-only profile


async def test_palette_offers_profiles_and_regions(app: Any) -> None:
    async with app.run_test(size=(120, 30)) as pilot:
        await ready(pilot)
        provider = ContextProvider(app.main_screen)
        await provider.startup()
        hits = [hit async for hit in provider.search("prod")]
        assert [str(hit.text) for hit in hits] == ["Switch to profile prod"]
        regions = {str(hit.text) async for hit in provider.search("switch to region cn-hangzhou")}
        assert "Switch to region cn-hangzhou" not in regions and "Switch to region cn-hangzhou-finance" in regions
        hits[0].command()
        await wait_for(pilot, lambda: app.session.profile_name == "prod", what="the switch")
        await ready(pilot)


async def test_command_line_read_only_outlives_a_switch_to_a_writable_profile(app: Any) -> None:
    app.context_source.read_only = True  # as `foas-tui --read-only` sets it
    async with app.run_test(size=(120, 30)) as pilot:
        await ready(pilot)
        await command(pilot, "profile staging")
        await wait_for(pilot, lambda: app.session.profile_name == "staging", what="the switch")
        assert app.session.read_only and app.session.client.read_only
        assert "READ-ONLY" in header_text(app)


async def test_switch_from_a_viewer_goes_back_to_the_main_screen(app: Any) -> None:
    async with app.run_test(size=(120, 30)) as pilot:
        await ready(pilot)
        main = app.main_screen
        await pilot.press("t")  # the triage board of the old account
        await wait_for(pilot, lambda: app.screen is not main, what="the triage board")
        app.run_command_line("region cn-shenzhen")
        await wait_for(pilot, lambda: app.session.region_id == "cn-shenzhen", what="the switch")
        await wait_for(pilot, lambda: app.screen is main, what="the main screen")
        await ready(pilot)
