"""The live table's cells that repeat from row to row are one shared Text each (memory at 10,000 jobs: issue
16). That is only right while nothing changes a cell in place; these tests paint the table in ways that pad and
cut its cells, then check the shared cells are as made, and that each row still shows its own job's values."""

from __future__ import annotations

from test_app_support import make_app, ready

from foas_tui.text import one_line
from foas_tui.widgets import instance_table
from foas_tui.widgets.state_style import timestamp


async def test_painting_the_table_leaves_the_shared_cells_as_they_were_made() -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        live = app.main_screen.live
        rows = app.refresher.rows
        shown = [key for key in live.jobs if key in rows]
        running = [key for key in shown if rows[key].actual_state == "RUNNING"]
        assert len(running) >= 2
        # Two running jobs show the same state through the same object, not one each.
        first, second = (live.get_row(instance_table.row_key(key)) for key in running[:2])
        actual = [c.key for c in instance_table.COLUMNS].index("actual")
        assert first[actual] is second[actual]
        assert first[0] is second[0]  # the mark column, unmarked
        for _ in range(2):  # every row painted (cells padded and cut), narrow and then wide
            for y in range(live.virtual_size.height):
                live.scroll_to(y=max(0, y - 1), animate=False, immediate=True)
                live.render_line(1)
            await pilot.resize_terminal(200, 50)
            await pilot.pause()
        # Each row still shows its own job's values (the shared cells are only for equal values).
        column = {c.key: i for i, c in enumerate(instance_table.COLUMNS)}
        for key in shown:
            row, job = rows[key], live.jobs[key]
            cells = [cell.plain for cell in live.get_row(instance_table.row_key(key))]
            assert cells[column["mark"]] == " "
            assert cells[column["actual"]] == (row.actual_state or "—")
            assert cells[column["expect"]] == (row.expect_state or "—")
            assert cells[column["type"]] == ("batch" if job.job_type == "FLINK_BATCH" else "stream")
            assert cells[column["instance"]] == (str(row.instance_id) if row.instance_id else "—")
            assert cells[column["started"]] == timestamp(row.start_time)
            assert cells[column["error"]] == one_line(row.last_error_message, 200)  # the text door's one line
