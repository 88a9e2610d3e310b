"""Generate foas_tui/api/operations.py (the operation table) and foas_tui/api/operation_methods.py (one typed
method per operation).

Input: tests/data/operations.json (from scripts/extract_spec_facts.py). Run from the repo root:
`python scripts/gen_operations.py`. The output is committed; a test checks it is up to date.
"""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "tests" / "data" / "operations.json"
OUT_DIR = ROOT / "foas_tui" / "api"
TABLE, METHODS = "operations.py", "operation_methods.py"

PY_TYPES = {"String": "str", "Long": "int", "Integer": "int", "Boolean": "bool", "Float": "float",
            "Json": "dict[str, Any] | str"}
# POSTs that only read (the metric queries carry their query in the body).
READ_POSTS = {"GetInstanceMetric", "GetClusterMetrics"}
PAGED = {"ListInstance", "ListJob", "ListPackage", "GetRefPackageJob", "ListCluster", "ListProject"}
TOKEN_PAGED = {"ListTagResources"}
REPEATED = "suspendPeriodParam.N."
# TagResources has no setters in the SDK; we accept the same filters UntagResources sends, in the query.
EXTRA_PARAMS = {"TagResources": [
    {"name": "ResourceType", "in": "query", "type": "String", "required": False},
    {"name": "ResourceIds", "in": "query", "type": "String", "required": False},
    {"name": "Tags", "in": "query", "type": "String", "required": False},
]}


def snake(name: str) -> str:
    name = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", name)
    name = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name)
    return name.lower()


def collapse(params: list[dict]) -> list[dict]:
    """Fold CommitJob's `suspendPeriodParam.N.<field>` entries into one list parameter."""
    out, seen = [], False
    for p in params:
        if p["name"].startswith(REPEATED):
            if not seen:
                out.append({"name": "suspendPeriodParam", "in": "body", "type": "Repeated", "required": False})
                seen = True
            continue
        out.append(p)
    return out


def py_type(p: dict) -> str:
    if p["type"] == "Repeated":
        return "list[dict[str, str]]"
    if p["name"] == "jobNames":
        return "str | Sequence[str]"
    return PY_TYPES[p["type"]]


def render(ops: list[dict]) -> dict[str, str]:
    """The generated modules by file name (in foas_tui/api)."""
    table, methods = [], []
    for op in sorted(ops, key=lambda o: o["operation"]):
        name = op["operation"]
        params = collapse(op["params"]) + EXTRA_PARAMS.get(name, [])
        mutating = op["method"] != "GET" and name not in READ_POSTS
        paging = "page" if name in PAGED else "token" if name in TOKEN_PAGED else ""
        prow = ", ".join(
            f"P({p['name']!r}, {snake(p['name'])!r}, {p['in']!r}, {p['type']!r}, {p['required']})" for p in params
        )
        table.append(
            f"    {name!r}: Operation({name!r}, {op['method']!r}, {op['path']!r}, {op['group']!r},\n"
            f"        ({prow}{',' if len(params) == 1 else ''}),\n"
            f"        mutating={mutating}, paging={paging!r}),"
        )
        required = [p for p in params if p["required"]]
        # Path parameters first, in the order the path nests them (project, job, instance).
        required.sort(key=lambda p: op["path"].find(f"[{p['name']}]") if p["in"] == "path" else 10_000)
        optional = [p for p in params if not p["required"]]
        sig = ["self"] + [f"{snake(p['name'])}: {py_type(p)}" for p in required]
        if optional:
            sig.append("*")
            sig += [f"{snake(p['name'])}: {py_type(p)} | None = None" for p in optional]
        args = ", ".join(f"{p['name']!r}: {snake(p['name'])}" for p in params)
        doc = textwrap.fill(f"{name} ({op['method']} {op['path']}): {op['summary']}", 96,
                            initial_indent="", subsequent_indent="        ")
        py = snake(name)
        methods.append(
            f"    async def {py}({', '.join(sig)}) -> models.{name}Response:\n"
            f'        """{doc}"""\n'
            f"        return await self._invoke({name!r}, {{{args}}})\n"
        )
        if paging:
            skip = {"pageIndex", "pageSize", "NextToken"}
            isig = ["self"] + [f"{snake(p['name'])}: {py_type(p)}" for p in required if p["name"] not in skip]
            iopt = [p for p in optional if p["name"] not in skip]
            isig.append("*")
            isig += [f"{snake(p['name'])}: {py_type(p)} | None = None" for p in iopt]
            isig.append("page_size: int = 50")
            iargs = ", ".join(f"{p['name']!r}: {snake(p['name'])}" for p in params if p["name"] not in skip)
            methods.append(
                f"    def iter_{py}({', '.join(isig)}) -> AsyncIterator[Any]:\n"
                f'        """Every item of {name}, fetching page after page lazily."""\n'
                f"        return self._paginate({name!r}, {{{iargs}}}, page_size)\n"
            )
    return {TABLE: HEADER + "\n".join(table) + "\n}\n", METHODS: METHODS_HEADER + CLASS_HEADER + "\n".join(methods)}


HEADER = '''"""The 67 foas operations: method, path and where each parameter goes (query, body or path).

GENERATED by scripts/gen_operations.py from the API specs; do not edit by hand. The typed methods are in
operation_methods.py.
"""

# ruff: noqa: E501

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True, slots=True)
class Param:
    name: str
    py_name: str
    location: Literal["path", "query", "body"]
    type: str
    required: bool


@dataclass(frozen=True, slots=True)
class Operation:
    name: str
    method: str
    path: str
    group: str
    params: tuple[Param, ...]
    mutating: bool
    paging: str  # "page" (pageIndex/pageSize), "token" (NextToken) or ""

    @property
    def idempotent(self) -> bool:
        return not self.mutating


P = Param

OPERATIONS: dict[str, Operation] = {
'''

METHODS_HEADER = '''"""One typed async method per foas operation (and `iter_*` for the paged ones); `FoasClient`
supplies `_invoke` and `_paginate`.

GENERATED by scripts/gen_operations.py from the API specs; do not edit by hand.
"""

# ruff: noqa: E501

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from foas_tui.api import models

'''

CLASS_HEADER = '''
class OperationMethods:
    """One method per operation; `FoasClient` supplies `_invoke` and `_paginate`."""

    async def _invoke(self, operation: str, args: dict[str, Any]) -> Any:
        raise NotImplementedError

    def _paginate(self, operation: str, args: dict[str, Any], page_size: int) -> AsyncIterator[Any]:
        raise NotImplementedError

'''


def main() -> None:
    for name, text in render(json.loads(SPEC.read_text())).items():
        (OUT_DIR / name).write_text(text)
        print(f"wrote {OUT_DIR / name}")


if __name__ == "__main__":
    main()
