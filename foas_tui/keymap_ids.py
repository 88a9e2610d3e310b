"""The binding ids foas-tui defines, so that `[keymap]` entries naming no binding are reported, not ignored.

Textual's `App.set_keymap` silently skips ids it does not know; a typo in config.toml would leave the key
the operator thinks they remapped where it was. The ids are those of foas_tui/keys.py and, as a safety net,
those read from the `BINDINGS` of every class in the app, its screens and its widgets (public class
attributes; no Textual internals). Renamed ids are translated by `foas_tui.keys.resolve_keymap`.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Iterable, Mapping

from textual.binding import Binding

from foas_tui import keys

PACKAGES = ("foas_tui.screens", "foas_tui.widgets")


def _ids_of(bindings: Iterable[object]) -> set[str]:
    return {b.id for b in bindings if isinstance(b, Binding) and b.id}


def known_binding_ids(app_class: type | None = None) -> set[str]:
    """Every binding id of foas_tui/keys.py, the app class and each class with BINDINGS in screens/widgets."""
    ids: set[str] = set(keys.known_ids())
    classes: list[type] = [app_class] if app_class is not None else []
    for package_name in PACKAGES:
        package = importlib.import_module(package_name)
        for info in pkgutil.iter_modules(package.__path__, prefix=f"{package_name}."):
            module = importlib.import_module(info.name)
            classes += [c for _, c in inspect.getmembers(module, inspect.isclass) if c.__module__ == info.name]
    for cls in classes:
        for klass in cls.__mro__:
            ids |= _ids_of(vars(klass).get("BINDINGS", ()))
    return ids


def keymap_problems(keymap: Mapping[str, str], known: set[str]) -> list[tuple[str, str]]:
    """(id as written, sentence) per `[keymap]` entry that is renamed or names no binding."""
    return keys.resolve_keymap(keymap, known).problems


def unknown_keymap_entries(keymap: Mapping[str, str], known: set[str]) -> list[str]:
    """One sentence per `[keymap]` id that is renamed or names no binding (with the closest known ids)."""
    return [sentence for _binding_id, sentence in keymap_problems(keymap, known)]
