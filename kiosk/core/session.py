"""Session lifecycle: start, activity, inactivity warning, end and wipe.

Runs on an injectable clock; the UI calls `tick()` about once a second and
`activity()` on every touch. Nothing here knows about screens: listeners are
told of the warning and of the end, and reset themselves.
"""

from __future__ import annotations

import enum
import shutil
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from kiosk.core.clock import Clock


class State(enum.Enum):
    IDLE = "idle"          # nobody is using the kiosk (Welcome screen)
    ACTIVE = "active"
    WARNING = "warning"    # inactivity warning shown, countdown running
    ENDED = "ended"        # end-of-session screen, everything wiped


class EndReason(enum.Enum):
    USER = "user"          # the person tapped "Terminer"
    TIMEOUT = "timeout"


@dataclass
class Preferences:
    """What a person may change for themselves; reset for the next person."""

    language: str
    text_size: int
    theme: str
    volume: int = 3
    speech_rate_wpm: int = 150


@dataclass
class SessionActivity:
    """What the person did, in counts only, for the end-of-session summary."""

    counts: dict[str, int] = field(default_factory=dict)

    def record(self, what: str) -> None:
        self.counts[what] = self.counts.get(what, 0) + 1


Listener = Callable[["Session"], None]


class Session:
    def __init__(
        self,
        clock: Clock,
        *,
        timeout_s: int,
        warning_s: int,
        defaults: Preferences,
        temp_root: Path | None = None,
    ) -> None:
        if warning_s < 20:
            raise ValueError("warning_s must be at least 20 seconds")
        if warning_s >= timeout_s:
            raise ValueError("warning_s must be shorter than timeout_s")
        self.clock = clock
        self.timeout_s = timeout_s
        self.warning_s = warning_s
        self.defaults = defaults
        self.prefs = Preferences(**vars(defaults))
        self.state = State.IDLE
        self.end_reason: EndReason | None = None
        self.activity_log = SessionActivity()
        self.data: dict[str, Any] = {}   # every patient object lives here, nowhere else
        #: +1 at every wipe: work started for one person never writes into the next one's session
        self.generation = 0
        self._lock = threading.RLock()
        self._temp_root = temp_root
        self._temp_dir: Path | None = None
        self._last_activity = clock.monotonic()
        self._cleanups: list[Callable[[], None]] = []
        self.on_start: list[Listener] = []
        self.on_warning: list[Listener] = []
        self.on_resume: list[Listener] = []
        self.on_end: list[Listener] = []
        self.on_reset: list[Listener] = []

    # -- lifecycle -------------------------------------------------------
    def start(self) -> None:
        if self.state in (State.ACTIVE, State.WARNING):
            return
        self.state = State.ACTIVE
        self.end_reason = None
        self._last_activity = self.clock.monotonic()
        self._emit(self.on_start)

    def activity(self) -> None:
        """Any touch. During the warning, it does not dismiss it: only the button does."""
        if self.state == State.ACTIVE:
            self._last_activity = self.clock.monotonic()

    def still_here(self) -> None:
        """'Je suis encore là' on the warning."""
        if self.state == State.WARNING:
            self.state = State.ACTIVE
            self._last_activity = self.clock.monotonic()
            self._emit(self.on_resume)

    def idle_seconds(self) -> float:
        return self.clock.monotonic() - self._last_activity

    def seconds_left(self) -> int:
        """Seconds before the session ends by itself (meaningful while active or warning)."""
        return max(0, int(round(self.timeout_s - self.idle_seconds())))

    def tick(self) -> None:
        if self.state not in (State.ACTIVE, State.WARNING):
            return
        idle = self.idle_seconds()
        if idle >= self.timeout_s:
            self.end(EndReason.TIMEOUT)
        elif self.state == State.ACTIVE and idle >= self.timeout_s - self.warning_s:
            self.state = State.WARNING
            self._emit(self.on_warning)

    def end(self, reason: EndReason = EndReason.USER) -> None:
        if self.state == State.ENDED:
            return
        was_running = self.state in (State.ACTIVE, State.WARNING)
        self.end_reason = reason if was_running else self.end_reason
        self.state = State.ENDED
        self._emit(self.on_end)
        self.wipe()

    def reset_for_next_person(self) -> None:
        """Back to the Welcome state (after the end screen)."""
        self.wipe()
        self.state = State.IDLE
        self.end_reason = None
        self.activity_log = SessionActivity()
        self._emit(self.on_reset)

    # -- private data ----------------------------------------------------
    def temp_dir(self) -> Path:
        """A private folder for this session's temporary files, removed at the end."""
        if self._temp_dir is None:
            self._temp_dir = Path(tempfile.mkdtemp(prefix="kiosk-session-", dir=self._temp_root))
            self._temp_dir.chmod(0o700)
        return self._temp_dir

    def add_cleanup(self, cleanup: Callable[[], None]) -> None:
        """Something outside the session that holds patient data (a cache, a speaker)."""
        self._cleanups.append(cleanup)

    def if_current(self, generation: int, write: Callable[[], None]) -> bool:
        """Run `write` (into this session's data) only if no wipe came since `generation`.

        Backend work runs off the UI thread and may finish after its person has gone.
        """
        with self._lock:
            if generation != self.generation:
                return False
            write()
            return True

    def wipe(self) -> None:
        with self._lock:
            self.generation += 1
            self.data.clear()
        for cleanup in list(self._cleanups):
            cleanup()
        if self._temp_dir is not None:
            shutil.rmtree(self._temp_dir, ignore_errors=True)
            self._temp_dir = None
        self.prefs = Preferences(**vars(self.defaults))

    def _emit(self, listeners: list[Listener]) -> None:
        for listener in list(listeners):
            listener(self)
