"""The README's key tables are generated from the one definition of every key and must agree with the bindings
the app really has (issue 14: the table was written by hand and no test checked it)."""

from __future__ import annotations

import re
import runpy
from pathlib import Path

from textual.binding import Binding

from tests.test_keys_keymap import foas_classes

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "gen-keys-doc"


def readme_rows() -> list[tuple[str, str, str]]:
    """(keys cell, what, id) of every row between the generated markers of README.md."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index("<!-- keys:begin"):text.index("<!-- keys:end -->")]
    rows = []
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 4 and cells[0].startswith("`"):
            rows.append((cells[0], cells[1], cells[3].strip("`")))
    return rows


def test_the_readme_key_tables_are_what_the_generator_writes_from_the_bindings() -> None:
    generator = runpy.run_path(str(SCRIPT))
    assert generator["main"](["--check"]) == 0, "README.md's key tables are stale: run scripts/gen-keys-doc"


def test_every_binding_the_app_has_is_in_the_readme_with_its_id_and_words() -> None:
    rows = readme_rows()
    by_id: dict[str, set[str]] = {}
    for _keys, what, binding_id in rows:
        by_id.setdefault(binding_id, set()).add(re.sub(r" \(refused in read-only\)$", "", what))
    missing = []
    for cls in foas_classes():
        for binding in vars(cls).get("BINDINGS", []):
            if isinstance(binding, Binding) and binding.id and binding.description not in by_id.get(binding.id, ()):
                missing.append(f"{cls.__name__}: {binding.id} {binding.description!r}")
    assert not missing, f"bindings the README does not list: {missing}"
    # and nothing the app does not have
    live = {(b.id, b.description) for cls in foas_classes() for b in vars(cls).get("BINDINGS", [])
            if isinstance(b, Binding) and b.id}
    stale = [(i, w) for i, words in by_id.items() for w in words if i != "—" and (i, w) not in live]
    assert not stale, f"the README lists keys the app does not have: {stale}"
