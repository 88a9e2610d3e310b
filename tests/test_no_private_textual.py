"""No private Textual API (issue 14): no import of `textual._*` modules, and no class of ours overrides a private
method of a Textual base class — one documented exception: `ErrorGuard._fatal_error` (the crash screen without
locals; Textual has no public hook for it)."""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
from pathlib import Path

import foas_tui

PACKAGE = Path(foas_tui.__file__).parent
ALLOWED_OVERRIDES = {("ErrorGuard", "_fatal_error")}


def test_no_module_imports_a_private_textual_module() -> None:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            found += [f"{path.relative_to(PACKAGE)}: {name}" for name in names
                      if name.startswith("textual.") and any(part.startswith("_") for part in name.split(".")[1:])]
    assert found == []


def test_no_class_overrides_a_private_textual_method() -> None:
    overrides = []
    for info in pkgutil.walk_packages([str(PACKAGE)], "foas_tui."):
        if info.name.endswith("__main__"):
            continue
        module = importlib.import_module(info.name)
        for cls in vars(module).values():
            if not inspect.isclass(cls) or cls.__module__ != module.__name__:
                continue
            textual_bases = [base for base in cls.__mro__[1:] if base.__module__.startswith("textual")]
            # our own classes in the MRO too: a plain mixin's method overrides the Textual base's all the same
            ours = [klass for klass in cls.__mro__ if klass.__module__.startswith("foas_tui")]
            for klass in ours:
                for name, value in vars(klass).items():
                    if not name.startswith("_") or name.startswith("__") or not callable(value):
                        continue  # class attributes Textual sets on every subclass are not overrides
                    if any(name in vars(base) for base in textual_bases) \
                            and (klass.__name__, name) not in ALLOWED_OVERRIDES:
                        overrides.append(f"{klass.__module__}.{klass.__name__}.{name}")
    assert sorted(set(overrides)) == [], "private Textual methods overridden"
