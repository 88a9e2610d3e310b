"""Editing a job's code and properties: in the app's editor or in $EDITOR, with drafts and conflict checks."""

from __future__ import annotations

from typing import TYPE_CHECKING

from foas_tui.api import errors
from foas_tui.error_guard import work
from foas_tui.screens.ops.base import OpsBase
from foas_tui.services.selection import Selection

if TYPE_CHECKING:
    from foas_tui.services.drafts import EditSession


class EditActions(OpsBase):
    """Keys E ctrl+e K."""

    def action_ops_edit_code(self) -> None:
        target = self._ops_one()
        if target is not None:
            self._ops_edit_worker(target, "code")

    def action_ops_edit_properties(self) -> None:
        target = self._ops_one()
        if target is not None:
            self._ops_edit_worker(target, "properties")

    async def _ops_open_edit(self, target: Selection, kind: str) -> EditSession | None:
        from foas_tui.screens.code_editor import open_edit
        from foas_tui.services.drafts import DraftKey, EditSession, fetch_job_text

        if self.ops_read_only:  # view only: no drafts are read or written
            try:
                text, modify_time, _ = await fetch_job_text(self.ops_session.client, target.project,
                                                            target.job_name, kind)
            except errors.FoasError as err:
                self._ops_fail(err, f"reading {target.job_name}")
                return None
            key = DraftKey(self.ops_session.profile_name, target.project, target.job_name, kind)
            return EditSession(self.ops_drafts, key, text, modify_time, text)
        return await open_edit(self._app, self.ops_drafts, self.ops_session.profile_name, target, kind)

    @work(group="ops-edit", exclusive=True, exit_on_error=False)
    async def _ops_edit_worker(self, target: Selection, kind: str) -> None:
        from foas_tui.screens.code_editor import CodeEditorScreen
        from foas_tui.screens.properties_form import PropertiesFormScreen

        try:
            edit = await self._ops_open_edit(target, kind)
            if edit is None:
                return
            if kind == "code":
                await self._app.push_screen(CodeEditorScreen(edit, target, self.ops_drafts,
                                                             read_only=self.ops_read_only))
            else:
                await self._app.push_screen(PropertiesFormScreen(edit, target, read_only=self.ops_read_only))
        except Exception as err:
            self._ops_fail(err, f"editing {target.job_name}")

    def action_ops_edit_external(self) -> None:
        target = self._ops_one()
        if target is not None:
            self._ops_external_worker(target)

    @work(group="ops-edit", exclusive=True, exit_on_error=False)
    async def _ops_external_worker(self, target: Selection) -> None:
        from foas_tui.screens.code_editor import CodeEditorScreen, run_external_editor, save_flow

        app = self._app
        try:
            edit = await self._ops_open_edit(target, "code")
            if edit is None:
                return
            text = await run_external_editor(app, self.ops_drafts, edit)
            if text is not None and text != edit.text:
                edit.record(text)
            if not edit.dirty:
                app.notify(f"{target.job_name}: no changes", timeout=3, markup=False)
                return
            result = await save_flow(app, edit, target)
            if result in ("kept", "cancelled", "error", "theirs") and edit.dirty:
                app.notify("your edit is kept as a draft; it opens in the editor now", timeout=6)
                await app.push_screen(CodeEditorScreen(edit, target, self.ops_drafts))
        except Exception as err:
            self._ops_fail(err, f"editing {target.job_name}")
