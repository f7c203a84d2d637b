"""Speech figures for `kiosk bench speech`: time to the first sample, time to silence.

(a) first sample: from say() to the first audio sample written to the player's
    input (the STARTED event), for the spoken description of a typical screen;
(b) interruption: from stop() until the player process has exited (it is
    reaped when stop() returns; this checks that it no longer exists).

On a machine with no sound card the default output fails; the figures are then
taken with the ALSA "null" device (a real aplay process, fed in real time), and
the output says so.
"""

from __future__ import annotations

import os
import statistics
import threading
import time
from typing import Callable

from kiosk.core.speech import AudioOutput, EventKind, SpeechEvent
from kiosk.services.speech.engine import get_engine
from kiosk.services.speech.espeak import EspeakSpeaker
from kiosk.services.speech.player import PlayerConfig

AIM_FIRST_SAMPLE_MS = 250.0
AIM_INTERRUPT_MS = 200.0

SCREEN_TEXT = (
    "Mes documents. Étape 1 sur 3. Vous avez 4 documents. "
    "Ordonnance du docteur Martin, mardi 3 décembre. Résultats de prise de sang, lundi 2 décembre. "
    "Compte rendu de radiologie, vendredi 29 novembre. Certificat de vaccination, jeudi 28 novembre. "
    "6 boutons : Ouvrir, Retour, Accueil, Écouter, Taille du texte et Aide."
)
LONG_TEXT = " ".join([SCREEN_TEXT] * 4)


class _Waiter:
    def __init__(self) -> None:
        self.events: list[SpeechEvent] = []
        self._cond = threading.Condition()

    def __call__(self, event: SpeechEvent) -> None:
        with self._cond:
            self.events.append(event)
            self._cond.notify_all()

    def wait_for(self, kind: EventKind, message_after: int, timeout: float = 5.0) -> SpeechEvent | None:
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for e in self.events:
                    if e.kind is kind and e.message_id > message_after:
                        return e
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self._cond.wait(left)


def _gone(pid: int | None) -> bool:
    if pid is None:
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def _summary(values: list[float]) -> dict[str, float]:
    return {"median": statistics.median(values), "max": max(values), "min": min(values)}


def run(runs: int = 10, device: str | None = None, program: str = "aplay",
        out: Callable[[str], None] = print) -> dict:
    t = time.monotonic()
    engine = get_engine()
    if engine.wait_ready() is not None:
        raise RuntimeError("speech engine unavailable")
    engine_start_ms = (time.monotonic() - t) * 1000

    note = ""
    speaker = EspeakSpeaker(player=PlayerConfig(program=program, device=device), engine=engine)
    waiter = _Waiter()
    speaker.add_listener(waiter)
    speaker.say("Bonjour.", "fr")
    speaker.wait(5)
    if speaker.audio_output is AudioOutput.NONE and device is None:
        note = "no sound output here: measured with the ALSA null device"
        speaker.close()
        speaker = EspeakSpeaker(player=PlayerConfig(program=program, device="null"), engine=engine)
        waiter = _Waiter()
        speaker.add_listener(waiter)

    first: list[float] = []
    last_id = max((e.message_id for e in waiter.events), default=0)
    for _ in range(runs):
        t0 = time.monotonic()
        speaker.say(SCREEN_TEXT, "fr")
        started = waiter.wait_for(EventKind.STARTED, last_id)
        if started is None:
            raise RuntimeError("no audio sample reached the player")
        last_id = started.message_id
        first.append((started.at - t0) * 1000)
        speaker.stop()

    interrupt: list[float] = []
    for _ in range(runs):
        speaker.say(LONG_TEXT, "fr")
        started = waiter.wait_for(EventKind.STARTED, last_id)
        if started is None:
            raise RuntimeError("no audio sample reached the player")
        last_id = started.message_id
        time.sleep(0.3)  # speech under way
        pid = speaker.current_pid
        t0 = time.monotonic()
        speaker.stop()
        t1 = time.monotonic()
        if not _gone(pid):
            raise RuntimeError("the player is still running after stop()")
        interrupt.append((t1 - t0) * 1000)
    speaker.close()

    result = {
        "player": program,
        "device": speaker.player.device or "default",
        "note": note,
        "runs": runs,
        "engine_start_ms": engine_start_ms,
        "first_sample_ms": _summary(first),
        "interrupt_ms": _summary(interrupt),
        "aim_first_sample_ms": AIM_FIRST_SAMPLE_MS,
        "aim_interrupt_ms": AIM_INTERRUPT_MS,
    }
    fs, it = result["first_sample_ms"], result["interrupt_ms"]
    out(f"player                    : {program}, device {result['device']}" + (f" ({note})" if note else ""))
    out(f"runs                      : {runs}")
    out(f"engine start (with warm-up): {engine_start_ms:7.1f} ms")
    out(f"say() -> first sample     : median {fs['median']:6.1f} ms   max {fs['max']:6.1f} ms   "
        f"(aim <= {AIM_FIRST_SAMPLE_MS:.0f} ms)")
    out(f"stop() -> player gone     : median {it['median']:6.1f} ms   max {it['max']:6.1f} ms   "
        f"(aim <= {AIM_INTERRUPT_MS:.0f} ms)")
    return result
