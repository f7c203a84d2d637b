"""The speaker used when this machine has no speech engine.

It is an explicit state, not a quiet stand-in: `available` is False, `reason`
says why, every say() emits an UNAVAILABLE event, and the UI shows
`speech.unavailable` ("La voix n'est pas disponible sur cette borne.").
"""

from __future__ import annotations

import itertools
import time
from typing import Callable

from kiosk.core.speech import (
    DEFAULT_RATE_WPM,
    DEFAULT_VOLUME_STEP,
    AudioOutput,
    EventKind,
    Listener,
    Listeners,
    SpeechEvent,
    Unavailable,
    Voice,
    check_rate,
    check_volume_step,
)


class NullSpeaker:
    def __init__(self, reason: Unavailable = Unavailable.NO_ENGINE,
                 default_rate: int = DEFAULT_RATE_WPM) -> None:
        self._reason = Unavailable(reason)
        self._default_rate = check_rate(default_rate)
        self._rate = self._default_rate
        self._volume_step = DEFAULT_VOLUME_STEP
        self._listeners = Listeners()
        self._ids = itertools.count(1)
        self._last: tuple[str, str] | None = None

    @property
    def available(self) -> bool:
        return False

    @property
    def reason(self) -> Unavailable | None:
        return self._reason

    @property
    def audio_output(self) -> AudioOutput:
        return AudioOutput.UNKNOWN

    @property
    def is_speaking(self) -> bool:
        return False

    @property
    def can_repeat(self) -> bool:
        return self._last is not None

    @property
    def rate(self) -> int:
        return self._rate

    @property
    def volume_step(self) -> int:
        return self._volume_step

    def voice_for(self, lang: str) -> Voice | None:
        return None

    def add_listener(self, listener: Listener) -> Callable[[], None]:
        return self._listeners.add(listener)

    def say(self, text: str, lang: str) -> None:
        self._last = (text, lang)
        self._listeners.emit(SpeechEvent(EventKind.UNAVAILABLE, next(self._ids), lang, time.monotonic()))

    def stop(self) -> None:
        return None

    def repeat(self) -> None:
        if self._last is not None:
            self.say(*self._last)

    def set_rate(self, wpm: int) -> None:
        self._rate = check_rate(wpm)

    def set_volume(self, step: int) -> None:
        self._volume_step = check_volume_step(step)

    def reset(self) -> None:
        self._last = None
        self._rate = self._default_rate
        self._volume_step = DEFAULT_VOLUME_STEP

    def close(self) -> None:
        self._last = None

    def wait(self, timeout: float | None = None) -> bool:
        return True
