"""Child process of `kiosk bench startup`: start a window, report the first drawn frame, exit.

`python -m kiosk.ui.bench_probe bare|kiosk` prints one line:
FRAME <peak memory in KiB> <processor time in ms, all threads>
"""

from __future__ import annotations

import os
import resource
import sys


def _report_and_stop(app) -> None:
    from kivy.core.window import Window

    def on_flip(*_):
        Window.unbind(on_flip=on_flip)
        usage = resource.getrusage(resource.RUSAGE_SELF)
        cpu_ms = (usage.ru_utime + usage.ru_stime) * 1000
        print(f"FRAME {usage.ru_maxrss} {cpu_ms:.0f}", flush=True)
        app.stop()

    Window.bind(on_flip=on_flip)


def bare() -> None:
    from kivy.app import App
    from kivy.uix.boxlayout import BoxLayout
    from kivy.uix.button import Button

    class Bare(App):
        def build(self):
            box = BoxLayout(orientation="vertical")
            for number in range(6):
                box.add_widget(Button(text=str(number + 1), font_size=40))
            return box

        def on_start(self):
            _report_and_stop(self)

    Bare().run()


def kiosk() -> None:
    from kiosk.app import build_services
    from kiosk.settings import load
    from kiosk.ui.app import KioskApp

    services = build_services(load(os.environ.get("KIOSK_BENCH_CONFIG") or None).replace(fullscreen=False))

    class Probe(KioskApp):
        def on_start(self):
            super().on_start()
            _report_and_stop(self)

    try:
        Probe(services).run()
    finally:
        services.close()


if __name__ == "__main__":
    os.environ.setdefault("KIVY_NO_ARGS", "1")
    os.environ.setdefault("KIVY_NO_CONSOLELOG", "1")
    {"bare": bare, "kiosk": kiosk}[sys.argv[1]]()
