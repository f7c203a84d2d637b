"""The `Speaker` on pyttsx3 + espeak-ng, played through a player the kiosk can stop."""

from __future__ import annotations

import itertools
import threading
import time
from typing import Callable

from kiosk.core.speech import (
    DEFAULT_RATE_WPM,
    DEFAULT_VOLUME_STEP,
    VOLUME_LEVELS,
    AudioOutput,
    EventKind,
    Listener,
    Listeners,
    SpeechEvent,
    Unavailable,
    Voice,
    check_rate,
    check_volume_step,
    chunk_text,
)
from kiosk.services.speech.engine import EngineThread, EngineUnavailable, get_engine
from kiosk.services.speech.player import Playback, PlayerConfig


class EspeakSpeaker:
    """espeak-ng voices through pyttsx3; raises `EngineUnavailable` if the engine cannot start."""

    def __init__(self, *, player: PlayerConfig | None = None, engine: EngineThread | None = None,
                 default_rate: int = DEFAULT_RATE_WPM) -> None:
        self._engine = engine or get_engine()
        reason = self._engine.wait_ready()
        if reason is not None:
            raise EngineUnavailable(reason)
        self.player = player or PlayerConfig()
        self._default_rate = check_rate(default_rate)
        self._rate = self._default_rate
        self._volume_step = DEFAULT_VOLUME_STEP
        self._listeners = Listeners()
        self._lock = threading.RLock()
        self._ids = itertools.count(1)
        self._current: Playback | None = None
        self._last: tuple[str, str] | None = None
        self._output = AudioOutput.UNKNOWN
        self._closed = False

    # --- state -----------------------------------------------------------------------------
    @property
    def available(self) -> bool:
        return True

    @property
    def reason(self) -> Unavailable | None:
        return None

    @property
    def audio_output(self) -> AudioOutput:
        return self._output

    @property
    def is_speaking(self) -> bool:
        current = self._current
        return current is not None and not current.done

    @property
    def can_repeat(self) -> bool:
        return self._last is not None

    @property
    def rate(self) -> int:
        return self._rate

    @property
    def volume_step(self) -> int:
        return self._volume_step

    @property
    def current_pid(self) -> int | None:
        """The running player process, if any (for the benchmark and the tests)."""
        current = self._current
        return current.pid if current is not None and not current.done else None

    def voice_for(self, lang: str) -> Voice | None:
        return self._engine.voice_for(lang)

    def add_listener(self, listener: Listener) -> Callable[[], None]:
        return self._listeners.add(listener)

    # --- speaking --------------------------------------------------------------------------
    def say(self, text: str, lang: str) -> None:
        with self._lock:
            if self._closed:
                raise RuntimeError("speaker closed")
            self._cancel_current()
            message_id = next(self._ids)
            self._last = (text, lang)
            chunks = chunk_text(text)
            voice = self.voice_for(lang)
            if voice is None:
                self._listeners.emit(SpeechEvent(EventKind.NO_VOICE, message_id, lang, time.monotonic()))
                return
            if not chunks:
                return
            playback = Playback(
                message_id=message_id, lang=lang, chunks=chunks, voice=voice, rate=self._rate,
                volume=VOLUME_LEVELS[self._volume_step], engine=self._engine, config=self.player,
                emit=self._listeners.emit, set_output=self._set_output)
            self._current = playback
            playback.start()

    def stop(self) -> None:
        with self._lock:
            self._cancel_current()

    def repeat(self) -> None:
        with self._lock:
            if self._last is not None:
                self.say(*self._last)

    def set_rate(self, wpm: int) -> None:
        """Applies from the next message."""
        self._rate = check_rate(wpm)

    def set_volume(self, step: int) -> None:
        """Applies from the next message."""
        self._volume_step = check_volume_step(step)

    def reset(self) -> None:
        with self._lock:
            self._cancel_current()
            self._last = None
            self._rate = self._default_rate
            self._volume_step = DEFAULT_VOLUME_STEP

    def close(self) -> None:
        with self._lock:
            self._cancel_current()
            self._last = None
            self._closed = True

    def wait(self, timeout: float | None = None) -> bool:
        """Wait until the current message has ended (for the command line and tests)."""
        current = self._current
        return True if current is None else current.wait(timeout)

    # --- inside ----------------------------------------------------------------------------
    def _cancel_current(self) -> None:
        current, self._current = self._current, None
        if current is not None and not current.done:
            current.cancel()

    def _set_output(self, state: AudioOutput) -> None:
        self._output = state


def synthesize(text: str, lang: str, rate: int = DEFAULT_RATE_WPM,
               volume_step: int = DEFAULT_VOLUME_STEP, engine: EngineThread | None = None):
    """The whole message as one `Audio` (for `kiosk speak --out` and the tests)."""
    engine = engine or get_engine()
    reason = engine.wait_ready()
    if reason is not None:
        raise EngineUnavailable(reason)
    voice = engine.voice_for(lang)
    if voice is None:
        raise LookupError(f"no voice for language {lang!r}")
    return engine.synthesize(" ".join(text.split()), voice, check_rate(rate),
                             VOLUME_LEVELS[check_volume_step(volume_step)]).result()


def write_wav(audio, path) -> None:
    """Write an `Audio` as a 16-bit mono WAV file."""
    import wave

    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(audio.sample_rate)
        wav.writeframes(audio.pcm)
