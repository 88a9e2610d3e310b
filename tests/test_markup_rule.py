"""The markup rule of issue 12, enforced on the source: no code formats a value into a markup string.

Outside text reaches the screen only through foas_tui/text.py (`safe_text`, `safe_str`, `styled`). A str
handed to `Static`, `Label`, `.update`, a border title or a `notify` without `markup=False` is parsed as
markup, so building one with an f-string, `%`, `+`, `.format` or `.join` is how `orders[2` crashed the app
and `[@click=app.quit]` became live. This test scans foas_tui/ and names every such place.
"""

from __future__ import annotations

import ast
from pathlib import Path

import foas_tui

PACKAGE = Path(foas_tui.__file__).parent
# Markup sinks that take their text as the first argument.
CALL_SINKS = {"notify", "Static", "Label", "update", "from_markup", "Button"}
TITLE_ATTRS = {"border_title", "border_subtitle"}
SKIP = {"emulator", "api"}  # no UI: the emulator and the client never reach the screen


def formatted(node: ast.AST | None) -> bool:
    """True when `node` builds a string from non-literal parts (f-string with a field, %, +, format, join)."""
    if node is None:
        return False
    if isinstance(node, ast.JoinedStr):
        return any(isinstance(value, ast.FormattedValue) for value in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Mod):
        return formatted(node.left) or formatted(node.right) or not (
            isinstance(node.left, ast.Constant) and isinstance(node.right, ast.Constant))
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in {"format", "join"}:
        return isinstance(node.func.value, ast.Constant) and isinstance(node.func.value.value, str)
    if isinstance(node, ast.IfExp):
        return formatted(node.body) or formatted(node.orelse)
    return False


def _name(func: ast.AST) -> str:
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return ""


def _markup_off(call: ast.Call) -> bool:
    return any(kw.arg == "markup" and isinstance(kw.value, ast.Constant) and kw.value.value is False
               for kw in call.keywords)


def violations(source: str, filename: str = "<test>") -> list[str]:
    found: list[str] = []
    for node in ast.walk(ast.parse(source, filename)):
        if isinstance(node, ast.Call):
            name = _name(node.func)
            if name not in CALL_SINKS:
                continue
            first = node.args[0] if node.args else next(
                (kw.value for kw in node.keywords if kw.arg in {"message", "renderable", "content", "label"}), None)
            if name in {"notify", "Static", "Label", "Button"} and _markup_off(node):
                continue  # the text is shown as it is (control characters are cleaned by FoasApp.notify)
            if formatted(first):
                found.append(f"{filename}:{node.lineno}: {name}(...) gets a formatted markup string")
            if any(kw.arg == "markup" and isinstance(kw.value, ast.Constant) and kw.value.value is True
                   for kw in node.keywords) and first is not None and not isinstance(first, ast.Constant):
                found.append(f"{filename}:{node.lineno}: {name}(..., markup=True) with a non-literal")
        elif isinstance(node, ast.Assign | ast.AugAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Attribute) and target.attr in TITLE_ATTRS and (
                        formatted(node.value) or isinstance(node, ast.AugAssign)):
                    found.append(f"{filename}:{node.lineno}: {target.attr} = a formatted markup string")
    return found


def scan_package() -> list[str]:
    found: list[str] = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE)
        if relative.parts[0] in SKIP:
            continue
        found += violations(path.read_text(encoding="utf-8"), str(relative))
    return found


def test_no_markup_string_is_built_from_values() -> None:
    assert scan_package() == []


def test_the_rule_catches_each_way_of_formatting() -> None:
    bad = [
        'self.notify(f"stopped {job}")',
        'self.query_one(Static).update(f"[b]Checkpoints[/b] {escape(label)}")',
        'yield Static("[b]" + name + "[/]")',
        'Label("%s" % name)',
        'w.update("job {}".format(name))',
        'w.update(" · ".join(parts))',
        'self.border_title = f"{job.project} / {job.job_name}"',
        'Text.from_markup(f"[b]{x}")',
        'self.notify(message, markup=True)',
        'w.update(f"a {x}" if ok else "none")',
    ]
    for line in bad:
        assert violations(line), line
    good = [
        'self.notify(f"stopped {job}", markup=False)',
        'self.notify("refreshing…")',
        'w.update(styled("[b]Checkpoints[/b] $job", job=label))',
        'self.border_title = Text(f"{a} / {b}")',
        'yield Static("[b]literal[/b] only")',
        'w.update(safe_text(name))',
    ]
    for line in good:
        assert not violations(line), line
