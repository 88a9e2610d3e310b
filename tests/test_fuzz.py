"""Fuzzing with hypothesis: random bytes on the wire, through the client, the services and the screens.

Bodies are random JSON, wrong types, missing keys, huge strings and broken embedded JSON, shaped after
each operation's response model. Only the project's own error types (FoasError) may escape the client
and the browse/refresh services; every screen shows the data or a message, and never crashes or fails
silently. (Each model alone is fuzzed in test_models.py; here the bodies arrive as bytes over HTTP.)

Example counts come from the profile in $HYPOTHESIS_PROFILE: `ci` (the default, quick), `dev`, `thorough`.
"""

from __future__ import annotations

import asyncio
import json
import string
from collections.abc import Callable
from functools import cache
from typing import Annotated, Any, get_args, get_origin

import httpx
import pytest
from conftest import HYPOTHESIS_PROFILE as PROFILE  # the profiles are registered and loaded for the whole suite
from hypothesis import Phase, given, note, settings
from hypothesis import strategies as st
from hypothesis.control import currently_in_test_context
from pydantic import BaseModel

from foas_tui.api import errors
from foas_tui.api.client import FoasClient
from foas_tui.api.models import RESPONSE_MODELS, Embedded, FoasModel
from foas_tui.api.operations import OPERATIONS
from foas_tui.api.signing import Credentials

# --- profiles -----------------------------------------------------------------------------------------------

_NO_SHRINK = (Phase.explicit, Phase.reuse, Phase.generate)  # CI: report the drawn example, do not spend minutes
# (client/services examples, screen sessions) per profile
EXAMPLES = {"ci": (120, 2), "dev": (500, 8), "thorough": (5000, 40)}[PROFILE]
FAST = settings(settings.get_profile(PROFILE), max_examples=EXAMPLES[0])
SERVICES = settings(settings.get_profile(PROFILE), max_examples=max(1, EXAMPLES[0] // 2))  # ~10 calls an example
# The app is timing-dependent: no shrinking (it would not reproduce); failures print the drawn bodies.
SCREENS = settings(settings.get_profile(PROFILE), max_examples=EXAMPLES[1], phases=_NO_SHRINK)

OP_NAMES = sorted(OPERATIONS)

# --- body strategies ------------------------------------------------------------------------------------------

_TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)
_SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True), _TEXT,
    st.sampled_from(["", "0", "-1", "true", "FALSE", "RUNNING", "running", "4.929E+8", "1795680000000",
                     "null", "[]", "{}", "NaN", " ", "\u0000", "中文", "a,b,,c", "[planA,planB]"]),
)
JUNK = st.recursive(_SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(_TEXT, inner, max_size=3)), max_leaves=6)
HUGE = st.sampled_from(["x" * 300_000, "中" * 60_000, "\\" * 50_000, "{" * 20_000, "9" * 10_000])
# JSON text as the API embeds it in string fields (Checkpoints, Exceptions, PlanJson ...), broken on purpose.
BROKEN_JSON = st.one_of(
    st.sampled_from(['{"', '[{"a":', '{"Checkpoint": [', '{"nodes": [{"id": 1,', '{"a":1}}', "[1,2,,]", "{'a': 1}",
                     '{"a": NaN}', "\ufeff{}", '{"a": "\\ud800"}', "[" * 50, '{"RequestId": "x"', "nul", "tru"]),
    JUNK.map(lambda v: json.dumps(v)[:-1] or "{"),
)


def _spellings(name: str) -> list[str]:
    parts = name.split("_")
    pascal = "".join(p[:1].upper() + p[1:] for p in parts)
    return sorted({name, pascal, pascal[:1].lower() + pascal[1:], name.upper()})


def _nested(annotation: Any) -> list[type[FoasModel]]:
    """FoasModel classes inside a field's type (Optional, list, dict, Annotated, Embedded[...])."""
    found: list[type[FoasModel]] = []
    stack = [annotation]
    while stack:
        item = stack.pop()
        if isinstance(item, type) and issubclass(item, FoasModel):
            found.append(item)
            continue
        origin = get_origin(item)
        if origin is Annotated:
            stack.append(get_args(item)[0])
        elif origin is not None or (isinstance(item, type) and issubclass(item, Embedded)):
            stack.extend(get_args(item))
    return found


def _item_key(field: Any) -> str | None:
    for meta in field.metadata:
        key = getattr(meta, "item_key", None)
        if isinstance(key, str):
            return key
    return None


@cache
def shaped(model: type[BaseModel], depth: int = 0) -> st.SearchStrategy[dict[str, Any]]:
    """Dicts whose keys are the model's fields (any spelling) with wrong, missing, huge or broken values."""
    entries: list[st.SearchStrategy[tuple[str, Any]]] = [st.tuples(_TEXT, JUNK)]
    for name, field in model.model_fields.items():
        values: list[st.SearchStrategy[Any]] = [JUNK, BROKEN_JSON]
        if depth == 0:
            values.append(HUGE)
        if depth < 2:
            key = _item_key(field)
            for sub_model in _nested(field.annotation):
                sub = shaped(sub_model, depth + 1)
                values += [sub, st.lists(sub, max_size=3), sub.map(json.dumps), sub.map(lambda d: json.dumps(d)[:-2])]
                if key:
                    values.append(st.lists(sub, max_size=3).map(lambda items, k=key: {k: items}))
        entries.append(st.tuples(st.sampled_from(_spellings(name)), st.one_of(values)))
    return st.lists(st.one_of(entries), max_size=6 if depth == 0 else 4).map(dict)


_HEADER_TEXT = st.text(string.ascii_letters + string.digits + "-_.", min_size=1, max_size=40)
_TRANSPORT_ERRORS = [
    httpx.ReadTimeout("read timed out"), httpx.ConnectTimeout("connect timed out"), httpx.PoolTimeout("pool"),
    httpx.WriteTimeout("write"), httpx.ConnectError("[Errno 111] Connection refused"),
    httpx.ReadError("connection reset by peer"), httpx.WriteError("broken pipe"),
    httpx.RemoteProtocolError("Server disconnected without sending a response."),
    httpx.LocalProtocolError("bad header"), httpx.ProxyError("407 from the bastion proxy"),
    ConnectionResetError(104, "Connection reset by peer"), OSError(101, "Network is unreachable"),
]


class Wire:
    """One drawn HTTP answer: an exception, or status + headers + body (with what the error should carry)."""

    def __init__(self, status: int = 200, headers: dict[str, str] | None = None, body: bytes = b"",
                 raises: BaseException | None = None, request_id: str | None = None, code: str | None = None):
        self.status, self.headers, self.body, self.raises = status, headers or {}, body, raises
        self.request_id, self.code = request_id, code

    def __repr__(self) -> str:
        if self.raises is not None:
            return f"Wire(raises={self.raises!r})"
        return f"Wire({self.status}, {self.headers}, {self.body[:300]!r}{'...' if len(self.body) > 300 else ''})"

    def response(self) -> httpx.Response:
        if self.raises is not None:
            raise self.raises
        return httpx.Response(self.status, headers=self.headers, content=self.body)


def _dumps(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode("utf-8", "surrogatepass")


@st.composite
def wire(draw: Any, operation: str) -> Wire:
    """An answer to `operation`: mostly a 200 with a body shaped like its model, else anything."""
    kind = draw(st.sampled_from(["shaped"] * 6 + ["junk", "truncated", "bytes", "empty", "error", "error-junk",
                                                   "raise"]))
    headers: dict[str, str] = {}
    header_id = draw(st.none() | _HEADER_TEXT)
    if header_id is not None:
        headers["x-acs-request-id"] = header_id
    if draw(st.booleans()):
        headers["retry-after"] = draw(st.sampled_from(["1", "0.01", "abc", "-1", "nan", "inf", "1e400", ""]))
    if kind == "raise":
        return Wire(raises=draw(st.sampled_from(_TRANSPORT_ERRORS)))
    if kind == "shaped":
        body = draw(shaped(RESPONSE_MODELS[operation]))
        if draw(st.booleans()):
            body["RequestId"] = draw(_HEADER_TEXT)
        return Wire(200, headers, _dumps(body), request_id=header_id)
    if kind == "junk":
        return Wire(200, headers, _dumps(draw(JUNK)), request_id=header_id)
    if kind == "truncated":
        text = _dumps(draw(shaped(RESPONSE_MODELS[operation])))
        return Wire(200, headers, text[: draw(st.integers(0, max(0, len(text) - 1)))], request_id=header_id)
    if kind == "bytes":
        return Wire(draw(st.sampled_from([200, 500, 502])), headers, draw(st.binary(max_size=64)),
                    request_id=header_id)
    if kind == "empty":
        return Wire(draw(st.sampled_from([200, 204, 500, 503])), headers, b"", request_id=header_id)
    status = draw(st.sampled_from([301, 400, 401, 403, 404, 405, 409, 412, 418, 429, 500, 502, 503, 504]))
    if kind == "error":
        rid = draw(_HEADER_TEXT)
        code = draw(st.sampled_from(["InvalidParameter", "Throttling.User", "SignatureDoesNotMatch",
                                     "InvalidJob.NotFound", "IncorrectStatus", "InternalError", "X" * 300]))
        body = {"RequestId": rid, "HostId": "foas.cn-hangzhou.aliyuncs.com", "Code": code,
                "Message": draw(_TEXT | HUGE), "Recommend": draw(JUNK)}
        return Wire(status, headers, _dumps(body), request_id=rid, code=code)
    return Wire(status, headers, _dumps(draw(JUNK)) if draw(st.booleans()) else draw(st.binary(max_size=64)),
                request_id=header_id)


# --- a client over a fuzzing transport ----------------------------------------------------------------------


def required_args(operation: str) -> dict[str, Any]:
    values = {"String": "x", "Integer": 1, "Long": 1, "Boolean": True, "Float": 1.5, "Json": {"k": "v"},
              "Repeated": []}
    return {p.py_name: values[p.type] for p in OPERATIONS[operation].params if p.required}


def fuzz_client(answer: Callable[[httpx.Request], httpx.Response], retries: int = 0,
                delays: list[float] | None = None) -> FoasClient:
    async def no_sleep(seconds: float) -> None:
        if delays is not None:
            delays.append(seconds)

    return FoasClient(Credentials("FUZZKEYID0000001", "fuzz-secret"), endpoint="http://foas.fuzz.invalid",
                      transport=httpx.MockTransport(answer), retries=retries, sleep=no_sleep)


def touch(obj: Any, seen: set[int] | None = None) -> None:
    """Read every field and property, as a screen would (a property that raises is a crash waiting)."""
    seen = set() if seen is None else seen
    if id(obj) in seen:
        return
    seen.add(id(obj))
    if isinstance(obj, Embedded):
        repr(obj)
        touch(obj.value, seen)
    elif isinstance(obj, BaseModel):
        repr(obj)
        for klass in type(obj).__mro__:
            if isinstance(klass, type) and issubclass(klass, FoasModel) and klass is not FoasModel:
                for name, attr in vars(klass).items():
                    if isinstance(attr, property):
                        touch(getattr(obj, name), seen)
        for name in type(obj).model_fields:
            touch(getattr(obj, name), seen)
    elif isinstance(obj, list | tuple):
        for item in obj:
            touch(item, seen)


def check_error(err: errors.FoasError, answer: Wire, operation: str) -> None:
    """A FoasError is complete: code, message, operation; the service's request id when it sent one."""
    assert isinstance(err.code, str) and err.code and isinstance(err.message, str)
    assert err.operation == operation
    str(err), repr(err)  # noqa: B018 - formatting must not raise
    if answer.raises is None and answer.request_id is not None:
        assert err.request_id == answer.request_id, (err, answer)
    if answer.code is not None and not 200 <= answer.status < 300:
        assert err.code == answer.code


@FAST
@given(data=st.data(), operation=st.sampled_from(OP_NAMES))
def test_client_returns_a_model_or_raises_a_foas_error(data: st.DataObject, operation: str) -> None:
    answer = data.draw(wire(operation), label="answer")
    delays: list[float] = []
    client = fuzz_client(lambda request: answer.response(), retries=1, delays=delays)
    records: list[Any] = []
    client.observers.append(records.append)

    async def call() -> Any:
        try:
            return await client.call(operation, **required_args(operation))
        finally:
            await client.aclose()

    try:
        result = asyncio.run(call())
    except errors.FoasError as err:
        check_error(err, answer, operation)
        assert records and records[-1].error_code == err.code
    else:  # anything else (TypeError, RecursionError, httpx errors ...) fails the test as it escapes
        assert isinstance(result, RESPONSE_MODELS[operation])
        assert 200 <= answer.status < 300 and answer.raises is None
        touch(result)
        result.model_dump_json()
        assert records and records[-1].ok
    assert all(0 <= d <= client.retry.backoff_max for d in delays), delays  # no NaN, no negative, no huge sleep


@pytest.mark.parametrize("exc", _TRANSPORT_ERRORS, ids=lambda e: type(e).__name__)
def test_every_transport_failure_is_a_connection_error(exc: BaseException) -> None:
    """Each way the network fails (also the rare ones hypothesis may not draw) is a ConnectionFailed."""
    client = fuzz_client(lambda request: Wire(raises=exc).response(), retries=0)

    async def call() -> Any:
        try:
            return await client.get_job("p", "j")
        finally:
            await client.aclose()

    with pytest.raises(errors.ConnectionFailed) as caught:  # RequestTimeout is a ConnectionFailed too
        asyncio.run(call())
    assert caught.value.operation == "GetJob" and "foas.fuzz.invalid" in caught.value.message
    assert isinstance(caught.value, errors.RequestTimeout) == isinstance(exc, httpx.TimeoutException)


# --- the browse and refresh services over fuzzed answers --------------------------------------------------------


@SERVICES
@given(data=st.data())
def test_browse_and_refresh_services_raise_only_foas_errors(data: st.DataObject) -> None:
    from foas_tui.config import AppConfig
    from foas_tui.services.actions import ActionKind, JobActions
    from foas_tui.services.call_log import CallLog
    from foas_tui.services.refresh import RefreshScheduler, RunRow
    from foas_tui.services.selection import Selection
    from foas_tui.services.session import Session

    def answer(request: httpx.Request) -> httpx.Response:
        operation = request.headers["x-acs-action"]
        drawn = data.draw(wire(operation), label=operation)
        return drawn.response()

    client = fuzz_client(answer)
    session = Session(client=client, config=AppConfig(), profile_name="fuzz", region_id="cn-hangzhou",
                      endpoint=client.base_url, read_only=True, call_log=CallLog())
    refresher = RefreshScheduler(client, clock=lambda: 1_795_680_000.0)
    refresher.watch([("p", "job_a", "FLINK_STREAM"), ("p", "job_b", "flink_batch"), ("q", "job_c", "FLINK_STREAM")])
    selections = [Selection("p", "job_a", "FLINK_STREAM"), Selection("q", "job_c", "FLINK_STREAM")]

    async def run() -> None:
        try:
            for use_case in (session.list_projects, lambda: session.folder_contents("p"),
                             lambda: session.folder_contents("p", "/a", 3), lambda: session.project_jobs("p"),
                             lambda: JobActions(client).current_states(selections)):
                try:
                    await use_case()
                except errors.FoasError:
                    pass
            result = await refresher.refresh_once()  # never raises: failed chunks are in result.errors
            assert all(isinstance(e, errors.FoasError) for e in result.errors), result.errors
            assert all(isinstance(r, RunRow) and isinstance(r.job_name, str) for r in result.rows.values())
            assert set(result.rows) <= {("p", "job_a"), ("p", "job_b"), ("q", "job_c")}
            outcome = await JobActions(client).perform(ActionKind.VALIDATE, selections[0])
            assert outcome.ok or isinstance(outcome.error, errors.FoasError)
        finally:
            await client.aclose()

    asyncio.run(run())


# --- escapes found by fuzzing, fixed; kept as regression tests ---------------------------------------------

@pytest.mark.parametrize("use_case", ["project_jobs", "folder_jobs", "child_folders"])
def test_session_skips_items_without_a_name(use_case: str) -> None:
    from foas_tui.config import AppConfig
    from foas_tui.services.call_log import CallLog
    from foas_tui.services.session import Session

    def answer(request: httpx.Request) -> httpx.Response:
        operation = request.headers["x-acs-action"]
        if operation == "ListJob":
            jobs = [{"JobName": "b_job"}, {"JobType": "FLINK_STREAM"}] if use_case != "child_folders" else []
            return httpx.Response(200, json={"Jobs": {"Job": jobs}})
        if operation == "ListChildFolder":
            folders = [{"Path": "/a/x"}, {"FolderId": 9}] if use_case == "child_folders" else []
            return httpx.Response(200, json={"Folders": {"Folder": folders}})
        return httpx.Response(200, json={"Folder": {"FolderId": 1, "Path": "/"}})

    client = fuzz_client(answer)
    session = Session(client=client, config=AppConfig(), profile_name="fuzz", region_id="cn-hangzhou",
                      endpoint=client.base_url, read_only=True, call_log=CallLog())

    async def run() -> Any:
        try:
            if use_case == "project_jobs":
                return [j.job_name for j in await session.project_jobs("p")]
            contents = await session.folder_contents("p", "/a", 3)
            return [j.job_name for j in contents.jobs] + [f.path for f in contents.folders]
        finally:
            await client.aclose()

    assert asyncio.run(run()) in (["b_job"], ["/a/x"])


def _call_with(body: bytes, status: int = 200, headers: dict[str, str] | None = None) -> Any:
    client = fuzz_client(lambda request: httpx.Response(status, headers=headers or {}, content=body))

    async def call() -> Any:
        try:
            return await client.get_job("p", "j")
        finally:
            await client.aclose()

    return asyncio.run(call())


@pytest.mark.parametrize("status", [200, 500])
def test_deeply_nested_body_is_an_invalid_response(status: int) -> None:
    with pytest.raises(errors.FoasError):
        _call_with(b"[" * 100_000 + b"]" * 100_000, status)


def test_garbled_content_encoding_is_an_invalid_response() -> None:
    with pytest.raises(errors.InvalidResponse):
        _call_with(b"this is not gzip", headers={"content-encoding": "gzip"})


def test_paging_ends_on_a_service_that_repeats_the_same_full_page() -> None:
    calls = 0

    def answer(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        if calls > 500:  # keep the test finite: this is the point where it has clearly looped
            return httpx.Response(200, json={"Jobs": {"Job": []}})
        return httpx.Response(200, json={"Jobs": {"Job": [{"JobName": f"job_{i}"} for i in range(10)]}})

    client = fuzz_client(answer)

    async def run() -> int:
        try:
            return len([job async for job in client.iter_list_job("p", page_size=10)])
        finally:
            await client.aclose()

    run_items = asyncio.run(run())
    assert calls <= 3 and run_items <= 20, (calls, run_items)


# --- every screen over a fuzzing service (the heavy part) ------------------------------------------------------


READ_OPS = sorted(name for name, op in OPERATIONS.items() if not op.mutating)


class FuzzingService:
    """ASGI wrapper of the emulator: the emulator executes each call, then its answer may be replaced.

    `plan[op]` holds the answers drawn before the app starts (None = the emulator's own answer), used in
    turn: the app's timing decides the order of its calls, so nothing is drawn while it runs.
    """

    def __init__(self, emulator: Any, plan: dict[str, list[Wire | None]]) -> None:
        self.emulator = emulator
        self.plan = plan
        self.calls: dict[str, int] = {}
        self.replaced = 0

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.emulator(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers") or ()}
        operation = headers.get("x-acs-action", "")
        messages: list[dict[str, Any]] = []

        async def keep(message: dict[str, Any]) -> None:
            messages.append(message)

        await self.emulator(scope, receive, keep)
        answers = self.plan.get(operation) or [None]
        index = self.calls.get(operation, 0)
        self.calls[operation] = index + 1
        answer = answers[index % len(answers)]
        if answer is None:
            for message in messages:
                await send(message)
            return
        self.replaced += 1
        if answer.raises is not None:
            raise ConnectionResetError("connection dropped (fuzz)")
        out = [(k.encode(), v.encode("latin-1")) for k, v in answer.headers.items()]
        out.append((b"content-length", str(len(answer.body)).encode()))
        await send({"type": "http.response.start", "status": answer.status, "headers": out})
        await send({"type": "http.response.body", "body": answer.body})


def _screen_steps() -> list[tuple[str, str]]:
    # (key, the screen class it opens); Esc goes back after each.
    return [("e", "ExceptionsScreen"), ("c", "CheckpointsScreen"), ("m", "MetricsScreen"),
            ("i", "InternalsScreen"), ("t", "TriageScreen"), ("R", "ResourcesScreen"), ("L", "CommandLogScreen"),
            ("question_mark", "HelpScreen")]


@st.composite
def answer_plan(draw: Any) -> dict[str, list[Wire | None]]:
    """For each read operation: two answers, each the emulator's own (None) or a drawn one."""
    # wire() first: the simplest plan answers `{}` to every call (every key missing), not the emulator's data.
    return {op: draw(st.lists(wire(op) | st.none(), min_size=2, max_size=2), label=op) for op in READ_OPS}


def _outage_plan() -> dict[str, list[Wire | None]]:
    """Every read but ListProject answers 503 with a request id: each screen must say so (deterministic)."""
    body = _dumps({"RequestId": "FUZZ-OUTAGE-1", "Code": "ServiceUnavailable", "Message": "fuzz outage"})
    failing = Wire(503, {"x-acs-request-id": "FUZZ-OUTAGE-1"}, body, request_id="FUZZ-OUTAGE-1",
                   code="ServiceUnavailable")
    return {op: [None if op == "ListProject" else failing] for op in READ_OPS}


@pytest.mark.slow
@SCREENS
@given(plan=answer_plan())
def test_every_screen_survives_fuzzed_answers(plan: dict[str, list[Wire | None]],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    run_screens(plan, monkeypatch)


@pytest.mark.slow
def test_every_screen_shows_an_outage(monkeypatch: pytest.MonkeyPatch) -> None:
    run_screens(_outage_plan(), monkeypatch)


def run_screens(plan: dict[str, list[Wire | None]], monkeypatch: pytest.MonkeyPatch) -> None:
    """Open every screen over `plan`'s answers: no crash, no silently failed worker, errors shown."""
    import textual.worker
    from textual import events
    from textual.worker import WorkerState

    from foas_tui.app import FoasApp
    from foas_tui.config import AppConfig, ClientConfig
    from foas_tui.emulator import FakeClock
    from foas_tui.screens.auth_help import AuthHelpScreen
    from foas_tui.services.selection import Selection

    failed_workers: list[str] = []
    original_run = textual.worker.Worker._run

    async def recording_run(self: Any, app: Any) -> None:
        await original_run(self, app)
        if self.state == WorkerState.ERROR:
            failed_workers.append(f"{self.name}: {self.error!r}")

    # One live refresh at start, none later: each screen's errors are its own (not the refresh's).
    config = AppConfig(refresh_interval=3600, client=ClientConfig(retries=0))
    app = FoasApp.demo(jobs=16, seed=7, clock=FakeClock(1_795_680_000.0), config=config, state_path=None)
    service = FuzzingService(app.session.emulator, plan)
    app.session.client._http._transport = httpx.ASGITransport(app=service)
    selection = Selection("ads_attribution", "ads_conv_attribution", "FLINK_STREAM", "/")
    monkeypatch.setattr(app, "current_selection", lambda: selection)

    def shown_errors(before: set[int]) -> str:
        return "\n".join(f"{n.title}\n{n.message}" for n in app._notifications if id(n) not in before)

    async def settle(pilot: Any) -> None:
        await pilot.pause(0.1)
        for _ in range(50):  # until no worker runs (loads finished or failed)
            if not [w for w in app.workers if w.state in (WorkerState.PENDING, WorkerState.RUNNING)
                    and w.group not in ("refresh",)]:
                break
            await pilot.pause(0.05)
        await pilot.pause()

    async def press(pilot: Any, key: str) -> None:
        # As the terminal sends it, without Pilot's idle waits after every key (settle() waits instead).
        stack = list(app.screen_stack)
        app._driver.send_message(events.Key(key, None))
        for _ in range(100):
            await pilot.pause(0.02)
            if list(app.screen_stack) != stack:
                return

    async def back_to_main(pilot: Any) -> None:
        for _ in range(5):
            if app.screen is app.main_screen:
                return
            await press(pilot, "escape")
            await settle(pilot)
        raise AssertionError(f"cannot get back to the main screen from {app.screen!r}")

    async def run() -> None:
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot)
            for key, screen_name in _screen_steps():
                calls_before = app.session.call_log.total
                notes_before = {id(n) for n in app._notifications}
                await press(pilot, key)
                await settle(pilot)
                assert app.is_running, f"the app exited on {screen_name}"
                while isinstance(app.screen, AuthHelpScreen):  # an auth error code opens the fix-it screen
                    await press(pilot, "escape")
                    await settle(pilot)
                assert screen_name in [type(s).__name__ for s in app.screen_stack], (key, app.screen_stack)
                app.screen._compositor.render_update(full=True)  # it paints
                # The errors the service caused here are shown (a code or a message), not swallowed.
                count = app.session.call_log.total - calls_before
                new = list(app.session.call_log)[-count:] if count > 0 else []
                failed = [r for r in new if not r.ok and r.error_code]
                if failed:
                    visible = shown_errors(notes_before) + _screen_text(app)
                    said = [part for r in failed
                            for part in (r.error_code[:40], (r.error_message or "")[:30].strip()) if part]
                    assert any(part in visible for part in said), (screen_name, [(r.operation, r.error_code,
                                                                                   r.error_message) for r in failed])
                await back_to_main(pilot)
            assert not failed_workers, failed_workers

    textual.worker.Worker._run = recording_run  # type: ignore[method-assign]
    try:
        asyncio.run(run())
    finally:
        textual.worker.Worker._run = original_run  # type: ignore[method-assign]
    if currently_in_test_context():
        note(f"{service.replaced} answers replaced: {service.calls}")


def _plain(content: Any) -> str:
    import io

    from rich.console import Console
    from rich.text import Text

    if isinstance(content, str):
        return content
    if isinstance(content, Text):
        return content.plain
    console = Console(width=200, file=io.StringIO(), record=True)
    try:
        console.print(content)
    except Exception:  # not a rich renderable: its repr is enough to search in
        return repr(content)
    return console.export_text()


def _screen_text(app: Any) -> str:
    """Everything the screen holds as text: what is painted, plus hidden tabs, tables and editors."""
    from textual.widgets import DataTable, Static, TextArea

    parts = [_plain(app.screen._compositor.render_update(full=True, screen_stack=app._background_screens))]
    for widget in app.screen.query("*"):
        if isinstance(widget, Static):
            parts.append(_plain(widget.content))
        elif isinstance(widget, DataTable):
            parts.extend(_plain(cell) for row in range(widget.row_count) for cell in widget.get_row_at(row))
        elif isinstance(widget, TextArea):
            parts.append(widget.text)
    return "\n".join(parts)
