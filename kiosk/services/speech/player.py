"""Playing synthesised samples through a player process the kiosk can stop at once.

The samples are written to the player's standard input as raw 16-bit mono,
paced in real time (at most LEAD_S ahead of the clock). So:
- stopping is killing one process: the sound card drops its buffer at once;
- the player lives as long as the speech lasts, even on the ALSA "null"
  device, which is how the tests run a real player on a machine without a
  sound card (`PlayerConfig(device="null")`);
- `is_speaking` matches what is heard.

A player that cannot open a sound output (no sound card: aplay exits with an
error at once) is not an error: the message becomes a silent playback and the
speaker reports `AudioOutput.NONE`.
"""

from __future__ import annotations

import logging
import os
import subprocess
import threading
import time
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Callable, Sequence

from kiosk.core.speech import AudioOutput, EventKind, SpeechEvent, Voice
from kiosk.services.speech.engine import Audio, Cancelled, EngineThread, EngineUnavailable

log = logging.getLogger(__name__)

LEAD_S = 0.3        # how far ahead of the clock samples are handed to the player
BLOCK_S = 0.05      # size of one write
PROBE_S = 0.2       # a player still running after this long has a working output


@dataclass(frozen=True)
class PlayerConfig:
    """Which player, and which output.

    program: "aplay" (alsa-utils, the default) or "play" (sox).
    device:  None for the system default output; an ALSA device name such as
             "null" (plays into nothing, in real time) or "plughw:1,0".
    """

    program: str = "aplay"
    device: str | None = None

    def command(self, sample_rate: int) -> list[str]:
        if self.program == "aplay":
            cmd = ["aplay", "-q", "-t", "raw", "-f", "S16_LE", "-c", "1", "-r", str(sample_rate),
                   "-B", "100000"]  # 100 ms buffer: playback starts as soon as 100 ms are there
            if self.device:
                cmd += ["-D", self.device]
            return cmd
        if self.program == "play":
            return ["play", "-q", "-t", "raw", "-e", "signed-integer", "-b", "16", "-c", "1",
                    "-r", str(sample_rate), "-"]
        raise ValueError(f"unknown player {self.program!r}: use 'aplay' or 'play'")

    def env(self) -> dict[str, str] | None:
        if self.program == "play" and self.device:
            # sox's own "null" file type stops reading early; its ALSA driver on the ALSA device does not.
            return {**os.environ, "AUDIODRIVER": "alsa", "AUDIODEV": self.device}
        return None


class Playback:
    """One message: asks the engine for each sentence, hands the samples to the player."""

    def __init__(self, *, message_id: int, lang: str, chunks: Sequence[str], voice: Voice,
                 rate: int, volume: float, engine: EngineThread, config: PlayerConfig,
                 emit: Callable[[SpeechEvent], None],
                 set_output: Callable[[AudioOutput], None]) -> None:
        self.message_id = message_id
        self.lang = lang
        self._chunks = list(chunks)
        self._voice = voice
        self._rate = rate
        self._volume = volume
        self._engine = engine
        self._config = config
        self._emit = emit
        self._set_output = set_output
        self._cancelled = threading.Event()
        self._skip = threading.Event()  # tells the engine to skip this message's remaining sentences
        self._done = threading.Event()
        self._proc_lock = threading.Lock()
        self._proc: subprocess.Popen | None = None
        self.pid: int | None = None
        self._thread = threading.Thread(target=self._run, name=f"speech-play-{message_id}", daemon=True)

    @property
    def done(self) -> bool:
        return self._done.is_set()

    def start(self) -> None:
        self._futures: list[Future] = [
            self._engine.synthesize(c, self._voice, self._rate, self._volume, self._skip)
            for c in self._chunks
        ]
        self._thread.start()

    def wait(self, timeout: float | None = None) -> bool:
        return self._done.wait(timeout)

    def cancel(self) -> None:
        """Stop now. When this returns the player process has exited and been reaped."""
        self._cancelled.set()
        self._skip.set()
        self._done.set()
        with self._proc_lock:
            proc = self._proc
        if proc is not None and proc.poll() is None:
            proc.kill()  # SIGKILL: the kernel closes the PCM at once, nothing left to drain
        if proc is not None:
            proc.wait()

    # --- the playback thread ---------------------------------------------------------------
    def _event(self, kind: EventKind, at: float | None = None) -> None:
        self._emit(SpeechEvent(kind, self.message_id, self.lang,
                               time.monotonic() if at is None else at, self.pid))

    def _start_player(self, sample_rate: int) -> subprocess.Popen | None:
        # Started under the lock, so cancel() either sees no process and the cancelled flag
        # stops it being started, or waits for it and kills it: never a player left behind.
        with self._proc_lock:
            if self._cancelled.is_set():
                return None
            try:
                proc = subprocess.Popen(self._config.command(sample_rate), stdin=subprocess.PIPE,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                        bufsize=0, env=self._config.env())
            except OSError:
                log.warning("speech: the player %s cannot be started", self._config.program)
                return None
            self._proc = proc
            self.pid = proc.pid
        return proc

    def _run(self) -> None:
        outcome = EventKind.FINISHED
        try:
            outcome = self._play()
        except Exception:  # a failure must not take the kiosk down: logged and reported as ERROR
            log.exception("speech: a message could not be spoken")
            outcome = EventKind.ERROR
        finally:
            self._skip.set()
            if self._cancelled.is_set():
                outcome = EventKind.STOPPED
            with self._proc_lock:
                proc = self._proc
            if proc is not None:
                if proc.poll() is None:
                    proc.kill()
                proc.wait()
                try:
                    proc.stdin.close()
                except (BrokenPipeError, OSError):
                    pass
            # The output state is settled before `done`, so whoever waits on it reads the final one.
            if outcome is EventKind.NO_AUDIO_OUTPUT:
                self._set_output(AudioOutput.NONE)
            self._done.set()
            self._event(outcome)

    def _play(self) -> EventKind:
        proc: subprocess.Popen | None = None
        t0: float | None = None
        written_s = 0.0
        output_known = False
        for future in self._futures:
            try:
                audio: Audio = future.result()
            except Cancelled:
                return EventKind.STOPPED
            except EngineUnavailable:
                return EventKind.ERROR
            if self._cancelled.is_set():
                return EventKind.STOPPED
            if proc is None:
                proc = self._start_player(audio.sample_rate)
                if proc is None:
                    return EventKind.STOPPED if self._cancelled.is_set() else EventKind.NO_AUDIO_OUTPUT
            block = max(2, int(audio.sample_rate * BLOCK_S) * 2)
            for offset in range(0, len(audio.pcm), block):
                if t0 is not None:
                    ahead = written_s - (time.monotonic() - t0)
                    if ahead > LEAD_S and self._cancelled.wait(ahead - LEAD_S):
                        return EventKind.STOPPED
                    if not output_known:
                        rc = proc.poll()
                        if rc is not None:
                            return EventKind.STOPPED if self._cancelled.is_set() else EventKind.NO_AUDIO_OUTPUT
                        if time.monotonic() - t0 >= PROBE_S:
                            output_known = True
                            self._set_output(AudioOutput.OK)
                chunk = audio.pcm[offset:offset + block]
                try:
                    proc.stdin.write(chunk)
                except (BrokenPipeError, ValueError, OSError):
                    if self._cancelled.is_set():
                        return EventKind.STOPPED
                    proc.wait()
                    return EventKind.NO_AUDIO_OUTPUT
                if t0 is None:
                    t0 = time.monotonic()
                    self._event(EventKind.STARTED, at=t0)
                written_s += len(chunk) / 2 / audio.sample_rate
        if proc is None or t0 is None:
            return EventKind.FINISHED  # nothing to play (empty text)
        # Keep the player open until the last sample is due, then let it drain.
        remaining = written_s - (time.monotonic() - t0)
        if remaining > 0 and self._cancelled.wait(remaining):
            return EventKind.STOPPED
        try:
            proc.stdin.close()
        except (BrokenPipeError, OSError):
            pass
        rc = proc.wait()
        if self._cancelled.is_set():
            return EventKind.STOPPED
        if rc != 0:
            return EventKind.NO_AUDIO_OUTPUT
        self._set_output(AudioOutput.OK)
        return EventKind.FINISHED
