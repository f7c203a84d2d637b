"""Helpers for the speech tests: real espeak-ng, real player processes.

The player is aplay on the ALSA "null" device: a real aplay process that
receives the speech in real time but needs no sound card, so the same tests
run on a laptop, a kiosk and CI. (sox can be used instead: PlayerConfig(program="play").)
"""

from __future__ import annotations

import threading
import time

from kiosk.core.speech import EventKind, SpeechEvent
from kiosk.services.speech import PlayerConfig

NULL_OUTPUT = PlayerConfig(program="aplay", device="null")
# A device that exists on no machine: aplay fails to open it, as it does with no sound card.
MISSING_OUTPUT = PlayerConfig(program="aplay", device="hw:97,0")

LONG_FRENCH = " ".join(
    ["Bonjour. Vous êtes sur la borne de votre pharmacie.",
     "Vous pouvez lire vos documents, vos messages et vos rendez-vous.",
     "Touchez un bouton pour commencer. Le pharmacien peut vous aider."] * 6)


class Recorder:
    def __init__(self) -> None:
        self.events: list[SpeechEvent] = []
        self._cond = threading.Condition()

    def __call__(self, event: SpeechEvent) -> None:
        with self._cond:
            self.events.append(event)
            self._cond.notify_all()

    def wait_for(self, kind: EventKind, message_id: int | None = None, timeout: float = 10.0) -> SpeechEvent:
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for event in self.events:
                    if event.kind is kind and (message_id is None or event.message_id == message_id):
                        return event
                left = deadline - time.monotonic()
                assert left > 0, f"no {kind.value} event; got {[e.kind.value for e in self.events]}"
                self._cond.wait(left)

    def kinds(self, message_id: int) -> list[str]:
        return [e.kind.value for e in self.events if e.message_id == message_id]



def process_exists(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as handle:
            state = handle.read().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def process_name(pid: int, expected: tuple[str, ...], timeout: float = 5.0) -> str:
    """The program a process runs, once it has replaced the forked copy of the test process."""
    deadline = time.monotonic() + timeout
    while True:
        with open(f"/proc/{pid}/comm", encoding="ascii") as handle:
            name = handle.read().strip()
        if name in expected or time.monotonic() > deadline:
            return name
        time.sleep(0.01)
