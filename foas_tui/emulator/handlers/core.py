"""The handler registry, the parsed call (typed parameter access) and dispatch; paging shared by List*."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from foas_tui.emulator.spec_table import OPERATIONS, SpecOp
from foas_tui.emulator.store import (
    ApiError,
    Store,
    bad_request,
)

Handler = Callable[["Call"], dict[str, Any]]
HANDLERS: dict[str, Handler] = {}

# Parameters the spec tables mark required but the seed's own demo omits (CreateJob picks defaults,
# exclusive-cluster CreatePackage needs only ossPath, ShrinkCluster takes instanceIds or modelTargetCount).
_OPTIONAL_AFTER_ALL = {
    "CreateJob": {"planJson", "clusterId", "queueName", "engineVersion"},
    "CreatePackage": {"ossBucket", "ossEndpoint", "ossOwner"},
    "ShrinkCluster": {"instanceIds"},
}
_TRUE = {"true", "1", "yes"}
_FALSE = {"false", "0", "no"}
_MODEL_RE = re.compile(r"^Ecs_\d+c\d+g$")
MAX_METRIC_WINDOW_MS = 2 * 3600 * 1000


def handler(name: str) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        if name not in OPERATIONS:
            raise KeyError(f"unknown operation {name}")
        HANDLERS[name] = fn
        return fn

    return register


@dataclass(slots=True)
class Call:
    """One request to one operation: its merged parameters and the store, at one moment."""

    op: SpecOp
    params: dict[str, Any]
    store: Store
    now: int

    def has(self, name: str) -> bool:
        value = self.params.get(name)
        return value is not None and value != ""

    def text(self, name: str, default: str | None = None) -> str | None:
        value = self.params.get(name)
        if value is None:
            return default
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, dict | list):
            return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
        return str(value)

    def req(self, name: str) -> str:
        value = self.text(name)
        if value is None or value == "":
            raise missing(name)
        return value

    def integer(self, name: str, default: int | None = None, *, minimum: int | None = None) -> int | None:
        value = self.params.get(name)
        if value is None or value == "":
            return default
        try:
            number = int(value) if not isinstance(value, bool) else None
        except (TypeError, ValueError):
            number = None
        if number is None or (minimum is not None and number < minimum):
            floor = f" (at least {minimum})" if minimum is not None else ""
            raise bad_request(f"The parameter {name} must be an integer{floor}, not {value!r}.",
                              f"InvalidParameter.{_cap(name)}")
        return number

    def number(self, name: str) -> float | None:
        value = self.params.get(name)
        if value is None or value == "":
            return None
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise bad_request(f"The parameter {name} must be a number, not {value!r}.",
                              f"InvalidParameter.{_cap(name)}") from None
        if not math.isfinite(number):
            raise bad_request(f"The parameter {name} must be a finite number.", f"InvalidParameter.{_cap(name)}")
        return number

    def boolean(self, name: str, default: bool | None = None) -> bool | None:
        value = self.params.get(name)
        if value is None or value == "":
            return default
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise bad_request(f"The parameter {name} must be true or false, not {value!r}.",
                          f"InvalidParameter.{_cap(name)}")

    def json_value(self, name: str, kind: type | tuple[type, ...] = dict) -> Any:
        value = self.params.get(name)
        if value is None or value == "":
            return None
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError:
                raise bad_request(f"The parameter {name} must be JSON text, not {value[:80]!r}.",
                                  f"InvalidParameter.{_cap(name)}") from None
        if not isinstance(value, kind):
            raise bad_request(f"The parameter {name} has the wrong JSON type ({type(value).__name__}).",
                              f"InvalidParameter.{_cap(name)}")
        return value

    def instance_id(self, name: str = "instanceId", default: int | None = None) -> int:
        value = self.params.get(name)
        if (value is None or value == "") and default is not None:
            return default
        try:
            iid = int(str(value))
        except (TypeError, ValueError):
            iid = None
        if iid is None or (iid < 1 and iid != -1):
            raise ApiError(400, "InvalidinstanceId", "Specified parameter instanceId is not valid.")
        return iid


def _cap(name: str) -> str:
    return name[:1].upper() + name[1:]


def missing(name: str) -> ApiError:
    return ApiError(400, "MissingParameter",
                    f"The input parameter '{name}' that is mandatory for processing this request is not supplied.")


def check_required(call: Call) -> None:
    optional = _OPTIONAL_AFTER_ALL.get(call.op.name, set())
    for param in call.op.params:
        if param.required and param.name not in optional and not call.has(param.name):
            raise missing(param.name)


def dispatch(call: Call) -> dict[str, Any]:
    check_required(call)
    return HANDLERS[call.op.name](call)


# --- paging ---------------------------------------------------------------------------------------


def paged(call: Call, items: Sequence[Any], render: Callable[[Any], dict[str, Any]], wrapper: str,
          element: str, default_size: int = 10) -> dict[str, Any]:
    index = call.integer("pageIndex", 1, minimum=1) or 1
    size = call.integer("pageSize", default_size, minimum=1) or default_size
    total = len(items)
    start = (index - 1) * size
    page = items[start:start + size] if start < total else []
    return {
        wrapper: {element: [render(item) for item in page]},
        "PageIndex": index,
        "PageSize": size,
        "TotalCount": total,
        "TotalPage": math.ceil(total / size) if total else 0,
    }


def compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


