"""The pyttsx3 / espeak-ng engine, alone in one dedicated thread.

espeak-ng keeps process-wide state (pyttsx3 initialises it once per process
and installs one synthesis callback), so there is one engine thread per
process, shared by every speaker; nothing else ever calls pyttsx3.

How pyttsx3 2.99 is used, and why:
- It plays through `aplay` and cannot be interrupted, so it never plays
  anything here: each sentence is written with `save_to_file()` into an
  in-memory `io.BytesIO` (the `wave` module accepts a file object), and the
  kiosk plays the samples through a player process it can stop.
- After one `save_to_file()` every later `say()` writes that file again, so
  `say()` is never called: every request is a `save_to_file()` into a new buffer.
- One utterance per `runAndWait()`: one request = one `runAndWait()`. The
  engine object is reused (creating a new one per message is not needed: the
  driver and espeak stay initialised, and voice, rate and volume are set again
  for every request).
- pyttsx3 opens espeak-ng in "retrieval" mode, where espeak-ng synthesises
  in a thread of its own and parameter changes are queued to it; runAndWait()
  cancels that queue if it is not empty, so a new rate or volume was silently
  lost about one time in two. Each request therefore waits for espeak-ng to be
  idle (espeak_Synchronize), sets voice, rate and volume, waits again, and
  checks them before synthesising (see _synthesize).
- A new engine is "busy" until its first loop, which holds setProperty() calls
  back: one empty runAndWait() at start clears that.
- The driver prints "Audio saved to ..." after each file; that print is
  silenced inside the driver module only.
Nothing is written to disk, so no spoken text is left behind after a session.
"""

from __future__ import annotations

import io
import logging
import queue
import threading
import wave
from concurrent.futures import Future
from dataclasses import dataclass

from kiosk.core.speech import Unavailable, Voice, voice_languages

log = logging.getLogger(__name__)

START_TIMEOUT_S = 10.0


class EngineUnavailable(Exception):
    """The engine could not start. `reason` is an `Unavailable` value."""

    def __init__(self, reason: Unavailable) -> None:
        super().__init__(f"speech engine unavailable: {reason.value}")
        self.reason = reason


class Cancelled(Exception):
    """The request was cancelled before the engine reached it."""


@dataclass(frozen=True)
class Audio:
    pcm: bytes          # signed 16-bit little-endian mono
    sample_rate: int

    @property
    def duration_s(self) -> float:
        return len(self.pcm) / 2 / self.sample_rate


@dataclass
class _Request:
    text: str
    voice_id: str
    rate: int
    volume: float
    future: Future
    cancelled: threading.Event


def _silent_print(*_args: object, **_kwargs: object) -> None:
    return None


class EngineThread:
    """Owns the pyttsx3 engine; runs synthesis requests one at a time, in order."""

    def __init__(self) -> None:
        self._requests: queue.Queue[_Request | None] = queue.Queue()
        self._ready = threading.Event()
        self._failure: Unavailable | None = None
        self._voices: dict[str, Voice | None] = {}
        self._all_voices: list[tuple[str, str, tuple[str, ...]]] = []
        self._thread = threading.Thread(target=self._run, name="speech-engine", daemon=True)
        self._thread.start()

    # --- called from any thread ------------------------------------------------------------
    def wait_ready(self, timeout: float = START_TIMEOUT_S) -> Unavailable | None:
        """None when the engine works, else why it does not."""
        if not self._ready.wait(timeout):
            return Unavailable.ENGINE_FAILED
        return self._failure

    def voice_for(self, lang: str) -> Voice | None:
        if self.wait_ready() is not None:
            return None
        if lang not in self._voices:
            self._voices[lang] = self.voice_for_unlocked(lang)  # type: ignore[assignment]
        return self._voices[lang]

    def synthesize(self, text: str, voice: Voice, rate: int, volume: float,
                   cancelled: threading.Event | None = None) -> Future:
        """A Future of `Audio`. Cancelled requests still queued are skipped."""
        future: Future = Future()
        reason = self.wait_ready()
        if reason is not None:
            future.set_exception(EngineUnavailable(reason))
            return future
        self._requests.put(_Request(text, voice.voice_id, rate, volume, future,
                                    cancelled or threading.Event()))
        return future

    # --- the engine thread -----------------------------------------------------------------
    def _run(self) -> None:
        try:
            engine = self._start()
        except ImportError:
            log.warning("speech engine: pyttsx3 is not installed")
            self._failure = Unavailable.NO_ENGINE
        except RuntimeError:
            # pyttsx3 raises RuntimeError when libespeak-ng is missing or does not initialise.
            log.warning("speech engine: espeak-ng is missing or did not start")
            self._failure = Unavailable.NO_ENGINE
        except OSError:
            log.warning("speech engine: espeak-ng could not be loaded")
            self._failure = Unavailable.ENGINE_FAILED
        finally:
            self._ready.set()
        if self._failure is not None:
            self._fail_all()
            return
        while True:
            request = self._requests.get()
            if request is None:
                return
            if request.cancelled.is_set():
                request.future.set_exception(Cancelled())
                continue
            try:
                request.future.set_result(self._synthesize(engine, request))
            except Exception as exc:  # handed to the caller, who reports it
                request.future.set_exception(exc)

    def _start(self):
        import pyttsx3
        import pyttsx3.drivers.espeak as espeak_driver

        espeak_driver.print = _silent_print  # the driver prints every file name it saves
        engine = pyttsx3.init("espeak")
        # A fresh engine is "busy" until its first loop: run one empty loop so that
        # later setProperty() calls apply at once instead of waiting in pyttsx3's queue.
        engine.runAndWait()
        errors: list[BaseException] = []
        engine.connect("error", lambda name=None, exception=None: errors.append(exception))
        engine._kiosk_errors = errors
        voices = []
        for v in engine.getProperty("voices"):
            voices.append((v.id, v.name, tuple(lang.lower() for lang in (v.languages or ()))))
        self._all_voices = voices
        # Warm up: the first synthesis loads voice data; do it now, not on the first tap.
        for lang in ("fr", "en"):
            voice = self.voice_for_unlocked(lang)
            if voice is not None:
                self._synthesize(engine, _Request("Bonjour.", voice.voice_id, 150, 1.0,
                                                  Future(), threading.Event()))
        return engine

    def voice_for_unlocked(self, lang: str) -> Voice | None:
        for wanted in voice_languages(lang):
            for voice_id, name, languages in self._all_voices:
                if wanted in languages:
                    return Voice(lang=lang, voice_id=voice_id, name=name, language=wanted)
        return None

    @staticmethod
    def _synthesize(engine, request: _Request) -> Audio:
        from pyttsx3.drivers import _espeak

        errors: list[BaseException] = engine._kiosk_errors
        errors.clear()
        # espeak-ng runs its own thread (pyttsx3 opens it in "retrieval" mode): parameter
        # changes are queued there, and pyttsx3's runAndWait() calls espeak_Cancel() when
        # that queue is not empty, which silently drops them (a wrong rate one time in two).
        # So: wait until espeak is idle, set, wait until applied, check, then synthesise.
        _espeak.Synchronize()
        for _attempt in range(3):
            engine.setProperty("voice", request.voice_id)
            engine.setProperty("rate", request.rate)
            engine.setProperty("volume", request.volume)
            _espeak.Synchronize()
            if (_espeak.GetParameter(_espeak.RATE) == request.rate
                    and _espeak.GetParameter(_espeak.VOLUME) == int(round(request.volume * 100))
                    and engine.getProperty("voice") == request.voice_id):
                break
        else:
            raise RuntimeError("the speech engine did not take the voice settings")
        buffer = io.BytesIO()
        engine.save_to_file(request.text, buffer)
        engine.runAndWait()
        if errors:
            raise RuntimeError("speech synthesis failed") from errors[0]
        buffer.seek(0)
        with wave.open(buffer, "rb") as wav:
            return Audio(pcm=wav.readframes(wav.getnframes()), sample_rate=wav.getframerate())

    def _fail_all(self) -> None:
        while True:
            try:
                request = self._requests.get_nowait()
            except queue.Empty:
                return
            if request is not None:
                request.future.set_exception(EngineUnavailable(self._failure or Unavailable.ENGINE_FAILED))


_engine: EngineThread | None = None
_engine_lock = threading.Lock()


def get_engine() -> EngineThread:
    """The process's one engine thread, started on first use."""
    global _engine
    with _engine_lock:
        if _engine is None:
            _engine = EngineThread()
        return _engine
