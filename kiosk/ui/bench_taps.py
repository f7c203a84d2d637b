"""Child process of `kiosk bench taps`: real taps, timed until the next screen is drawn.

`python -m kiosk.ui.bench_taps [--runs N] [--journeys a,b] [--profile FILE]` runs the real
app (demo backend, one injected clock) and goes through the journeys of a visit with real
touches (kiosk.ui.testing.FingerTouch through Kivy's input path). Each tap is timed from
the finger lifting (the button acts on release) to the end of the first frame drawn and
flipped after it. Figures only: nothing here decides anything.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from typing import Any, Callable

#: The journeys of one visit, in the order a person goes through them.
JOURNEYS = ("sign_in", "documents", "messages", "agenda", "access", "access_code", "end")

INS = "244039999900168"  # the demo patient with documents, messages, appointments and professionals


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile (p95 of 20 values is the 19th smallest)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


class Bench:
    """Taps the real app and keeps, per journey, the time from release to the drawn frame."""

    def __init__(self, pilot: Any, profiler: Any = None) -> None:
        self.pilot = pilot
        self.profiler = profiler
        self.times: dict[str, list[float]] = {}
        self.ui_times: list[float] = []  # release -> the frame ready to draw (Python's part)
        self.flips: list[float] = []     # drawing and showing that frame (the GL's part)
        self.cpu: list[float] = []       # processor time of the whole tap, all threads (load-proof)
        self.by_target: dict[str, list[float]] = {}
        self.journey: str | None = None  # None: taps that only bring the app where a journey starts

    def name_starting(self, prefix: str) -> str:
        for button in self.pilot.buttons():
            if button.name.startswith(prefix):
                return button.name
        raise RuntimeError(f"no button {prefix}…: the journey did not reach its screen")

    def one_of(self, *names: str) -> str:
        """The first of these buttons that is shown (the viewer's page turn has had two names)."""
        shown = {button.name for button in self.pilot.buttons()}
        for name in names:
            if name in shown:
                return name
        return names[0]

    def tap(self, target: str) -> None:
        from kivy.base import EventLoop

        from kiosk.ui.testing import FingerTouch

        pilot = self.pilot
        pilot.page_to(target)  # paging to a button is a tap of its own, not timed here
        widget = pilot.button(target)
        x, y = widget.to_window(*widget.center)
        touch = FingerTouch(x, y)
        touch.down()
        pilot.pump(1)
        if self.profiler is not None and self.journey:
            self.profiler.enable()
        start, cpu = time.perf_counter(), time.process_time()
        touch.up()
        pilot.pump()               # the frames of the clock, the input and the layout
        ready = time.perf_counter()
        window = EventLoop.window  # then the frame is drawn and shown, as the loop does
        window.dispatch("on_draw")
        window.dispatch("on_flip")
        end, cpu = time.perf_counter(), time.process_time() - cpu
        elapsed = (end - start) * 1000
        if self.profiler is not None and self.journey:
            self.profiler.disable()
        if self.journey:
            self.times.setdefault(self.journey, []).append(elapsed)
            self.ui_times.append((ready - start) * 1000)
            self.flips.append((end - ready) * 1000)
            self.cpu.append(cpu * 1000)
            self.by_target.setdefault(f"{self.journey}: {_short(target)}", []).append(elapsed)

    def idle_frames(self, count: int = 10) -> list[float]:
        frames = []
        for _ in range(count):
            start = time.perf_counter()
            self.pilot.draw()
            frames.append((time.perf_counter() - start) * 1000)
        return frames


def _short(target: str) -> str:
    """A tap's name without the demo identifiers (documents.open.<id> -> documents.open)."""
    for prefix in ("documents.open.", "messages.thread.", "access.block.", "access.unblock.", "pad."):
        if target.startswith(prefix):
            return prefix.rstrip(".")
    return target


def visit(bench: Bench, chosen: set[str]) -> None:
    """One person's visit: sign in, documents, messages, agenda, access, a code, the end."""
    from kiosk.services.backend.demo import demo_sign_in_code

    app = bench.pilot.app

    def journey(name: str, steps: Callable[[], None]) -> None:
        bench.journey = name if name in chosen else None
        try:
            steps()
        finally:
            bench.journey = None

    def sign_in() -> None:
        bench.tap("Commencer")
        for digit in INS:
            bench.tap(f"pad.{digit}")
        bench.tap("sign_in.next")
        for digit in demo_sign_in_code(INS):
            bench.tap(f"pad.{digit}")
        bench.tap("sign_in.ok")
        if app.nav.current.name != "home":
            raise RuntimeError("the sign-in did not reach Home")

    def documents() -> None:
        bench.tap("home.feature.documents")
        bench.tap("documents.category.all")
        bench.tap(bench.name_starting("documents.open."))
        bench.tap(bench.one_of("reading.next", "viewer.next", "pager.next"))
        bench.tap("bar.back")
        bench.tap("bar.back")
        bench.tap("bar.home")

    def messages() -> None:
        bench.tap("home.feature.messages")
        bench.tap(bench.name_starting("messages.thread."))
        bench.tap("messages.reply")
        bench.tap("messages.ready.0")
        bench.tap("messages.send")
        bench.tap("bar.home")

    def agenda() -> None:
        bench.tap("home.feature.agenda")
        bench.tap("bar.home")

    def access() -> None:
        bench.tap("home.feature.access")
        bench.tap(bench.name_starting("access.block."))
        bench.tap("confirm.yes")
        bench.tap(bench.name_starting("access.unblock."))  # as it was, for the next visit
        if app.overlays:
            bench.tap("confirm.yes")
        bench.tap("bar.home")

    def access_code() -> None:
        bench.tap("home.feature.access_code")
        bench.tap("access_code.duration.0")
        bench.tap("access_code.revoke")
        bench.tap("confirm.yes")
        bench.tap("bar.home")

    def end() -> None:
        bench.tap("home.finish")
        bench.tap("confirm.yes")
        bench.tap("end.again")
        if app.nav.current.name != "welcome":
            raise RuntimeError("the end did not come back to Welcome")

    steps = {"sign_in": sign_in, "documents": documents, "messages": messages, "agenda": agenda,
             "access": access, "access_code": access_code, "end": end}
    for name in ("sign_in",) + tuple(j for j in JOURNEYS if j in chosen and j not in ("sign_in", "end")) + ("end",):
        journey(name, steps[name])


def report(bench: Bench, idle: list[float], runs: int, out: Any = sys.stdout) -> None:
    def line(label: str, values: list[float]) -> str:
        return (f"{label:<22}: median {statistics.median(values):6.1f} ms   p95 {percentile(values, 0.95):6.1f} ms"
                f"   max {max(values):6.1f} ms   ({len(values)} taps)")

    print(f"visits                : {runs}", file=out)
    every: list[float] = []
    for name in JOURNEYS:
        if name in bench.times:
            print(line(name, bench.times[name]), file=out)
            every += bench.times[name]
    if every:
        print(line("all taps", every) + "   (aim p95 <= 50 ms)", file=out)
        print(line("  of which the UI", bench.ui_times) + "   (release -> frame ready to draw)", file=out)
        print(line("  of which the GL", bench.flips) + "   (drawing and showing it)", file=out)
        print(line("processor time", bench.cpu) + "   (all threads: what the load cannot inflate)", file=out)
    print(f"{'frame, nothing new':<22}: median {statistics.median(idle):6.1f} ms   "
          f"p95 {percentile(idle, 0.95):6.1f} ms", file=out)
    slow = sorted(bench.by_target.items(), key=lambda kv: -statistics.median(kv[1]))[:8]
    print("slowest taps (median):", file=out)
    for target, values in slow:
        print(f"  {statistics.median(values):6.1f} ms  {target}", file=out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m kiosk.ui.bench_taps")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--journeys", default=",".join(JOURNEYS))
    parser.add_argument("--profile", default=None, help="write the cProfile of the timed taps here")
    args = parser.parse_args(argv)
    chosen = {j.strip() for j in args.journeys.split(",") if j.strip()}
    unknown = chosen - set(JOURNEYS)
    if unknown or not chosen:
        print(f"unknown journey(s): {', '.join(sorted(unknown))}; known: {', '.join(JOURNEYS)}", file=sys.stderr)
        return 2

    from kiosk.app import build_services
    from kiosk.core.clock import FakeClock
    from kiosk.services.backend.demo import DEMO_NOW
    from kiosk.settings import Settings
    from kiosk.ui.app import start_in_process
    from kiosk.ui.testing import Pilot

    profiler = None
    if args.profile:
        import cProfile

        profiler = cProfile.Profile()
    services = build_services(Settings(fullscreen=False), FakeClock(DEMO_NOW), with_voice=False)
    app = start_in_process(services)
    pilot = Pilot(app)
    bench = Bench(pilot, profiler)
    pilot.draw()
    visit(bench, set())  # once untimed: the file cache, the fonts and the icons are warm
    bench.times.clear()
    bench.by_target.clear()
    for _ in range(max(1, args.runs)):
        visit(bench, chosen)
    idle = bench.idle_frames()
    report(bench, idle, max(1, args.runs))
    sys.stdout.flush()
    if profiler is not None:
        profiler.dump_stats(args.profile)
    services.close()
    os._exit(0)  # no window teardown to wait for


if __name__ == "__main__":
    os.environ.setdefault("KIVY_NO_ARGS", "1")
    os.environ.setdefault("KIVY_NO_CONSOLELOG", "1")
    sys.exit(main())
