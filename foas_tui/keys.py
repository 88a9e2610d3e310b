"""Every key foas-tui binds, screen by screen: the one definition BINDINGS, `?`, the README and `[keymap]` read.

One binding id is one action concept wherever it appears (`view.exceptions` is `e` on the main screen, on a
viewer and on the triage board), so a `[keymap]` entry moves the key everywhere at once. Ids that were
renamed keep working in config.toml and are reported as renamed (`RENAMED`, `resolve_keymap`).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from textual.actions import parse
from textual.binding import Binding, BindingsMap, BindingType
from textual.keys import key_to_character


@dataclass(frozen=True)
class Key:
    """One binding: default keys (comma separated, Textual names), the action it runs and what it means."""

    keys: str
    action: str
    description: str
    id: str | None
    show: bool = True
    key_display: str | None = None
    priority: bool = False
    group: str = ""  # a section of the scope in `?` and the README ("" = the scope's title)
    mutating: bool = False  # sends a change: refused, with a toast saying so, in a read-only session

    def binding(self) -> Binding:
        return Binding(self.keys, self.action, self.description, show=self.show, key_display=self.key_display,
                       priority=self.priority, id=self.id)


@dataclass(frozen=True)
class Scope:
    """The bindings of one class (the app, a screen, a pane): `classes` are the names of the classes using them."""

    name: str
    title: str
    classes: tuple[str, ...]
    keys: tuple[Key, ...] = field(default_factory=tuple)


# --- the definition -----------------------------------------------------------------------------------

JOBS = "Job actions"
VIEWS = "Views of the job"
MOVE = "Move"

_SCOPES: tuple[Scope, ...] = (
    Scope("app", "Global", ("FoasApp",), (
        Key("question_mark", "help", "Help", "app.help", key_display="?"),
        # Priority: resolved as the key arrives, so the keys typed right after it land in the prompt (a
        # bubbling binding ran only after they had gone to the tree's type-ahead). In a text field `:` is text.
        Key("colon", "jump", "Command", "app.jump", key_display=":", priority=True),
        Key("ctrl+p", "command_palette", "Palette", "app.palette", show=False),
        Key("r", "refresh_now", "Refresh", "app.refresh"),
        Key("p", "toggle_pause", "Pause", "app.pause"),
        Key("L", "command_log", "Log", "app.command_log"),
        Key("z", "zoom", "Zoom", "app.zoom"),  # the focused pane full screen and back (screens/layout.py)
        Key("T", "change_theme", "Theme", "app.theme", show=False),
        Key("ctrl+r", "toggle_read_only", "Read-only on/off", "app.read_only", show=False),
        # `q` quits from the main screen only (elsewhere it goes back); both ask first when work would be lost.
        Key("q", "quit", "Quit", "app.quit"),
        Key("ctrl+c", "quit(True)", "Quit", "app.quit_ctrl_c", show=False, priority=True),
    )),
    Scope("views", VIEWS, ("TriageActionsMixin",), (
        Key("e", "exceptions", "Exceptions", "view.exceptions"),
        Key("c", "checkpoints", "Checkpoints", "view.checkpoints"),
        Key("m", "metrics", "Metrics", "view.metrics"),
        Key("i", "internals", "Internals", "view.internals"),
        Key("t", "triage", "Triage", "triage.board"),
        Key("H", "history", "History", "view.history", show=False),
        Key("V", "explorer", "Metric explorer", "view.explorer", show=False),
        Key("Z", "cluster_pulse", "Cluster pulse", "view.cluster_pulse", show=False),
        Key("W", "failures", "What failed (all projects)", "view.failures", show=False),
    )),
    Scope("ops", JOBS, ("OpsActionsMixin",), (
        Key("s", "ops_start", "Start job", "ops.start", mutating=True),
        Key("P", "ops_pause", "Pause job", "ops.pause", show=False, mutating=True),
        Key("ctrl+k", "ops_pause(True)", "Pause job after a checkpoint", "ops.pause_checkpoint", show=False,
            mutating=True),
        Key("u", "ops_resume", "Resume job", "ops.resume", show=False, mutating=True),
        Key("x", "ops_stop", "Stop job", "ops.stop", mutating=True),
        Key("C", "ops_commit", "Commit job", "ops.commit", show=False, mutating=True),
        # not `o`/`O`: the live table sorts with them
        Key("F", "ops_offline", "Take job offline", "ops.offline", show=False, mutating=True),
        Key("D", "ops_delete", "Delete job", "ops.delete", show=False, mutating=True),
        Key("v", "ops_validate", "Validate job SQL", "ops.validate", show=False),
        Key("J", "ops_raw_plan", "Generate raw plan JSON", "ops.raw_plan", show=False),
        Key("dollar_sign", "ops_calc_resources", "Plan resources (cores, memory)", "ops.calc_resources",
            show=False, key_display="$"),
        Key("A", "ops_autoscale", "AutoScale on/off", "ops.autoscale", show=False, mutating=True),
        Key("E", "ops_edit_code", "Edit code", "ops.edit_code"),
        Key("ctrl+e", "ops_edit_external", "Edit code in $EDITOR", "ops.edit_external", show=False, mutating=True),
        Key("K", "ops_edit_properties", "Edit properties", "ops.edit_properties", show=False),
        Key("n", "ops_new_job", "New job", "ops.new_job", show=False, mutating=True),
        Key("N", "ops_new_folder", "New folder", "ops.new_folder", show=False, mutating=True),
        Key("M", "ops_move_folder", "Move folder", "ops.move_folder", show=False, mutating=True),
        Key("X", "ops_delete_folder", "Delete folder", "ops.delete_folder", show=False, mutating=True),
        Key("R", "ops_resources", "Resources", "ops.resources"),
        Key("w", "ops_show_progress", "Last action progress", "ops.show_progress", show=False),
    )),
    Scope("main", "Main screen", ("MainScreen",), (
        Key("tab", "focus_pane(1)", "Next pane", "main.next_pane", show=False),
        Key("shift+tab", "focus_pane(-1)", "Previous pane", "main.previous_pane", show=False),
        Key("slash", "filter", "Filter", "main.filter", key_display="/"),
        Key("escape", "back", "Back", "nav.back", show=False),
        Key("y", "copy_job", "Copy job name", "copy", show=False),
        Key("Y", "copy_job(True)", "Copy job and instance ids", "main.copy_ids", show=False),
    )),
    Scope("tree", "Tree", ("ProjectTree",), (
        Key("j", "cursor_down", "Down", "cursor.down", show=False),
        Key("k", "cursor_up", "Up", "cursor.up", show=False),
        Key("l,right", "expand_or_child", "Open", "tree.open", show=False),
        Key("h,left", "collapse_or_parent", "Close / parent", "tree.close", show=False),
        Key("g,home", "scroll_home", "Top", "cursor.top", show=False),
        Key("G,end", "scroll_end", "Bottom", "cursor.bottom", show=False),
    )),
    Scope("table", "Live table", ("InstanceTable",), (
        Key("j", "cursor_down", "Down", "cursor.down", show=False),
        Key("k", "cursor_up", "Up", "cursor.up", show=False),
        Key("g", "scroll_top", "Top", "cursor.top", show=False),
        Key("G", "scroll_bottom", "Bottom", "cursor.bottom", show=False),
        Key("h", "cursor_left", "Left", "table.left", show=False),
        Key("l", "cursor_right", "Right", "table.right", show=False),
        Key("o", "cycle_sort", "Sort by next column", "table.sort"),
        Key("O", "reverse_sort", "Reverse sort", "table.reverse", show=False),
        Key("space", "toggle_mark", "Mark", "table.mark"),
        Key("ctrl+a", "mark_all", "Mark all / none", "table.mark_all", show=False),
    )),
    # The row cursor of our tables (LineTable, under the live table): the keys DataTable has, as Textual binds them.
    Scope("line_table", "Table", ("LineTable",), (
        Key("enter", "select_cursor", "Select", None, show=False),
        Key("up", "cursor_up", "Cursor up", None, show=False),
        Key("down", "cursor_down", "Cursor down", None, show=False),
        Key("left", "cursor_left", "Scroll left", None, show=False),
        Key("right", "cursor_right", "Scroll right", None, show=False),
        Key("pageup", "page_up", "Page up", None, show=False),
        Key("pagedown", "page_down", "Page down", None, show=False),
        Key("home,ctrl+home", "scroll_top", "First row", None, show=False),
        Key("end,ctrl+end", "scroll_bottom", "Last row", None, show=False),
    )),
    Scope("pane", "Job pane", ("JobPane",), (
        Key("right_square_bracket", "next_tab", "Next tab", "tab.next", key_display="]"),
        Key("left_square_bracket", "previous_tab", "Previous tab", "tab.previous", key_display="[", show=False),
        Key("plus", "more_instances", "Load more instances", "pane.more_instances", key_display="+"),
    )),
    Scope("filter", "Filter prompt", ("FilterBar",), (
        Key("escape", "cancel", "Clear filter", "filter.cancel"),
        Key("enter", "accept", "Keep filter", "filter.accept", show=False),
    )),
    Scope("viewer", "Viewer", ("ViewerScreen",), (
        Key("escape", "close", "Back", "nav.back"),
        Key("r", "reload", "Reload", "app.refresh"),
        # The same keys as on the main screen, but for this screen's job: hop between its views.
        Key("e", "view('exceptions')", "Exceptions", "view.exceptions", show=False, group=VIEWS),
        Key("c", "view('checkpoints')", "Checkpoints", "view.checkpoints", show=False, group=VIEWS),
        Key("m", "view('metrics')", "Metrics", "view.metrics", show=False, group=VIEWS),
        Key("i", "view('internals')", "Internals", "view.internals", show=False, group=VIEWS),
        Key("H", "view('history')", "History", "view.history", show=False, group=VIEWS),
        Key("V", "view('explorer')", "Metric explorer", "view.explorer", show=False, group=VIEWS),
    )),
    Scope("triage_board", "Triage board", ("TriageScreen",), (
        Key("e", "open('exceptions')", "Exceptions", "view.exceptions", group=VIEWS),
        Key("c", "open('checkpoints')", "Checkpoints", "view.checkpoints", group=VIEWS),
        Key("m", "open('metrics')", "Metrics", "view.metrics", group=VIEWS),
        Key("i", "open('internals')", "Internals", "view.internals", group=VIEWS),
        Key("g", "goto_job", "Go to job", "triage_board.goto"),
        Key("a", "toggle_all", "All/broken", "triage_board.all"),
        Key("slash", "filter", "Filter", "main.filter", key_display="/"),
    )),
    Scope("exceptions", "Exceptions", ("ExceptionsScreen",), (
        Key("slash", "search", "Search", "exceptions.search", key_display="/"),
        Key("n", "next_match(1)", "Next", "exceptions.next"),
        Key("N", "next_match(-1)", "Prev", "exceptions.prev", key_display="N"),
        Key("w", "toggle_wrap", "Wrap", "exceptions.wrap"),
        Key("f", "toggle_follow", "Follow", "follow"),
        Key("y", "copy", "Copy", "copy"),
        Key("Y", "copy_all", "Copy all", "exceptions.copy_all", show=False),
        Key("ctrl+s", "save", "Save", "export"),
        Key("plus", "fold_all(False)", "Unfold all", "exceptions.unfold_all", show=False),
        Key("minus", "fold_all(True)", "Fold all", "exceptions.fold_all", show=False),
    )),
    Scope("log_view", "Exception log", ("LogView",), (
        Key("up", "cursor(-1)", "Up", None, show=False, group=MOVE),
        Key("k", "cursor(-1)", "Up", "cursor.up", show=False, group=MOVE),
        Key("down", "cursor(1)", "Down", None, show=False, group=MOVE),
        Key("j", "cursor(1)", "Down", "cursor.down", show=False, group=MOVE),
        Key("pageup,ctrl+b", "page(-1)", "Page up", None, show=False, group=MOVE),
        Key("pagedown,ctrl+f", "page(1)", "Page down", None, show=False, group=MOVE),
        Key("home", "first", "Top", None, show=False, group=MOVE),
        Key("g", "first", "Top", "cursor.top", show=False, group=MOVE),
        Key("end", "last", "Bottom", None, show=False, group=MOVE),
        Key("G", "last", "Bottom", "cursor.bottom", show=False, group=MOVE),
        Key("left,h", "scroll_left", "Left", None, show=False, group=MOVE),
        Key("right,l", "scroll_right", "Right", None, show=False, group=MOVE),
        Key("enter,space", "toggle_fold", "Fold/unfold", "log.fold"),
        Key("right_square_bracket", "block(1)", "Next block", None, show=False, key_display="]"),
        Key("left_square_bracket", "block(-1)", "Prev block", None, show=False, key_display="["),
    )),
    Scope("checkpoints", "Checkpoints", ("CheckpointsScreen",), (
        Key("f", "toggle_follow", "Auto-refresh", "follow"),
        Key("y", "copy", "Copy", "copy"),
        Key("ctrl+s", "save", "Save", "export"),
    )),
    Scope("metrics", "Metrics", ("MetricsScreen",), (
        Key("1", "window('15m')", "15 min", "metrics.window_15m"),
        Key("2", "window('1h')", "1 h", "metrics.window_1h"),
        Key("3", "window('2h')", "2 h", "metrics.window_2h"),
    )),
    Scope("failures", "What failed", ("RecentFailuresScreen",), (
        Key("1", "window(1)", "Last 1 h", "failures.window_1h"),
        Key("2", "window(6)", "Last 6 h", "failures.window_6h"),
        Key("3", "window(24)", "Last 24 h", "failures.window_24h"),
        Key("e", "open('exceptions')", "Exceptions", "view.exceptions", group=VIEWS),
        Key("H", "open('history')", "History", "view.history", group=VIEWS),
        Key("g", "goto_job", "Go to job", "triage_board.goto"),
    )),
    Scope("history", "History", ("HistoryScreen",), (
        Key("left_square_bracket", "tab(-1)", "Prev tab", "tab.previous", key_display="["),
        Key("right_square_bracket", "tab(1)", "Next tab", "tab.next", key_display="]"),
    )),
    Scope("explorer", "Metric explorer", ("MetricExplorerScreen",), (
        Key("1", "window('15m')", "15 min", "metrics.window_15m"),
        Key("2", "window('1h')", "1 h", "metrics.window_1h"),
        Key("3", "window('2h')", "2 h", "metrics.window_2h"),
        Key("space", "toggle", "Pick/unpick", "explorer.toggle"),
        Key("a", "across", "Across jobs", "explorer.across"),
    )),
    Scope("internals", "Internals", ("InternalsScreen",), (
        Key("left_square_bracket", "tab(-1)", "Prev tab", "tab.previous", key_display="["),
        Key("right_square_bracket", "tab(1)", "Next tab", "tab.next", key_display="]"),
    )),
    Scope("command_log", "Command log", ("CommandLogScreen",), (
        Key("escape,q", "close", "Back", "nav.back"),
        Key("c", "copy_cli", "Copy aliyun CLI", "log.copy"),
        Key("e", "toggle_errors", "Errors only", "log.errors"),
        Key("j", "cursor(1)", "Down", "cursor.down", show=False),
        Key("k", "cursor(-1)", "Up", "cursor.up", show=False),
    )),
    Scope("resources", "Resources", ("ResourcesScreen",), (
        Key("escape", "back", "Back", "nav.back"),
        Key("left,[", "tab(-1)", "Prev kind", "tab.previous", show=False),
        Key("right,]", "tab(1)", "Next kind", "tab.next", show=False),
        Key("r,f5", "reload", "Reload", "app.refresh"),
        Key("n", "mutate('n')", "New", "ops.resources.new", mutating=True),
        Key("u", "mutate('u')", "Update", "ops.resources.update", mutating=True),
        Key("d", "mutate('d')", "Delete", "ops.resources.delete", mutating=True),
        Key("b", "mutate('b')", "Bind", "ops.resources.bind", mutating=True),
        Key("U", "mutate('U')", "Unbind", "ops.resources.unbind", mutating=True),
        Key("e", "mutate('e')", "Expand", "ops.resources.expand", mutating=True),
        Key("s", "mutate('s')", "Shrink", "ops.resources.shrink", mutating=True),
        Key("m", "mutate('m')", "Master spec", "ops.resources.master", mutating=True),
        Key("B", "mutate('B')", "Buy cluster", "ops.resources.buy", mutating=True),
        Key("c", "mutate('c')", "Config", "ops.resources.config", mutating=True),
    )),
    Scope("help", "Help", ("HelpScreen",), (
        Key("escape,q,question_mark", "close", "Close help", "dialog.close"),
        Key("j", "scroll(1)", "Down", "cursor.down", show=False),
        Key("k", "scroll(-1)", "Up", "cursor.up", show=False),
        Key("a", "toggle_generic", "Generic keys", "help.generic"),
    )),
    Scope("jump", "Command line", ("JumpScreen",), (
        Key("escape", "cancel", "Cancel", "dialog.close"),
        Key("tab", "complete", "Complete", "jump.complete", priority=True),
    )),
    Scope("confirm", "Confirmation", ("ConfirmScreen",), (
        Key("escape,n", "cancel", "Cancel", "dialog.close"),
        Key("y", "confirm", "Confirm", "confirm.yes"),
    )),
    Scope("choice", "Choice", ("ChoiceScreen",), (
        Key("escape", "dismiss_none", "Back", "dialog.close"),
    )),
    Scope("text", "Report", ("TextScreen",), (
        Key("escape,q", "close", "Close", "dialog.close"),
    )),
    Scope("summary", "Bulk summary", ("BulkSummaryScreen",), (
        Key("escape,q", "close", "Close", "dialog.close"),
    )),
    Scope("auth_help", "Authentication help", ("AuthHelpScreen",), (
        Key("escape,q,enter", "close", "Close", "dialog.close"),
    )),
    Scope("progress", "Action progress", ("ActionProgressScreen",), (
        Key("escape,h", "hide", "Hide", "dialog.close"),
        Key("s", "stop_waiting", "Stop waiting", "ops.progress.stop_waiting"),
    )),
    Scope("plan", "Raw plan", ("PlanScreen",), (
        Key("escape", "close", "Close", "dialog.close"),
    )),
    Scope("start", "Start job", ("StartJobScreen",), (
        Key("escape", "cancel", "Cancel", "dialog.close"),
        Key("ctrl+s", "submit", "Start", "form.submit"),
    )),
    Scope("commit", "Commit job", ("CommitScreen",), (
        Key("escape", "cancel", "Cancel", "dialog.close"),
        Key("ctrl+s", "submit", "Commit", "form.submit"),
    )),
    Scope("create_job", "New job", ("CreateJobScreen",), (
        Key("escape", "cancel", "Cancel", "dialog.close"),
        Key("ctrl+s", "submit", "Create", "form.submit"),
    )),
    Scope("folder", "Folder", ("FolderFormScreen",), (
        Key("escape", "cancel", "Cancel", "dialog.close"),
    )),
    Scope("mutation", "Resource change", ("MutationFormScreen",), (
        Key("escape", "cancel", "Cancel", "dialog.close"),
        Key("ctrl+s", "submit", "Submit", "form.submit"),
    )),
    Scope("properties", "Properties", ("PropertiesFormScreen",), (
        Key("ctrl+s", "save", "Review & save", "ops.props.save"),
        Key("escape", "close", "Close", "dialog.close"),
    )),
    Scope("editor", "Code editor", ("CodeEditorScreen",), (
        Key("ctrl+s", "save", "Save", "ops.editor.save"),
        Key("ctrl+o", "external", "$EDITOR", "ops.editor.external"),
        # priority: the TextArea would otherwise take the first escape to drop its focus
        Key("escape", "close", "Close", "dialog.close", priority=True),
    )),
)

SCOPES: dict[str, Scope] = {scope.name: scope for scope in _SCOPES}

# The README's screens: (heading, scopes) in the order an operator meets them.
SCREENS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Everywhere", ("app",)),
    ("Main screen", ("views", "ops", "main", "tree", "table", "pane", "filter")),
    ("Job viewers: exceptions, checkpoints, metrics, internals, history, metric explorer, cluster pulse",
     ("viewer", "exceptions", "log_view", "checkpoints", "metrics", "internals", "history", "explorer")),
    ("Triage board", ("viewer", "triage_board")),
    ("What failed", ("viewer", "failures")),
    ("Command log", ("command_log",)),
    ("Resources", ("resources",)),
    ("Help", ("help",)),
    ("Dialogs and forms", ("jump", "confirm", "choice", "text", "summary", "auth_help", "progress", "plan", "start",
                           "commit", "create_job", "folder", "mutation", "properties", "editor")),
)

# Old id -> the id of the same action concept now. config.toml may still use the old ones.
RENAMED: dict[str, str] = {
    "triage.exceptions": "view.exceptions", "viewer.exceptions": "view.exceptions",
    "triage_board.exceptions": "view.exceptions",
    "triage.checkpoints": "view.checkpoints", "viewer.checkpoints": "view.checkpoints",
    "triage_board.checkpoints": "view.checkpoints",
    "triage.metrics": "view.metrics", "viewer.metrics": "view.metrics", "triage_board.metrics": "view.metrics",
    "triage.internals": "view.internals", "viewer.internals": "view.internals",
    "triage_board.internals": "view.internals",
    "viewer.back": "nav.back", "log.close": "nav.back", "ops.resources.back": "nav.back", "main.back": "nav.back",
    "viewer.reload": "app.refresh", "ops.resources.reload": "app.refresh",
    "main.copy_name": "copy", "exceptions.copy": "copy", "checkpoints.copy": "copy",
    "exceptions.save": "export", "checkpoints.save": "export",
    "exceptions.follow": "follow", "checkpoints.follow": "follow",
    "tree.down": "cursor.down", "table.down": "cursor.down", "log.down": "cursor.down", "help.down": "cursor.down",
    "tree.up": "cursor.up", "table.up": "cursor.up", "log.up": "cursor.up", "help.up": "cursor.up",
    "tree.top": "cursor.top", "table.top": "cursor.top", "tree.bottom": "cursor.bottom",
    "table.bottom": "cursor.bottom",
    "pane.next_tab": "tab.next", "internals.next_tab": "tab.next", "ops.resources.next": "tab.next",
    "pane.previous_tab": "tab.previous", "internals.prev_tab": "tab.previous", "ops.resources.prev": "tab.previous",
    "help.close": "dialog.close", "jump.cancel": "dialog.close", "ops.confirm.cancel": "dialog.close",
    "ops.choice.back": "dialog.close", "ops.text.close": "dialog.close", "ops.summary.close": "dialog.close",
    "auth_help.close": "dialog.close", "ops.progress.hide": "dialog.close", "ops.plan.close": "dialog.close",
    "ops.start.cancel": "dialog.close", "ops.commit.cancel": "dialog.close", "ops.create_job.cancel": "dialog.close",
    "ops.folder.cancel": "dialog.close", "ops.mutation.cancel": "dialog.close", "ops.props.close": "dialog.close",
    "ops.editor.close": "dialog.close",
    "ops.start.submit": "form.submit", "ops.commit.submit": "form.submit", "ops.create_job.submit": "form.submit",
    "ops.mutation.submit": "form.submit",
    "ops.confirm.yes": "confirm.yes",
}


# --- reading it -----------------------------------------------------------------------------------------


def bindings(*scopes: str) -> list[BindingType]:
    """The Textual bindings of these scopes, in order (what a class puts in its BINDINGS)."""
    return [key.binding() for name in scopes for key in SCOPES[name].keys]


def scopes_of_class(cls: type) -> list[Scope]:
    """The scopes a class binds, its own first (FoasApp: app, views, ops; TriageScreen: triage_board, viewer)."""
    names = [klass.__name__ for klass in cls.__mro__]
    found = [scope for scope in _SCOPES if any(name in scope.classes for name in names)]
    return sorted(found, key=lambda scope: min(names.index(n) for n in scope.classes if n in names))


def known_ids() -> set[str]:
    return {key.id for scope in _SCOPES for key in scope.keys if key.id}


def entry(binding_id: str | None, action: str) -> Key | None:
    """The definition of a bound (id, action), e.g. to read its group or whether it is mutating."""
    for scope in _SCOPES:
        for key in scope.keys:
            if key.id == binding_id and key.action == action:
                return key
    return None


def iter_keys(scope_names: tuple[str, ...]) -> Iterator[tuple[Scope, Key]]:
    for name in scope_names:
        scope = SCOPES[name]
        for key in scope.keys:
            yield scope, key


def group_title(scope: Scope, key: Key) -> str:
    return key.group or scope.title


@dataclass
class KeymapResolution:
    """What `[keymap]` becomes: the keymap to apply and one sentence per entry that needs the operator's eye."""

    keymap: dict[str, str]
    problems: list[tuple[str, str]]  # (the id as written in config.toml, the sentence)


def resolve_keymap(keymap: Mapping[str, str], known: set[str] | None = None) -> KeymapResolution:
    """Map renamed ids to today's id (reporting each), and report ids that name no binding, with close ones."""
    known = known_ids() if known is None else known
    # Ids it does not know are passed on too: Textual ignores them, and the app reports them.
    out: dict[str, str] = {k: v for k, v in keymap.items() if k not in RENAMED or k in known}
    problems: list[tuple[str, str]] = []
    for binding_id, keys in keymap.items():
        if binding_id in known:
            continue
        new = RENAMED.get(binding_id)
        if new is not None:
            if new in keymap:
                problems.append((binding_id, f"{binding_id!r} was renamed {new!r}, which is also set: "
                                             f"{binding_id!r} is ignored"))
            elif new in out and out[new] != keys and new not in keymap:
                problems.append((binding_id, f"{binding_id!r} was renamed {new!r}, already set to {out[new]!r} by "
                                             f"another old id: {binding_id!r} is ignored"))
            else:
                out[new] = keys
                problems.append((binding_id, f"{binding_id!r} was renamed {new!r} (one id for the action on every "
                                             f"screen); {keys!r} applies to it — rename it in the file"))
            continue
        close = difflib.get_close_matches(binding_id, sorted(known), n=3, cutoff=0.6)
        hint = f" (did you mean {', '.join(close)}?)" if close else " (? in the app lists every binding id)"
        problems.append((binding_id, f"unknown binding id {binding_id!r}{hint}"))
    return KeymapResolution(out, problems)


def keys_with_keymap(key: Key, keymap: Mapping[str, str]) -> str:
    """The keys a definition is bound to once the operator's keymap is applied."""
    return keymap.get(key.id, key.keys) if key.id else key.keys


def bound_keys(key: Key, keymap: Mapping[str, str]) -> list[str]:
    """The Textual key names a definition answers to once the keymap is applied ("?" becomes question_mark)."""
    binding = Binding(keys_with_keymap(key, keymap), key.action, key.description, id=key.id)
    return [name for name, _binding in BindingsMap([binding])]


# --- read-only: say which key was refused and why -------------------------------------------------------


def _chain(app: Any) -> list[Any]:
    """The nodes a key goes through on the current screen, the way Textual walks them (a dialog ends it)."""
    screen = app.screen
    focused = screen.focused
    nodes = list(focused.ancestors_with_self) if focused is not None else [screen, app]
    for index, node in enumerate(nodes):
        if getattr(node, "is_modal", False):
            return nodes[:index + 1]
    return nodes


def _allowed(node: Any, action: str) -> bool:
    _target, name, params = parse(action)
    return bool(node.check_action(name, params))


def _allowed_if_writable(app: Any, node: Any, action: str) -> bool:
    """Would `node` run `action` in a read-write session? Asked by lifting read-only for one synchronous call."""
    session = app.session
    holders = [h for h in (session, session.client, node) if isinstance(getattr(h, "read_only", None), bool)]
    saved = [h.read_only for h in holders]
    try:
        for holder in holders:
            holder.read_only = False
        return _allowed(node, action)
    finally:
        for holder, value in zip(holders, saved, strict=True):
            holder.read_only = value


def refused_by_read_only(app: Any, key_name: str, keymap: Mapping[str, str]) -> tuple[Key, str] | None:
    """The mutating binding `key_name` would have run but for read-only, with the key as shown; else None.

    None when read-only is off, when something else takes the key here (an enabled binding), or when the
    action is refused for another reason (e.g. stop on the triage board): then read-only is not why.
    """
    session = getattr(app, "session", None)
    if session is None or not session.read_only:
        return None
    active = app.screen.active_bindings.get(key_name)
    if active is not None and active.enabled:
        return None
    focused = app.screen.focused
    if focused is not None and focused.check_consume_key(key_name, key_to_character(key_name)):
        return None  # typed into a text field: a character, not a key binding
    for node in _chain(app):
        for scope in scopes_of_class(type(node)):
            for key in scope.keys:
                if key.mutating and key_name in bound_keys(key, keymap) and not _allowed(node, key.action) \
                        and _allowed_if_writable(app, node, key.action):
                    shown = app.get_key_display(Binding(key_name, key.action, key.description))
                    return key, shown
    return None


def allow_changes_hint(app: Any, keymap: Mapping[str, str]) -> str:
    """How to leave read-only: "^r or :rw", with the toggle's key as the keymap has it."""
    toggle = next(k for k in SCOPES["app"].keys if k.id == "app.read_only")
    toggle_keys = bound_keys(toggle, keymap)
    if not toggle_keys:
        return ":rw"
    return f"{app.get_key_display(Binding(toggle_keys[0], toggle.action, toggle.description))} or :rw"


def read_only_message(app: Any, what: str, description: str, keymap: Mapping[str, str]) -> str:
    """"read-only: 'x' (Stop job) refused — ^r or :rw allows changes", with the toggle's key as remapped."""
    return f"read-only: {what!r} ({description}) refused — {allow_changes_hint(app, keymap)} allows changes"


def mutating_actions(scope_name: str) -> frozenset[str]:
    """The actions of a scope that send a change (what read-only refuses), as bound (with their arguments)."""
    return frozenset(key.action for key in SCOPES[scope_name].keys if key.mutating)
