"""The main screen's jumps: `:project NAME`, `:folder PATH`, `:job NAME` (and `g` from the triage board or What
failed, the palette): load what is needed, open the tree down to it, and move the live table there.

A jump is the operator's choice: loads that finish later never move away from it (issue 13's lost jump).
"""

from __future__ import annotations

from typing import Any

from foas_tui.error_guard import work
from foas_tui.services.session import JobInfo, job_info


class JumpsMixin:
    """Mixed into MainScreen (a plain class; MainScreen provides the tree, the live table and the scope)."""

    tree: Any
    live: Any
    foas: Any
    scope_key: tuple[str, str | None] | None
    scope_jobs: list[JobInfo]
    _chosen_job: tuple[str, str] | None
    _project_jobs: dict[str, list[JobInfo]]

    def select_project(self, name: str) -> None:
        self._select_project(name)

    @work(group="jump", exclusive=True, exit_on_error=False)
    async def _select_project(self, name: str) -> None:
        await self.tree.projects_loaded.wait()
        project = self._match_project(name)
        if project is None:
            self.notify(f"no project named {name!r}", severity="warning", markup=False)
            return
        node = self.tree.projects[project]
        node.expand()
        self.tree.focus_node(node)
        self.tree.focus()

    def _match_project(self, name: str) -> str | None:
        if name in self.tree.projects:
            return name
        lowered = name.lower()
        matches = [p for p in self.tree.projects if lowered in p.lower()]
        return matches[0] if len(matches) == 1 else (next((p for p in matches if p.lower() == lowered), None))

    def _cursor_project(self) -> str | None:
        node = self.tree.cursor_node
        if node is not None and node.data is not None and node.data.project:
            return node.data.project
        return self.scope_key[0] if self.scope_key else next(iter(self.tree.projects), None)

    def select_folder(self, path: str) -> None:
        project, sep, folder = path.partition(":")
        if not sep:
            project, folder = self._cursor_project() or "", path
        self._select_folder(project, folder if folder.startswith("/") else "/" + folder)

    @work(group="jump", exclusive=True, exit_on_error=False)
    async def _select_folder(self, project: str, path: str) -> None:
        await self.tree.projects_loaded.wait()
        try:
            node = await self.tree.reveal_folder(project, path)
        except Exception as err:
            self.foas.report_error(err, f"opening {path}")
            return
        if node is None:
            self.notify(f"no folder {path} in {project or 'this project'}", severity="warning", markup=False)
            return
        node.expand()
        self.tree.focus_node(node)
        self.tree.focus()

    def select_job(self, project: str, job_name: str) -> None:
        self.find_and_select_job(job_name, project)

    def find_and_select_job(self, job_name: str, project: str | None = None) -> None:
        self._find_job(job_name, project)

    @work(group="jump", exclusive=True, exit_on_error=False)
    async def _find_job(self, job_name: str, project: str | None) -> None:
        await self.tree.projects_loaded.wait()
        try:
            found = await self._locate(job_name, project)
        except Exception as err:
            self.foas.report_error(err, f"looking for job {job_name}")
            return
        if found is None:
            where = f" in {project}" if project else ""
            self.notify(f"no job named {job_name!r}{where}", severity="warning", markup=False)
            return
        project_name, folder_id, job = found
        node = await self.tree.reveal_job(project_name, job_name, folder_id)
        if node is not None:
            self.tree.focus_node(node)
            self.tree.focus()
            if node.data is not None and node.data.job is not None:
                job = node.data.job
                self._scope_to_folder_of(job, node.data.project, node.data.path)
        self._chosen_job = job.key
        self._show_job(job)
        self.live.move_to_job(job.key)  # or, when its rows are still loading, as soon as they arrive

    def _scope_to_folder_of(self, job: JobInfo, project: str, folder_path: str) -> None:
        """A jump to a job the live table does not list moves the table to the job's folder (as k9s does)."""
        if any(known.key == job.key for known in self.scope_jobs):
            return
        key = (project, None if folder_path in ("", "/") else folder_path)
        if key != self.scope_key:
            self.scope_key = key
            self._load_scope(*key)

    async def _locate(self, job_name: str, project: str | None) -> tuple[str, int | None, JobInfo] | None:
        """Loaded jobs first; else ask ListJob(jobName) per project (exact name match)."""
        candidates = [project] if project else self.known_projects()
        for key, node in self.tree.job_nodes.items():
            if key[1] == job_name and key[0] in candidates and node.data is not None and node.data.job is not None:
                return key[0], node.data.folder_id, node.data.job
        for name in candidates:
            for job in self._project_jobs.get(name, []):
                if job.job_name == job_name:
                    return name, job.folder_id, job
        for name in candidates:
            response = await self.foas.session.client.list_job(name, job_name=job_name, is_show_full_field=False,
                                                               page_size=50)
            for item in response.items:
                if item.job_name == job_name:
                    return name, item.folder_id, job_info(name, item)
        return None
