"""The flow runner: every backend call off the UI thread, with one deadline per action.

The UI asks ``runner.run(work, then=...)``. ``work`` (a flow action, or the start of
a journey) runs on a worker thread; each health-space call it makes goes through
:class:`GatedHealthSpace`, on a thread of its own, so the worker can always give up
waiting. ``then(result)`` runs later on the UI thread, through the ``post``
function the UI gives (Kivy's clock in the app, a queue in tests).

- ``poll()`` is called by the UI several times a second. After ``waiting_after_s``
  it marks the action as waiting (the UI shows and says "Un instant"); after
  ``deadline_s`` it stops the waits, so the health-space call raises
  ``Unavailable`` with a sentence that says what was and was not done.
- ``end_session()`` (called when the kiosk session ends) drops the running action:
  its result is never handed to the UI, so it never reaches the next person.
- One action at a time: ``run()`` refuses a second one while the first runs.

Time is read from the injected clock only.
"""

from __future__ import annotations

import contextlib
import enum
import logging
import threading
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator

from kiosk.core.clock import Clock
from kiosk.core.errors import Unavailable

log = logging.getLogger(__name__)

Post = Callable[[Callable[[], None]], None]
Listener = Callable[["FlowRunner"], None]

DEADLINE_KEY = "errors.unavailable.deadline"          # a read got no answer in time: nothing changed
UNKNOWN_KEY = "errors.unavailable.unknown"            # a change got no answer in time: maybe done

#: Health-space methods that change something (their outcome is unknown after a deadline).
WRITES = frozenset({
    "hide_document", "show_document", "block_professional", "unblock_professional",
    "set_emergency_access", "create_access_code", "revoke_access_code", "reply",
    "mark_thread_read", "close_space", "oppose_space",
})


class CallState(enum.Enum):
    RUNNING = "running"
    DONE = "done"
    TIMED_OUT = "timed_out"    # the deadline passed; the worker was told to stop waiting
    DROPPED = "dropped"        # its session ended, or it never came back: its result is thrown away


@dataclass(eq=False)
class Call:
    """One action of the person, from the tap to the answer on screen."""

    generation: int
    started: float
    then: Callable[[Any], None] | None
    state: CallState = CallState.RUNNING
    wrote: bool = False
    checking: bool = False     # a change got no answer: the flow is reading back whether it was made
    cancelled: threading.Event = field(default_factory=threading.Event)
    worker_done: threading.Event = field(default_factory=threading.Event)
    waiters: list[threading.Event] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def stop_waiting(self) -> None:
        with self.lock:
            self.cancelled.set()
            for waiter in self.waiters:
                waiter.set()


_worker = threading.local()  # .call: the Call this worker thread runs


class FlowRunner:
    def __init__(
        self,
        clock: Clock,
        *,
        post: Post | None = None,
        deadline_s: float = 20.0,
        waiting_after_s: float = 0.3,
        give_up_after_s: float = 5.0,
    ) -> None:
        self.clock = clock
        #: hands a function to the UI thread; without one, results wait in a queue for drain()
        self.post: Post = post or self._enqueue
        self._queue: list[Callable[[], None]] = []
        self._queue_lock = threading.Lock()
        self.deadline_s = deadline_s
        self.waiting_after_s = waiting_after_s
        #: after the deadline, how long the worker may take to come back before it is dropped
        self.give_up_after_s = give_up_after_s
        self.current: Call | None = None
        self.waiting = False
        #: a deadline passed without any answer at all: the UI says so (read by the UI, then cleared)
        self.gave_up = False
        self.generation = 0
        self.direct_calls = 0   # health-space calls made outside any action (set-up code, tests)
        self.dropped = 0        # results thrown away because their session had ended
        self._listeners: list[Listener] = []
        self._inline = 0
        #: asked before every change on the health space (the journal guard's check): raises to refuse it
        self.before_write: Callable[[], None] | None = None

    # ------------------------------------------------------------ reading
    @property
    def busy(self) -> bool:
        return self.current is not None

    @property
    def checking(self) -> bool:
        return self.current is not None and self.current.checking

    def add_listener(self, listener: Listener) -> Callable[[], None]:
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    def _notify(self) -> None:
        for listener in list(self._listeners):
            listener(self)

    # ------------------------------------------------------------ UI thread
    def _enqueue(self, fn: Callable[[], None]) -> None:
        with self._queue_lock:
            self._queue.append(fn)

    def drain(self) -> None:
        """Run what workers handed over (when no UI posts for us)."""
        with self._queue_lock:
            ready, self._queue = self._queue, []
        for fn in ready:
            fn()

    @contextlib.contextmanager
    def inline(self) -> Iterator[None]:
        """Set-up code (pictures for `kiosk shots`, test fixtures): actions run at once, here."""
        self._inline += 1
        try:
            yield
        finally:
            self._inline -= 1

    def run(self, work: Callable[[], Any], *, then: Callable[[Any], None] | None = None) -> bool:
        """Start ``work`` off the UI thread; False (nothing done) while another action runs."""
        if self._inline:
            result = work()
            if then is not None:
                then(result)
            return True
        if self.current is not None:
            return False
        call = Call(self.generation, self.clock.monotonic(), then)
        self.current = call
        self.waiting = False
        self.gave_up = False
        thread = threading.Thread(target=self._work, args=(call, work), daemon=True, name="kiosk-action")
        thread.start()
        return True

    def poll(self) -> None:
        """Waiting message, deadline, and giving up: called often by the UI."""
        call = self.current
        if call is None:
            return
        elapsed = self.clock.monotonic() - call.started
        if call.state is CallState.RUNNING and elapsed >= self.deadline_s:
            call.state = CallState.TIMED_OUT
            log.warning("action: no answer within %.0f s", self.deadline_s)
            call.stop_waiting()
        if call.state is CallState.TIMED_OUT and elapsed >= self.deadline_s + self.give_up_after_s:
            call.state = CallState.DROPPED
            self.current = None
            self.waiting = False
            self.gave_up = True
            log.error("action: dropped, its worker did not come back")
            self._notify()
            return
        if not self.waiting and elapsed >= self.waiting_after_s:
            self.waiting = True
            self._notify()

    def end_session(self) -> None:
        """The session ended: whatever is running will never reach the screen."""
        self.generation += 1
        call = self.current
        if call is None:
            return
        call.state = CallState.DROPPED
        call.stop_waiting()
        self.current = None
        self.waiting = False
        self._notify()

    def _finish(self, call: Call, result: Any, error: BaseException | None) -> None:
        if call.state is CallState.DROPPED or call.generation != self.generation:
            self.dropped += 1
            return  # its person has gone: never shown
        call.state = CallState.DONE
        if self.current is call:
            self.current = None
        self.waiting = False
        self._notify()
        if error is not None:
            raise error  # to the last-resort handler, on the UI thread
        if call.then is not None:
            call.then(result)

    # ------------------------------------------------------------ worker thread
    def _work(self, call: Call, work: Callable[[], Any]) -> None:
        _worker.call = call
        result: Any = None
        error: BaseException | None = None
        try:
            result = work()
        except BaseException as exc:  # handed to the UI thread's handler, never lost
            error = exc
        finally:
            _worker.call = None
        self.post(lambda: self._finish(call, result, error))
        call.worker_done.set()

    def wait_for_worker(self, timeout: float = 60.0) -> bool:
        """Tests and benchmarks: block until the running action's worker has handed its result over."""
        call = self.current
        return True if call is None else call.worker_done.wait(timeout)

    def call_backend(self, name: str, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """One health-space call. Inside an action: on its own thread, abandoned at the deadline."""
        call: Call | None = getattr(_worker, "call", None)
        if call is None:
            self.direct_calls += 1
            if name in WRITES and self.before_write is not None:
                self.before_write()
            return fn(*args, **kwargs)
        if name in WRITES:
            if self.before_write is not None:
                self.before_write()  # a change that could not be journaled is not made
            call.wrote = True
        if call.cancelled.is_set():
            raise Unavailable(UNKNOWN_KEY if call.wrote else DEADLINE_KEY)
        done = threading.Event()
        box: dict[str, Any] = {}

        def target() -> None:
            try:
                box["value"] = fn(*args, **kwargs)
            except BaseException as exc:
                box["error"] = exc
            finally:
                done.set()

        with call.lock:
            call.waiters.append(done)
            if call.cancelled.is_set():
                done.set()
        threading.Thread(target=target, daemon=True, name="kiosk-backend").start()
        done.wait()
        with call.lock:
            call.waiters.remove(done)
        if "error" in box:
            error = box["error"]
            if name in WRITES and getattr(error, "key", None) == UNKNOWN_KEY and not call.checking:
                call.checking = True  # the flow reads back: "Nous vérifions si c'est fait."
                self.post(self._notify)
            raise error
        if "value" not in box:  # the deadline or the end of the session came first
            raise Unavailable(UNKNOWN_KEY if call.wrote else DEADLINE_KEY)
        return box["value"]


class GatedHealthSpace:
    """The health space as flows see it: every call goes through the runner."""

    def __init__(self, space: Any, runner: FlowRunner) -> None:
        object.__setattr__(self, "_space", space)
        object.__setattr__(self, "_runner", runner)

    def __getattr__(self, name: str) -> Any:
        target = getattr(self._space, name)
        if not callable(target) or name.startswith("_"):
            return target

        def gated(*args: Any, **kwargs: Any) -> Any:
            return self._runner.call_backend(name, target, *args, **kwargs)

        return gated

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(self._space, name, value)

    @property
    def inner(self) -> Any:
        return self._space


def unwrap(space: Any) -> Any:
    """The health space behind the gate (or the space itself)."""
    return space.inner if isinstance(space, GatedHealthSpace) else space


__all__ = ["Call", "CallState", "DEADLINE_KEY", "FlowRunner", "GatedHealthSpace", "UNKNOWN_KEY", "WRITES", "unwrap"]
