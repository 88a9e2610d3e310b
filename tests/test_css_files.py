"""The secondary screens' CSS (css_files.SECONDARY: ops.tcss, triage.tcss) is read when the first dialog or
viewer opens, not for the first frame, and none of it styles the main screen (issue 16, startup)."""

from __future__ import annotations

import re

from test_app_support import make_app, plain, ready, wait_for

from foas_tui.css_files import SECONDARY, all_css_paths, first_frame_css_paths, secondary_css_paths
from foas_tui.screens.confirm import ConfirmScreen

JOB = ("realtime_dw", "dws_gmv_1min")
TABS = ("overview", "code", "properties", "instances", "metrics")


def _selectors(css: str) -> list[str]:
    """Each selector of each top-level rule (the files nest no rules), pseudo-classes dropped."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    found = []
    for head in re.findall(r"([^{}]+)\{", css):
        for selector in head.split(","):
            selector = re.sub(r":[a-z-]+", "", selector).strip()
            if selector:
                found.append(selector)
    return found


def test_every_tcss_is_either_first_frame_or_secondary() -> None:
    names = {path.name for path in all_css_paths()}
    assert set(SECONDARY) <= names
    assert {p.name for p in first_frame_css_paths()} | {p.name for p in secondary_css_paths()} == names
    assert not {p.name for p in first_frame_css_paths()} & set(SECONDARY)
    assert "app.tcss" in {p.name for p in first_frame_css_paths()}


async def test_the_first_frame_reads_no_secondary_css_and_a_dialog_brings_it() -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await ready(pilot)
        for path in secondary_css_paths():
            assert not app.stylesheet.has_source(str(path)), f"{path.name} was read for the first frame"
        app.push_screen(ConfirmScreen("Stop job", "The job stops.", ["realtime_dw/dws_gmv_1min"]))
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen) and app.screen.query(".ops-box"),
                       what="the dialog")
        for path in secondary_css_paths():
            assert app.stylesheet.has_source(str(path)), f"{path.name} came with the first dialog"
        box = app.screen.query_one(".ops-box")
        # ops.tcss: `.ops-box { width: 72; border: round $accent; }`, `.ops-box.-danger { border: heavy $error; }`
        await wait_for(pilot, lambda: box.outer_size.width == 72, what="the dialog box at its ops.tcss width")
        assert box.styles.border_top[0] == ("heavy" if box.has_class("-danger") else "round")


async def test_no_rule_of_the_secondary_css_matches_anything_on_the_main_screen() -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await ready(pilot)
        main = app.main_screen
        pane = main.job_pane
        app.select_job(*JOB)
        await wait_for(pilot, lambda: pane.job is not None and pane.job.key == JOB and pane.active_tab,
                       what="the job in the pane")
        for tab in TABS:  # every tab made once, so what they mount lazily is there too
            pane.query_one("#job-tabs").active = tab
            await wait_for(pilot, lambda tab=tab: pane.active_tab == tab, what=f"the {tab} tab")
        await wait_for(pilot, lambda: JOB[1] in plain(pane.query_one("#overview-body")), what="the overview")
        await pilot.press("slash")  # the filter bar shown
        await wait_for(pilot, lambda: main.query_one("#filter").display, what="the filter bar")
        selectors = [sel for path in secondary_css_paths() for sel in _selectors(path.read_text())]
        assert len(selectors) > 50
        used = {sel: len(main.query(sel)) for sel in selectors if main.query(sel)}
        assert used == {}, "these secondary-CSS rules style the main screen: move them to a first-frame file"
