"""The main screen: project tree (left), job pane (right), live instance table (bottom), filter, status."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import events
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.timer import Timer
from textual.widget import Widget

from foas_tui import keys
from foas_tui.error_guard import Screen as GuardedScreen
from foas_tui.error_guard import on, work
from foas_tui.screens import layout
from foas_tui.screens.main_jumps import JumpsMixin
from foas_tui.services.selection import Selection
from foas_tui.services.session import JobInfo
from foas_tui.services.tree_state import TreeState, default_state_path
from foas_tui.text import safe_text
from foas_tui.widgets import job_messages
from foas_tui.widgets.filter_bar import FilterBar, FilterHint, compile_filter
from foas_tui.widgets.header import AppHeader
from foas_tui.widgets.instance_table import InstanceTable
from foas_tui.widgets.job_pane import JobPane
from foas_tui.widgets.key_footer import KeyFooter
from foas_tui.widgets.project_tree import ProjectTree
from foas_tui.widgets.status_bar import StatusBar

if TYPE_CHECKING:
    from foas_tui.app import FoasApp
    from foas_tui.services.metrics import DelayTrendCache

MAX_SCOPE_FOLDERS = 200  # folders loaded to list a folder's whole subtree in the live table
TREND_INTERVAL_S = 60.0  # delay sparklines: one round of GetInstanceMetric calls a minute at most


class MainScreen(JumpsMixin, GuardedScreen):
    """Browse and watch: every pane is reachable with Tab, every action with a key."""

    BINDINGS = keys.bindings("main")  # foas_tui/keys.py defines every key
    ALLOW_IN_MAXIMIZED_VIEW = layout.MAIN_ZOOM_COMPANIONS  # header, filter, status and footer stay when zoomed

    def __init__(self, state_path: Path | None | bool = True, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._state_path = state_path
        self._trend_timer: Timer | None = None
        self._forget_account()

    def _forget_account(self) -> None:
        """The state that belongs to one account and region (reset by `start_over`)."""
        self.scope_jobs: list[JobInfo] = []
        self._counts: tuple[tuple[int, ...], Any] | None = None  # (what they were counted from, JobCounts)
        self.scope_key: tuple[str, str | None] | None = None
        self._project_jobs: dict[str, list[JobInfo]] = {}
        self._history: list[Widget] = []
        self._current_job: JobInfo | None = None
        # The job the operator picked (a jump, the tree, the focused table). A load that lands later moves the
        # live table's cursor by itself (its first row); that must not replace this choice in the job pane.
        self._chosen_job: tuple[str, str] | None = None
        self._trend_cache: DelayTrendCache | None = None
        self._trend_running = False
        self._trend_again = False
        self._trend_soon = False
        self.trend_rounds = 0  # finished trend fetches (tests and screenshots wait for one)
        self._attention: set[tuple[str, str]] = set()  # jobs the tree last showed as needing attention

    @property
    def foas(self) -> FoasApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        app = self.foas
        session = app.session
        path = default_state_path() if self._state_path is True else (self._state_path or None)
        self.tree_state = TreeState(path, f"{session.profile_name}@{session.region_id}")
        yield AppHeader(id="header")
        with Horizontal(id="top"):
            yield ProjectTree(session, self.tree_state, attention=app.health.needs_attention, id="tree")
            yield JobPane(clock=app.clock, id="job-pane")
        yield InstanceTable(clock=app.clock, delay_warn_seconds=session.config.triage.delay_seconds,
                            attention=app.health.needs_attention, id="live")
        yield FilterBar(id="filter")
        yield FilterHint(id="filter-hint")
        yield StatusBar(id="status")
        yield KeyFooter()

    def zoom_target(self) -> Widget | None:
        """What `z` zooms here: the pane that holds the focus (screens/layout.py)."""
        return layout.focused_pane(self)

    def on_mount(self) -> None:
        self._set_up_panes()
        self.set_interval(1.0, self.update_status, name="status-tick")
        self.update_status()

    def _set_up_panes(self) -> None:
        self.tree.border_title = "projects"
        self.live.border_title = "jobs"
        self.query_one("#filter", FilterBar).display = False
        self.tree.focus()

    async def start_over(self) -> None:
        """Another account or region (`:profile`, `:region`): forget this one's jobs, compose the panes anew.

        The same screen object stays (it is the app's default screen, which Textual cannot switch out).
        """
        self.save_state()
        self.workers.cancel_node(self)  # scope loads, trend fetches and jumps of the old account
        if self._trend_timer is not None:
            self._trend_timer.stop()
            self._trend_timer = None
        self._forget_account()
        await self.recompose()  # compose() reads the new session: tree state key, header, tree
        self._set_up_panes()
        self.update_status()

    def on_resize(self, event: events.Resize) -> None:
        layout.size_classes(self, event.size)  # the short layout below 32 rows (styles/layout.tcss)

    def on_descendant_focus(self) -> None:
        layout.focus_classes(self)

    # --- widgets ----------------------------------------------------------------------------------

    @property
    def tree(self) -> ProjectTree:
        return self.query_one("#tree", ProjectTree)

    @property
    def live(self) -> InstanceTable:
        return self.query_one("#live", InstanceTable)

    @property
    def job_pane(self) -> JobPane:
        return self.query_one("#job-pane", JobPane)

    # --- selection contract -----------------------------------------------------------------------

    def _selection(self, job: JobInfo) -> Selection:
        return Selection(job.project, job.job_name, job.job_type, self._folder_path(job))

    def _folder_path(self, job: JobInfo) -> str:
        node = self.tree.job_nodes.get(job.key)
        if node is not None and node.data is not None:
            return node.data.path
        if job.folder_id is not None:
            return self.tree.folder_paths.get((job.project, job.folder_id), job.folder_path)
        return job.folder_path

    def current_selection(self) -> Selection | None:
        focused = self.focused
        if focused is self.live:
            job = self.live.cursor_job()
            if job is not None:
                return self._selection(job)
        if focused is self.tree:
            node = self.tree.cursor_node
            if node is not None and node.data is not None and node.data.job is not None:
                return self._selection(node.data.job)
        return self._selection(self._current_job) if self._current_job is not None else None

    def marked_selections(self) -> list[Selection]:
        return [self._selection(job) for job in self.live.marked_jobs()]

    def known_projects(self) -> list[str]:
        return list(self.tree.projects)

    def known_jobs(self) -> list[tuple[str, str]]:
        keys = dict.fromkeys(job.key for job in self.scope_jobs)
        keys.update(dict.fromkeys(self.tree.job_nodes))
        for jobs in self._project_jobs.values():
            keys.update(dict.fromkeys(job.key for job in jobs))
        return list(keys)

    def job_infos(self) -> dict[tuple[str, str], JobInfo]:
        """The JobInfo of every job loaded so far (type, folder, queue), for the palette's field filter."""
        infos: dict[tuple[str, str], JobInfo] = {}
        for jobs in self._project_jobs.values():
            infos.update((job.key, job) for job in jobs)
        infos.update((job.key, job) for job in self.scope_jobs)
        return infos

    def save_state(self) -> None:
        self.tree_state.save()

    # --- tree and table events --------------------------------------------------------------------

    @on(ProjectTree.ScopeSelected)
    def _scope_selected(self, event: ProjectTree.ScopeSelected) -> None:
        key = (event.project, event.folder_path)
        if key != self.scope_key:
            # A new scope picked in the tree: the pane follows its table again; but a pane that says its job
            # was deleted keeps saying so until a job is picked (a reload after the delete moves the tree).
            if not self.job_pane.deleted:
                self._chosen_job = None
            self.scope_key = key
            self._load_scope(event.project, event.folder_path)

    @on(ProjectTree.Loaded)
    def _tree_loaded(self) -> None:
        self._watch()
        self.tree_state.save()

    @on(ProjectTree.JobHighlighted)
    @on(InstanceTable.JobHighlighted)
    def _job_highlighted(self, event: job_messages.JobHighlighted) -> None:
        if isinstance(event, InstanceTable.JobHighlighted):
            self._trends_for_new_rows()
            if not self.live.has_focus:
                # The table's cursor moved without the operator (rows arrived): follow it only while
                # nothing was picked, so a jump made before the first load stays where it went.
                if self._chosen_job is None:
                    self._show_job(event.job)
                return
        self._chosen_job = event.job.key
        self._show_job(event.job)

    def _trends_for_new_rows(self) -> None:
        """Rows that just came on screen (the cursor paged down) get their sparkline now, not next minute."""
        # Only rows on screen: a job starting somewhere among 1,000 waits for the minute's round, or every
        # refresh would cost a round of GetInstanceMetric calls (idle CPU, and calls on the account).
        cache = self._trend_cache
        if not self._trend_running and (cache is None or cache.never_fetched(self._running_on_screen())):
            self.request_trends()

    def _running_on_screen(self) -> set[tuple[str, str]]:
        on_screen = self.live.viewport_keys()
        return {job.key for job in self.live.running_stream_jobs() if job.key in on_screen}

    @on(ProjectTree.JobChosen)
    @on(InstanceTable.JobChosen)
    def _job_chosen(self, event: job_messages.JobChosen) -> None:
        self._chosen_job = event.job.key
        self._show_job(event.job)
        self._drill_into(self.job_pane)

    def _show_job(self, job: JobInfo) -> None:
        self._current_job = job
        self.job_pane.show_job(job, self.foas.refresher.rows.get(job.key))

    def _drill_into(self, pane: JobPane) -> None:
        if self.focused is not None:
            self._history.append(self.focused)
        pane.focus_content()

    # --- scope of the live table ------------------------------------------------------------------

    @work(exclusive=True, group="scope", exit_on_error=False)
    async def _load_scope(self, project: str, folder_path: str | None) -> None:
        await asyncio.sleep(0.05)  # debounce cursor runs over the tree
        label = project if folder_path is None else f"{project}:{folder_path}"
        self.live.border_title = safe_text(f"{label} [loading…]")
        try:
            if folder_path is None:
                jobs = await self._jobs_of_project(project)
            else:
                jobs = await self._jobs_of_folder(project, folder_path)
        except Exception as err:
            self.live.border_title = safe_text(f"{label} [failed: r to retry]")
            self.foas.report_error(err, f"loading the jobs of {label}")
            return
        if self.scope_key != (project, folder_path):
            return
        self.scope_jobs = jobs
        self.live.set_scope(label, jobs)
        self._watch()

    async def _jobs_of_project(self, project: str) -> list[JobInfo]:
        if project not in self._project_jobs:
            self._project_jobs[project] = await self.foas.session.project_jobs(project)
            self.tree.set_project_jobs(project, [job.key for job in self._project_jobs[project]])
        return self._project_jobs[project]

    async def _jobs_of_folder(self, project: str, folder_path: str) -> list[JobInfo]:
        """Jobs in the folder and all its sub-folders (loaded breadth first, at most MAX_SCOPE_FOLDERS)."""
        node = await self.tree.reveal_folder(project, folder_path)
        if node is None:
            return []
        jobs: list[JobInfo] = []
        queue, loaded = [node], 0
        while queue and loaded < MAX_SCOPE_FOLDERS:
            current = queue.pop(0)
            await self.tree.ensure_loaded(current)
            loaded += 1
            for child in current.children:
                data = child.data
                if data is None:
                    continue
                if data.kind == "job" and data.job is not None:
                    jobs.append(data.job)
                elif data.kind == "folder":
                    queue.append(child)
        jobs.sort(key=lambda j: j.job_name.lower())
        return jobs

    def reload_scope(self) -> None:
        """`r`: forget cached job lists and reload the tree (expansion and cursor are restored)."""
        self._project_jobs.clear()
        self.scope_key = None
        self.tree.reload()

    def _watch(self) -> None:
        jobs = {job.key: (job.project, job.job_name, job.job_type) for job in self.scope_jobs}
        for job in self.tree.visible_jobs():
            jobs.setdefault(job.key, (job.project, job.job_name, job.job_type))
        self.foas.watch_jobs(jobs.values())

    # --- refresh results --------------------------------------------------------------------------

    def on_foas_app_refresh_completed(self, message: Any) -> None:
        result = message.result
        self.live.apply(result.rows)
        # A job can turn red without its row changing (the triage board read its checkpoints, an error left
        # the window): relabel those tree nodes too.
        attention = {key for key, row in result.rows.items() if self.foas.health.needs_attention(row)}
        flipped, self._attention = attention ^ self._attention, attention
        self.tree.update_states(result.rows, result.changed | flipped)
        job = self.job_pane.job
        if job is not None:
            self.job_pane.update_run(result.rows.get(job.key))
        self.update_status()
        self._trends_for_new_rows()  # jobs that started running on screen get their sparkline now

    # --- delay trends (the live table's TREND column) ---------------------------------------------

    @property
    def trends_idle(self) -> bool:
        """No trend fetch running or armed to run at once (a settled frame for snapshots)."""
        return not self._trend_running and not self._trend_soon and self.trend_rounds > 0

    def request_trends(self) -> None:
        """Fetch delay trends now, or right after the fetch in flight; the next one is armed after it ends."""
        if self._trend_running:
            self._trend_again = True
            return
        self._arm_trends(0)

    def _arm_trends(self, delay: float) -> None:
        if self._trend_timer is not None:
            self._trend_timer.stop()
        self._trend_soon = delay <= 0
        self._trend_timer = self.set_timer(max(delay, 0.001), self._start_trends, name="trends")

    def _start_trends(self) -> None:
        self._trend_timer = None
        self._trend_soon = False
        self._trend_running = True
        self._trends_worker()

    @work(exclusive=True, group="trends", exit_on_error=False)
    async def _trends_worker(self) -> None:
        try:
            jobs = self.live.running_stream_jobs()
            if self._trend_cache is None:
                from foas_tui.services.metrics import DelayTrendCache  # with the first trend round, not at startup

                # The TTL is a little under the interval so each timer tick finds last round's jobs due.
                self._trend_cache = DelayTrendCache(ttl_s=TREND_INTERVAL_S * 0.9, now=self.foas.clock)
            if jobs:
                trends = await self._trend_cache.refresh(self.foas.session.client, jobs, self.live.viewport_keys())
                self.live.set_trends(trends)
        except Exception:  # best effort: a failed round leaves the column as it is
            pass
        finally:
            self._trend_running = False
            self.trend_rounds += 1
            again, self._trend_again = self._trend_again, False
            if self.is_attached:
                self._arm_trends(0 if again else TREND_INTERVAL_S)

    def update_status(self) -> None:
        try:
            status = self.query_one("#status", StatusBar)
            header = self.query_one("#header", AppHeader)
        except Exception:  # not composed yet / shutting down
            return
        counts = self._scope_counts()
        call = self.foas.session.client.slowest_pending()
        status.show(self.foas.refresher, self.foas.clock(), counts,
                    (call.operation, call.elapsed()) if call is not None else None)
        header.update_header()

    def _scope_counts(self) -> Any:
        """The status bar's counts, scored again only when the rows, the scope or the deep checks changed.

        The status line ticks every second; scoring 1,000 rows each time was most of the idle CPU. Counted
        once per refresh, they also agree with the table's red names, which change only with a refresh."""
        refresher, health = self.foas.refresher, self.foas.health
        basis = (id(refresher), refresher.generation, id(self.scope_jobs), len(self.scope_jobs), id(health),
                 len(health.deep))
        if self._counts is None or self._counts[0] != basis:
            self._counts = (basis, health.counts(refresher.rows, (job.key for job in self.scope_jobs)))
        return self._counts[1]

    # --- copy (OSC 52: works over SSH) -----------------------------------------------------------

    def action_copy_job(self, details: bool = False) -> None:
        """`y`: PROJECT/JOB; `Y`: also the instance, its state and the engine handle (YARN app | Flink job id)."""
        job = self._current_job
        if job is None:
            self.notify("no job selected", severity="warning", timeout=2)
            return
        text = f"{job.project}/{job.job_name}"
        if details:
            row = self.foas.refresher.rows.get(job.key)
            lines = [f"job: {text}", f"type: {job.job_type}"]
            if row is not None and row.instance_id:
                lines += [f"instance: {row.instance_id}", f"state: {row.actual_state} (expected {row.expect_state})",
                          f"engine handle: {row.engine_job_handler or '-'}"]
            text = "\n".join(lines)
        from foas_tui.services import clipboard  # with the first copy, not at startup

        result = clipboard.copy_text(self.app, text, what=job.job_name if not details else f"{job.job_name}'s ids")
        self.notify(result.message, severity="information" if result.ok else "warning", timeout=3, markup=False)

    # --- filter -----------------------------------------------------------------------------------

    def action_filter(self) -> None:
        bar = self.query_one("#filter", FilterBar)
        target = self.tree if self.focused is self.tree else self.live
        bar.target = target.id or ""
        bar.value = target.filter_text
        bar.display = True
        if target is self.tree:
            bar.placeholder = "/ filter the tree: text, or !text for the others — Enter keeps, Esc clears"
        else:
            bar.placeholder = ("/ filter the jobs: text !text /regex/ state:failed queue:etl type:batch delay>5m "
                               "(space = and, | = or) — Enter keeps, Esc clears")
        bar.focus()

    @on(FilterBar.Changed, "#filter")
    def _filter_changed(self, event: FilterBar.Changed) -> None:
        self._apply_filter(event.value)

    def _apply_filter(self, text: str) -> None:
        bar = self.query_one("#filter", FilterBar)
        if bar.target != "tree":
            # The jobs table takes the filter language (fields, comparisons, regex); a filter that cannot be read
            # says why under the prompt and the table keeps the last one that could, so typing never blinks.
            from foas_tui.services.filter_query import JOB_ALIASES, JOB_FIELDS, FilterError, parse_query

            try:
                query = parse_query(text, JOB_FIELDS, JOB_ALIASES)
            except FilterError as err:
                bar.set_error(err)
                return
            bar.set_error(None)
            self.live.set_filter(text, query)
            return
        matcher = compile_filter(text)
        target = self.tree
        target.set_filter(text, matcher)
        if target is self.tree:
            self.tree.border_title = safe_text(f"projects │ /{text}" if matcher else "projects")
            if matcher is not None:
                self._load_for_filter()

    @work(group="filter-load", exclusive=True, exit_on_error=False)
    async def _load_for_filter(self) -> None:
        """A tree filter searches loaded nodes: load the folders of the open projects (once) so it finds jobs."""
        queue = [node for node in self.tree.projects.values() if node.is_expanded]
        loaded = 0
        while queue and loaded < MAX_SCOPE_FOLDERS:
            node = queue.pop(0)
            try:
                await self.tree.ensure_loaded(node)
            except Exception as err:
                self.foas.report_error(err, "loading folders for the filter")
                return
            loaded += 1
            queue.extend(c for c in node.children if c.data is not None and c.data.kind == "folder")

    @on(FilterBar.Done)
    def _filter_done(self, event: FilterBar.Done) -> None:
        bar = event.bar
        if event.cleared:
            self._apply_filter("")
        elif bar.error is not None:  # Enter on a filter that cannot be read: the last valid one stays
            bar.value = (self.tree if bar.target == "tree" else self.live).filter_text
            bar.set_error(None)
        bar.display = False
        (self.tree if bar.target == "tree" else self.live).focus()

    # --- navigation -------------------------------------------------------------------------------

    def _panes(self) -> list[Widget]:
        return [self.tree, self.live, self.job_pane]

    def action_focus_pane(self, step: int) -> None:
        panes = self._panes()
        focused = self.focused
        current = 0
        for index, pane in enumerate(panes):
            if focused is not None and (focused is pane or pane in focused.ancestors):
                current = index
                break
        target = panes[(current + step) % len(panes)]
        if target is self.job_pane:
            self.job_pane.focus_content()
        else:
            target.focus()

    def action_back(self) -> None:
        """Esc: cancel a slow call, else leave the job pane, else clear a filter, else go up one level in the tree."""
        if self.cancel_slow_calls():
            return
        focused = self.focused
        if focused is not None and (focused is self.job_pane or self.job_pane in focused.ancestors):
            previous = self._history.pop() if self._history else self.tree
            (previous if previous.is_attached else self.tree).focus()
            return
        if focused is self.live and self.live.matcher is not None:
            self.live.set_filter("", None)
            return
        if focused is self.tree and self.tree.matcher is not None:
            self.tree.set_filter("", None)
            self.tree.border_title = "projects"
            return
        if focused is self.live:
            self.tree.focus()
            return
        self.tree.action_collapse_or_parent()

    def job_deleted(self, key: tuple[str, str]) -> None:
        """A job was deleted (here, or the service no longer knows it): its pane says so instead of old data."""
        pane = self.job_pane
        if pane.job is not None and pane.job.key == key:
            pane.mark_deleted()

    def cancel_slow_calls(self) -> bool:
        """Cancel the calls shown as slow in the status line; their loads fail with "Cancelled" (r retries)."""
        from foas_tui.widgets.status_bar import SLOW_CALL_S

        cancelled = self.foas.session.client.cancel_pending(older_than=SLOW_CALL_S)
        if not cancelled:
            return False
        names = ", ".join(sorted({call.operation for call in cancelled}))
        self.foas.notify(f"cancelled {names} after {cancelled[0].elapsed():.0f} s without an answer; r retries",
                         title="Cancelled", severity="warning", timeout=5, markup=False)
        self.update_status()
        return True
