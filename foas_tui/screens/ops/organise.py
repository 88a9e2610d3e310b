"""Creating and organising: new job, new/move/delete folder, and the resources screen."""

from __future__ import annotations

from rich.text import Text

from foas_tui.api import errors
from foas_tui.error_guard import work
from foas_tui.screens.ops.base import OpsBase
from foas_tui.services.selection import Selection


class OrganiseActions(OpsBase):
    """Keys n N M X R."""

    def action_ops_new_job(self) -> None:
        project, path, _ = self._ops_scope()
        if project is None:
            self._app.notify("select a project first", severity="warning")
            return
        self._ops_new_job_worker(project, path)

    @work(group="ops", exit_on_error=False)
    async def _ops_new_job_worker(self, project: str, path: str) -> None:
        from foas_tui.screens.confirm import Choice, ChoiceScreen
        from foas_tui.screens.create_job import CreateJobContext, CreateJobScreen

        app = self._app
        client = self.ops_session.client
        try:
            context = CreateJobContext(project, path)
            try:
                bound = await client.list_project_bind_queue(project)
                context.queues = [(q.cluster_id or "", q.queue_name or "") for q in bound.queues if q.queue_name]
                if context.queues and context.queues[0][0]:
                    versions = await client.get_cluster_engine_versions(context.queues[0][0])
                    context.engine_versions = [v for v in versions.engine_versions if v]
            except errors.FoasError as err:
                self._ops_fail(err, "reading the project's queues")
            main = getattr(app, "main_screen", None)
            if main is not None and hasattr(main, "known_jobs"):
                context.existing = {job for proj, job in main.known_jobs() if proj == project}
            request = await app.push_screen_wait(CreateJobScreen(context))
            if request is None:
                return
            folder_id = await self._ops_folder_id(project, request.folder_path)
            if folder_id is False:
                return
            await client.create_job(
                project, request.api_type, request.cluster_id or "", request.code,
                _engine_version(request.engine_version), request.job_name, request.job_type, "",
                request.queue_name or "", properties=request.properties, description=request.description or None,
                folder_id=folder_id if isinstance(folder_id, int) else None)
            app.notify(f"{request.job_name} created in {request.folder_path} (offline)", timeout=5, markup=False)
            self._ops_refresh()
            answer = await app.push_screen_wait(ChoiceScreen(
                "Job created", f"{request.job_name} exists now, offline. Edit its code now?", [
                    Choice("edit", "Edit code", "primary", "e"), Choice("later", "Later", "default", "l")]))
            if answer == "edit":
                sel = Selection(project, request.job_name, request.job_type, request.folder_path)
                self._ops_edit_worker(sel, "code")
        except errors.FoasError as err:
            self._ops_fail(err, "creating the job")
        except Exception as err:
            self._ops_fail(err, "creating the job")

    async def _ops_folder_id(self, project: str, path: str) -> int | None | bool:
        """The folder's id, creating it (and missing parents) after asking; False when the operator declines."""
        from foas_tui.screens.confirm import Choice, ChoiceScreen

        client = self.ops_session.client
        missing: list[str] = []
        folder_id = None
        current = path
        while current != "/":
            folder_id = await self._ops_lookup_folder(project, current)
            if folder_id is not None:
                break
            missing.insert(0, current)
            current = current.rsplit("/", 1)[0] or "/"
        if not missing:
            return folder_id if path != "/" else await self._ops_lookup_folder(project, "/")
        answer = await self._app.push_screen_wait(ChoiceScreen(
            "Folder does not exist", f"{', '.join(missing)} do(es) not exist in {project}. Create it?", [
                Choice("create", "Create folder", "primary", "y"), Choice("cancel", "Cancel", "default", "n")]))
        if answer != "create":
            return False
        for folder in missing:  # parents first: the service needs them
            folder_id = (await client.create_folder(project, folder)).folder_id
        return folder_id

    async def _ops_lookup_folder(self, project: str, path: str) -> int | None:
        try:  # the doc's demo reads a missing folder as an empty answer; a service may also say NotFound
            folder = (await self.ops_session.client.get_folder(project, path)).folder
        except errors.NotFoundError:
            return None
        return getattr(folder, "folder_id", None) if folder is not None else None

    def action_ops_new_folder(self) -> None:
        project, path, _ = self._ops_scope()
        if project is None:
            self._app.notify("select a project first", severity="warning")
            return
        self._ops_folder_worker("create", project, path)

    def action_ops_move_folder(self) -> None:
        project, path, folder = self._ops_scope()
        if project is None or not folder or folder == "/":
            self._app.notify("put the tree cursor on a folder (not the root) to move it", severity="warning")
            return
        self._ops_folder_worker("move", project, folder)

    @work(group="ops", exit_on_error=False)
    async def _ops_folder_worker(self, action: str, project: str, path: str) -> None:
        from foas_tui.screens.confirm import ConfirmScreen
        from foas_tui.screens.folders import MOVE_NOTE, FolderFormScreen

        app = self._app
        client = self.ops_session.client
        try:
            request = await app.push_screen_wait(FolderFormScreen(action, project, path))
            if request is None:
                return
            if request.action == "create":
                created = await client.create_folder(project, request.path)
                app.notify(f"folder {request.path} created (id {created.folder_id})", timeout=4, markup=False)
            else:
                folders, jobs = await self._ops_folder_contents(project, request.path)
                what = f"{len(jobs)} job(s) and {len(folders)} sub-folder(s) move along."
                ok = await app.push_screen_wait(ConfirmScreen(
                    f"Move {request.path}?", f"{request.path} -> {request.dest}. {what}\n{MOVE_NOTE}",
                    jobs, confirm_label="Move", danger=len(jobs) > 0))
                if not ok:
                    return
                await client.mv_folder(project, request.dest, request.path)
                app.notify(f"moved {request.path} to {request.dest}", timeout=4, markup=False)
                main = getattr(app, "main_screen", None)
                if main is not None:  # the tree follows the folder to its new place
                    main.tree.folder_moved(project, request.path, request.dest)
            self._ops_refresh()
        except Exception as err:
            self._ops_fail(err, f"{action} folder")

    async def _ops_folder_contents(self, project: str, path: str) -> tuple[list[str], list[str]]:
        client = self.ops_session.client
        children = (await client.list_child_folder(project, path)).folders
        prefix = path.rstrip("/") + "/"
        folders = [f.path for f in children if f.path and f.path.startswith(prefix) and f.path != path]
        folder = (await client.get_folder(project, path)).folder
        jobs: list[str] = []
        if folder is not None and folder.folder_id is not None:
            async for job in client.iter_list_job(project, folder_id=folder.folder_id, page_size=100):
                jobs.append(job.job_name or "")
        return folders, jobs

    def action_ops_delete_folder(self) -> None:
        project, _path, folder = self._ops_scope()
        if project is None or not folder or folder == "/":
            self._app.notify("put the tree cursor on a folder (not the root) to delete it", severity="warning")
            return
        self._ops_delete_folder_worker(project, folder)

    @work(group="ops", exit_on_error=False)
    async def _ops_delete_folder_worker(self, project: str, path: str) -> None:
        from foas_tui.screens.confirm import ConfirmScreen, TextScreen
        from foas_tui.screens.folders import DELETE_NOTE

        app = self._app
        try:
            folders, jobs = await self._ops_folder_contents(project, path)
            if folders or jobs:
                body = Text(f"{DELETE_NOTE}\n\n{path} holds {len(folders)} sub-folder(s) and {len(jobs)} job(s):\n"
                            + "\n".join(f"• {x}" for x in (folders + jobs)[:20]))
                await app.push_screen_wait(TextScreen(f"{path} is not empty", body))
                return
            ok = await app.push_screen_wait(ConfirmScreen(
                f"Delete folder {path}?", f"Deletes the empty folder {path} from {project} (DeleteFolder).",
                [path], notes=[DELETE_NOTE], confirm_label="Delete folder"))
            if not ok:
                return
            await self.ops_session.client.delete_folder(project, path)
            app.notify(f"folder {path} deleted", timeout=4, markup=False)
            self._ops_refresh()
        except Exception as err:
            self._ops_fail(err, "delete folder")

    # --- resources ------------------------------------------------------------------------------------

    def action_ops_resources(self, kind: str = "packages") -> None:
        from foas_tui.screens.resources import ResourcesScreen
        from foas_tui.services.resources import ResourceContext

        project, _, _ = self._ops_scope()
        self._app.push_screen(ResourcesScreen(kind, ResourceContext(project=project),
                                              read_only=self.ops_read_only))


def _engine_version(value: str) -> str:
    # GetClusterEngineVersions lists "<alias>--<engine>" (e.g. current--blink-3.4.4); CreateJob takes the engine.
    return value.split("--", 1)[1] if "--" in value else value
