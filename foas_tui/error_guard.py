"""What the app does with an error nobody handled: keep running, say so, and never print local variables.

An on-call operator may be mid-edit or mid-action when some handler hits a bug. Textual's rule is to end the
app with a traceback, which loses the unsaved edit and, with its `show_locals=True`, could print the AccessKey
secret held by a signing frame. Here an unexpected error in a key action, a message handler or a worker of
ours becomes an error toast and a log entry, and the app stays up. Only a storm of errors (the app is clearly
broken) or an error outside those paths still ends the app, with a traceback that never shows locals.

How: an error must be caught before it leaves the handler (a Textual message pump whose handler raised stops
for good), so this module hands out guarded versions of what our classes are built from:
- `Screen` / `ModalScreen` (and the `Guarded` mixin for widgets): every `on_*`, `action_*` and `key_*`
  method a subclass defines is wrapped;
- `on` and `work`: Textual's decorators, wrapping the decorated handler or worker first;
- `FoasApp.run_action` (public) contains errors of actions run by keys, the palette and links.
tests/test_error_guard.py checks that foas_tui builds its screens and handlers from these.

The crash path's "no locals" needs one override of a private method (`App._fatal_error`, which hard-codes
`Traceback(show_locals=True)`): the documented exception to the no-private-API rule, kept here.

Tests set $FOAS_TUI_RAISE_ERRORS=1 (tests/conftest.py): a bug then fails the test that hit it, as Textual's
test pilot expects, instead of ending as a toast the test never looks at.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import logging
import os
import time
from collections import deque
from collections.abc import Callable
from typing import Any, TypeVar

from textual import on as textual_on
from textual import work as textual_work
from textual.screen import ModalScreen as TextualModalScreen
from textual.screen import Screen as TextualScreen
from textual.screen import ScreenResultType

log = logging.getLogger(__name__)

RAISE_ERRORS_ENV = "FOAS_TUI_RAISE_ERRORS"
STORM_ERRORS = 5  # this many unexpected errors ...
STORM_SECONDS = 10.0  # ... within this window end the app: it is clearly broken, a toast per error won't help
GUARDED_PREFIXES = ("on_", "action_", "key_")

F = TypeVar("F", bound=Callable[..., Any])


def contain_errors_default() -> bool:
    """Contain unexpected errors unless $FOAS_TUI_RAISE_ERRORS asks for Textual's strict behaviour."""
    return os.environ.get(RAISE_ERRORS_ENV, "").strip().lower() not in {"1", "true", "yes"}


def _app_of(owner: Any) -> Any:
    try:
        return owner.app
    except Exception:  # noqa: BLE001 - no active app (a unit test calling a method directly)
        return None


def _contained(owner: Any, error: Exception) -> bool:
    """Report `error` and return True when the app keeps running; False: re-raise (strict mode or a storm)."""
    app = _app_of(owner)
    report = getattr(app, "report_unexpected", None)
    return bool(report and report(error))


def contained(method: F) -> F:
    """Wrap a handler, action or worker: an unexpected error is reported by the app instead of ending it."""
    if getattr(method, "__contained__", False):
        return method
    if inspect.iscoroutinefunction(method):
        @functools.wraps(method)
        async def guarded_async(self: Any, *args: Any, **kwargs: Any) -> Any:
            try:
                return await method(self, *args, **kwargs)
            except Exception as error:
                if not _contained(self, error):
                    raise
                return None
        guarded: Any = guarded_async
    else:
        @functools.wraps(method)
        def guarded_sync(self: Any, *args: Any, **kwargs: Any) -> Any:
            try:
                return method(self, *args, **kwargs)
            except Exception as error:
                if not _contained(self, error):
                    raise
                return None
        guarded = guarded_sync
    guarded.__contained__ = True
    return guarded  # type: ignore[no-any-return]


class Guarded:
    """Mixin: the `on_*`, `action_*` and `key_*` methods a subclass defines are wrapped by `contained`."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for name, value in list(vars(cls).items()):
            if name.startswith(GUARDED_PREFIXES) and inspect.isfunction(value):
                setattr(cls, name, contained(value))


class Screen(Guarded, TextualScreen[ScreenResultType]):
    """Textual's Screen whose handlers are guarded (use as a base class; isinstance checks keep Textual's)."""


class ModalScreen(Guarded, TextualModalScreen[ScreenResultType]):
    """Textual's ModalScreen whose handlers are guarded."""


def on(*args: Any, **kwargs: Any) -> Callable[[F], F]:
    """Textual's `@on`, the handler guarded first (the class registers the guarded function)."""
    register = textual_on(*args, **kwargs)
    return lambda method: register(contained(method))


def work(method: Any = None, **kwargs: Any) -> Any:
    """Textual's `@work` / `@work(...)`, the worker's body guarded first (thread workers report via the loop)."""
    if method is None:
        return lambda inner: textual_work(contained(inner), **kwargs)
    return textual_work(contained(method), **kwargs)


class ErrorGuard(Guarded):
    """Mixin for the App: counts and reports contained errors; crash tracebacks never show locals."""

    contain_errors: bool = True

    def report_unexpected(self, error: Exception) -> bool:
        """Log `error` and show it as a toast; False when it must end the app (strict mode or an error storm)."""
        app: Any = self
        if not self.contain_errors or not app.is_running:
            return False
        times: deque[float] = self.__dict__.setdefault("_unexpected_times", deque(maxlen=STORM_ERRORS))
        now = time.monotonic()
        times.append(now)
        if len(times) == STORM_ERRORS and now - times[0] < STORM_SECONDS:
            log.error("%d unexpected errors within %.0f s; the app exits", STORM_ERRORS, STORM_SECONDS)
            return False
        log.error("unexpected error, the app stays up", exc_info=(type(error), error, error.__traceback__))
        message = (f"{type(error).__name__}: {error}\nThe app stays up and nothing was lost; the details are in "
                   "the log (--log-file). Please report it.")
        try:
            asyncio.get_running_loop()
        except RuntimeError:  # a thread worker: the toast is made on the app's loop
            app.call_from_thread(self._toast_unexpected, message)
        else:
            self._toast_unexpected(message)
        return True

    def _toast_unexpected(self, message: str) -> None:
        app: Any = self
        app.notify(message, title="Unexpected error", severity="error", timeout=15, markup=False)

    async def run_action(self, action: Any, default_namespace: Any = None) -> bool:
        """Actions run by keys, the palette and links: an unexpected error is contained (public `App` hook)."""
        try:
            return bool(await super().run_action(action, default_namespace))  # type: ignore[misc]
        except Exception as error:
            if not self.report_unexpected(error):
                raise
            return True

    def _fatal_error(self) -> None:
        """A crash shows its traceback WITHOUT local variables (a signing frame holds the AccessKey secret).

        Textual's own `_fatal_error` hard-codes `Traceback(show_locals=True)`; called inside its `except` block.
        """
        import rich
        from rich.traceback import Traceback

        app: Any = self
        log.exception("unhandled error; the app exits")  # the log file: a plain traceback, never locals
        app.bell()
        app.panic(Traceback(show_locals=False, width=None, suppress=[rich]))
