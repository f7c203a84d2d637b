"""Child process of `kiosk bench speech`: a real tap on Écouter, timed to the first audio sample.

Runs the real app (demo mode, Home screen) with the real espeak-ng speaker on the ALSA
"null" device, touches Écouter through Kivy's input path, and prints one line:
TAP <median ms> <max ms> <runs>
"""

from __future__ import annotations

import os
import statistics
import sys
import threading
import time


def main(runs: int) -> None:
    from kivy.base import EventLoop

    from kiosk.app import build_services
    from kiosk.core.speech import EventKind
    from kiosk.services.speech import create_speech
    from kiosk.services.speech.player import PlayerConfig
    from kiosk.settings import Settings
    from kiosk.ui.app import start_in_process
    from kiosk.ui.testing import FingerTouch, Pilot

    services = build_services(Settings(fullscreen=False), with_voice=False)
    speaker = create_speech(services.settings, player=PlayerConfig(program="aplay", device="null"))
    services.speaker = speaker
    started = threading.Event()
    speaker.add_listener(lambda e: started.set() if e.kind is EventKind.STARTED else None)
    app = start_in_process(services)
    pilot = Pilot(app)
    pilot.tap("Commencer")
    button = pilot.button("bar.listen")
    times: list[float] = []
    for _ in range(runs):
        speaker.stop()
        pilot.pump(2)
        started.clear()
        x, y = button.to_window(*button.center)
        touch = FingerTouch(x, y)
        touch.down()
        EventLoop.idle()
        t0 = time.monotonic()
        touch.up()
        EventLoop.idle()
        if not started.wait(5):
            raise SystemExit("no audio sample reached the player")
        times.append((time.monotonic() - t0) * 1000)
    speaker.stop()
    print(f"TAP {statistics.median(times):.1f} {max(times):.1f} {runs}", flush=True)
    services.close()
    os._exit(0)  # no window teardown to wait for


if __name__ == "__main__":
    os.environ.setdefault("KIVY_NO_ARGS", "1")
    os.environ.setdefault("KIVY_NO_CONSOLELOG", "1")
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10)
