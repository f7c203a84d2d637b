"""Backend outages in the installer's log: one line when the health space stops answering, one when it is back.

An outage starts with a call of the port that fails with ``Unavailable``; it ends
with the next call that succeeds. Nothing is logged per call. The lines name the
backend kind, the method and the failure reason (``timeout``, ``connect``,
``http 503``...): never a URL, an identifier, a name or a body.

``@watch_outages("fhir")`` on a backend class wraps every port method except
``sign_out`` and ``forget`` (they never reach the service's data and cannot say
it is back). Calls a method makes to another port method count once.
"""

from __future__ import annotations

import functools
import logging
import threading
import time
from typing import Any, Callable, TypeVar

from kiosk.core.errors import Unavailable
from kiosk.core.ports import HealthSpace

log = logging.getLogger("kiosk.backend")

#: Port methods that neither start nor end an outage.
NOT_WATCHED = frozenset({"sign_out", "forget"})
#: The port methods that are watched.
WATCHED = tuple(sorted(
    name for name, value in vars(HealthSpace).items()
    if callable(value) and not name.startswith("_") and name not in NOT_WATCHED
))

C = TypeVar("C", bound=type)


def _reason(error: BaseException) -> str:
    """The closed failure reason behind an Unavailable (the HTTP client's), or "no answer"."""
    cause = error.__cause__ or error.__context__
    reason = getattr(cause, "reason", None)
    if isinstance(reason, str):
        status = getattr(cause, "status", None)
        return f"{reason} {status}" if isinstance(status, int) else reason
    return "no answer"


class OutageWatch:
    """The state of one backend: up, or down since a monotonic time."""

    def __init__(self, kind: str, monotonic: Callable[[], float]) -> None:
        self.kind = kind
        self._monotonic = monotonic
        self.down_since: float | None = None
        self._lock = threading.Lock()
        self._depth = threading.local()

    @property
    def down(self) -> bool:
        return self.down_since is not None

    def failed(self, method: str, error: BaseException) -> None:
        with self._lock:
            if self.down_since is not None:
                return
            self.down_since = self._monotonic()
        log.warning("health space unavailable (%s): %s, during %s", self.kind, _reason(error), method)

    def answered(self) -> None:
        if self.down_since is None:
            return
        with self._lock:
            if self.down_since is None:
                return
            seconds = max(0.0, self._monotonic() - self.down_since)
            self.down_since = None
        log.warning("health space available again (%s) after %.0f s", self.kind, seconds)

    def call(self, method: str, run: Callable[[], Any]) -> Any:
        depth = getattr(self._depth, "value", 0)
        self._depth.value = depth + 1
        try:
            result = run()
        except Unavailable as error:
            if depth == 0:
                self.failed(method, error)
            raise
        finally:
            self._depth.value = depth
        if depth == 0:
            self.answered()
        return result


def outage_watch(space: Any) -> OutageWatch | None:
    """The watch of a backend built from a watched class (None before its first call)."""
    return space.__dict__.get("_outage_watch")


def _watch_of(space: Any, kind: str) -> OutageWatch:
    watch = space.__dict__.get("_outage_watch")
    if watch is None:
        clock = getattr(space, "clock", None)
        monotonic = clock.monotonic if clock is not None and hasattr(clock, "monotonic") else time.monotonic
        watch = space.__dict__.setdefault("_outage_watch", OutageWatch(kind, monotonic))
    return watch


def _watched(kind: str, name: str, method: Callable) -> Callable:
    @functools.wraps(method)
    def call(self, *args: Any, **kwargs: Any) -> Any:
        return _watch_of(self, kind).call(name, lambda: method(self, *args, **kwargs))

    call.watched = True  # type: ignore[attr-defined]
    return call


def watch_outages(kind: str) -> Callable[[C], C]:
    """Class decorator: log the outages of this backend (see the module docstring)."""

    def decorate(cls: C) -> C:
        for name in WATCHED:
            method = getattr(cls, name, None)
            if method is not None and not getattr(method, "watched", False):
                setattr(cls, name, _watched(kind, name, method))
        return cls

    return decorate


__all__ = ["NOT_WATCHED", "OutageWatch", "WATCHED", "outage_watch", "watch_outages"]
