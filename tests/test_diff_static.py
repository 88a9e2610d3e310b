"""DiffStatic repaints only what changed, and the job pane built on it keeps its shape (issue 16: bytes per key).

The byte counts themselves are measured by bench/tty_bytes.py through a real pty; these tests pin the
mechanism: which cells a new content marks for repaint, and that the pane never shows a stale job for long.
"""

from __future__ import annotations

from typing import Any

from rich.style import Style
from rich.text import Text
from test_app_support import Gate, make_app, plain, ready, wait_for
from textual.app import App, ComposeResult
from textual.geometry import Region

from foas_tui.widgets import job_pane
from foas_tui.widgets.diff_static import DiffStatic, changed_span

BOLD = Style(bold=True)


def cells(text: str, style: Style | None = None) -> tuple[str, tuple[Style | None, ...]]:
    return text, (style,) * len(text)


def test_the_span_covers_only_the_changed_characters() -> None:
    assert changed_span(cells("Job  orders_1"), cells("Job  orders_1")) is None
    assert changed_span(cells("Job  orders_1"), cells("Job  orders_2")) == (12, 13)
    assert changed_span(cells("Job  orders"), cells("Job  orders_2")) == (11, 13)  # longer: up to its end
    assert changed_span(cells("Job  orders_2"), cells("Job  orders")) == (11, 13)  # shorter: the old end
    # A style change is a change, even with the same characters.
    assert changed_span(cells("Job  a"), ("Job  a", (None,) * 5 + (BOLD,))) == (5, 6)


def test_wide_characters_are_counted_in_cells() -> None:
    # Two cells per character: a change after "订单" starts at cell 4, not at character 2.
    assert changed_span(cells("订单a"), cells("订单b")) == (4, 5)


def record_refreshes(view: DiffStatic) -> list[tuple[tuple[Region, ...], dict[str, Any]]]:
    """From now on, each `view.refresh(...)` call's regions and keywords (it still refreshes)."""
    calls: list[tuple[tuple[Region, ...], dict[str, Any]]] = []
    original = view.refresh

    def recording(*regions: Region, **kwargs: Any) -> Any:
        calls.append((regions, kwargs))
        return original(*regions, **kwargs)

    view.refresh = recording  # type: ignore[method-assign]
    return calls


class OneView(App[None]):
    def compose(self) -> ComposeResult:
        yield DiffStatic(Text("first line\nsecond line"), id="view")


async def test_same_shape_repaints_regions_without_layout_and_a_new_shape_lays_out() -> None:
    app = OneView()
    async with app.run_test(size=(40, 6)) as pilot:
        view = app.query_one(DiffStatic)
        view.update(Text("first line\nsecond line"))  # learns what is painted
        await pilot.pause()
        calls = record_refreshes(view)
        view.update(Text("first line\nsecond LINE"))
        assert calls == [((Region(7, 1, 4, 1),), {})], calls  # "LINE" on the second line, no layout
        calls.clear()
        view.update(Text("first line\nsecond LINE"))
        assert calls == [], "the same content again sends nothing"
        view.update(Text("first line\nsecond LINE\nthird line"))
        assert calls == [((), {"layout": True})], calls  # one more line: a new height
        await pilot.pause()
        assert "third line" in plain(view)


class LateView(App[None]):
    """A DiffStatic mounted and updated in the same moment, before it has a width (as the job pane's tabs)."""

    def compose(self) -> ComposeResult:
        return []

    async def add(self) -> DiffStatic:
        view = DiffStatic(id="view")
        await self.mount(view)
        view.update(Text("first line\nsecond line"))  # no width yet: painted whole when laid out
        return view


async def test_updated_before_it_has_a_width_the_next_change_still_repaints_only_itself() -> None:
    app = LateView()
    async with app.run_test(size=(40, 6)) as pilot:
        view = await app.add()
        await pilot.pause()
        assert "second line" in plain(view)
        calls = record_refreshes(view)
        view.update(Text("first line\nsecond LINE"))
        assert calls == [((Region(7, 1, 4, 1),), {})], calls  # "LINE" only, not the whole widget again


async def test_the_overview_shows_placeholders_when_getjob_is_slow_and_the_details_when_they_come() -> None:
    app = make_app()
    async with app.run_test(size=(140, 40)) as pilot:
        await ready(pilot)
        main = app.main_screen
        pane = main.job_pane
        client = app.session.client
        app.select_job("realtime_dw", "dws_gmv_1min")
        await wait_for(pilot, lambda: pane.detail is not None and "dws_gmv_1min" in plain(pane.query_one(
            "#overview-body")), what="the first job's details")
        # The next job's details are held back until the test lets them go: a slow GetJob, made certain.
        slow = Gate(client, "get_job", when=lambda project, job, *a, **k: job == "ods_orders_ingest")
        app.select_job("realtime_dw", "ods_orders_ingest")
        body = pane.query_one("#overview-body")
        title = pane.query_one("#job-title")
        await wait_for(pilot, lambda: "ods_orders_ingest" in plain(title), what="the title follows at once")
        await wait_for(pilot, lambda: slow.waiting, what="GetJob in flight")
        # Within DETAILS_WAIT_S the body says what is known about the new job, with "…" for the rest: it never
        # keeps showing the previous job's details under the new title.
        await wait_for(pilot, lambda: "ods_orders_ingest" in plain(body), timeout=job_pane.DETAILS_WAIT_S + 5,
                       what="the body on the new job")
        text = plain(body)
        assert "dws_gmv_1min" not in text and "Engine        …" in text, text
        slow.release()
        await wait_for(pilot, lambda: pane.detail is not None, what="the details after all")
        assert "Engine        …" not in plain(body)
        # Back to the first job, its GetJob held: its details were kept, so the pane paints them at once.
        held = Gate(client, "get_job", when=lambda project, job, *a, **k: job == "dws_gmv_1min")
        app.select_job("realtime_dw", "dws_gmv_1min")
        await wait_for(pilot, lambda: "dws_gmv_1min" in plain(title), what="the title")
        await wait_for(pilot, lambda: held.waiting, what="its GetJob in flight")
        assert pane.detail is not None and "Engine        …" not in plain(body)
        assert "dws_gmv_1min" in plain(body)
        held.release()
