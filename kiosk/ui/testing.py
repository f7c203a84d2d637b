"""Drive the real kiosk from tests, like Textual's `run_test()` pilot.

    app = start_in_process(services)        # once per process (Kivy runs one App)
    pilot = Pilot(app)
    pilot.tap("Commencer")                  # a real touch down / up through the window
    pilot.advance(150)                      # move the FakeClock, tick the session
    assert "Accueil" in pilot.texts()

Touches go through Kivy's event loop (EventLoop.post_dispatch_input), so they
reach the window's touch hooks, overlays and buttons like a finger would.

Frames: `pump()` runs everything of Kivy's `EventLoop.idle()` (clock, input, the
layout and the text triggers, the kv rules) except drawing the window. Drawing a
1920 x 1080 frame in software GL costs about 0.4 s, so the pilot draws only when a
test needs pixels: `screenshot()` renders the shell into its own frame buffer
(Widget.export_to_png), and `draw()` draws and flips the real window.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable

from kivy.base import EventLoop
from kivy.clock import Clock
from kivy.config import Config
from kivy.input.motionevent import MotionEvent
from kivy.lang import Builder
from kivy.uix.widget import Widget

from kiosk.ui.widgets import Button, Text, is_shown


class FingerTouch(MotionEvent):
    """One finger on the screen, in window pixels."""

    _ids = 1000

    def __init__(self, x: float, y: float) -> None:
        FingerTouch._ids += 1
        win = EventLoop.window
        self._win = win
        super().__init__("kiosk-pilot", FingerTouch._ids, self._args(x, y), is_touch=True, type_id="touch")
        self.profile = ["pos"]

    def _args(self, x: float, y: float) -> dict[str, float]:
        win = EventLoop.window
        return {"x": x / (win.width - 1.0), "y": y / (win.height - 1.0)}

    def depack(self, args: dict[str, float]) -> None:
        self.sx, self.sy = args["x"], args["y"]
        super().depack(args)

    def down(self) -> None:
        EventLoop.post_dispatch_input("begin", self)

    def slide_to(self, x: float, y: float) -> None:
        self.move(self._args(x, y))
        EventLoop.post_dispatch_input("update", self)

    def up(self) -> None:
        EventLoop.post_dispatch_input("end", self)


def no_frame_wait() -> None:
    """Let the clock tick as fast as it is asked to, as configured (maxfps 0 for tests and shots).

    Kivy's Clock reads `graphics.maxfps` once, when kivy.clock is first imported, which is
    before kiosk.ui.app.configure_window can set it: without this each tick would sleep up
    to 1/60 s to honour the default 60 frames a second.
    """
    Clock._max_fps = float(Config.getint("graphics", "maxfps"))


def settle_frame() -> None:
    """One frame of Kivy's EventLoop.idle(), without drawing the window."""
    Clock.tick()                 # the clock's events: layout triggers, schedule_once, intervals
    EventLoop.dispatch_input()   # input providers, then the window's real touch dispatch
    Builder.sync()
    Clock.tick_draw()            # the "before the frame" events (texture updates, canvas triggers)
    Builder.sync()


class Pilot:
    def __init__(self, app: Any) -> None:
        self.app = app
        no_frame_wait()

    # -- frames ----------------------------------------------------------------------------
    #: False while a test holds an action hanging on purpose (a stalled server)
    auto_settle = True

    def pump(self, frames: int = 4) -> None:
        """Advance `frames` frames: the clock, the input, the layout. Nothing is drawn.
        An action still running is waited for, and its result shown (see `settle`)."""
        for _ in range(frames):
            settle_frame()
        if self.auto_settle:
            self.settle()

    def draw(self) -> None:
        """Draw and flip one real window frame, as the kiosk does after each frame."""
        self.pump(1)
        window = EventLoop.window
        window.dispatch("on_draw")
        window.dispatch("on_flip")

    def reset(self, *, pump: bool = True) -> None:
        """Back to a fresh Welcome screen with the default look, as for the next person.

        pump=False leaves the Welcome screen without its frames, for a caller that replaces
        it at once (a picture's set-up) and pumps after that."""
        app = self.app
        app.close_all_overlays()
        if app.session.state.value != "idle":
            app.session.end()
            app.session.reset_for_next_person()
        else:
            app.session.reset_for_next_person()
        if pump:
            self.pump()

    # -- finding ---------------------------------------------------------------------------
    def roots(self) -> list[Widget]:
        """What the person can touch: the top overlay if there is one, else the whole shell."""
        if self.app.overlays:
            return [self.app.overlays[-1]]
        return [self.app.shell]

    def widgets(self, kind: type = Widget, *, everywhere: bool = False) -> list[Widget]:
        roots = [self.app.shell] if everywhere else self.roots()
        found = []
        for root in roots:
            for w in root.walk(restrict=True):
                if isinstance(w, kind) and is_shown(w) and not getattr(w, "disabled", False):
                    found.append(w)
        return found

    def texts(self, *, everywhere: bool = False) -> list[str]:
        return [w.text for w in self.widgets(Text, everywhere=everywhere) if w.text]

    def buttons(self) -> list[Button]:
        return [b for b in self.widgets(Button) if not b.hidden]

    def button(self, target: str) -> Button:
        """A shown button by its words or its name ("bar.help", "welcome.start")."""
        matches = [b for b in self.buttons() if target in (b.text, b.name)]
        if len(matches) != 1:
            shown = [(b.name, b.text) for b in self.buttons()]
            raise LookupError(f"{len(matches)} buttons match {target!r}; shown: {shown}")
        return matches[0]

    # -- touching --------------------------------------------------------------------------
    def _centre(self, target: Widget | str) -> tuple[Widget, float, float]:
        settle_frame()  # a finger touches what is drawn: the layout a change asked for comes first
        widget = self.button(target) if isinstance(target, str) else target
        x, y = widget.to_window(*widget.center)
        return widget, x, y

    def tap(self, target: Widget | str, *, settle: bool = True) -> None:
        if isinstance(target, str):
            self.page_to(target)
        _w, x, y = self._centre(target)
        self.tap_at(x, y, settle=settle)

    def page_to(self, target: str, pages: int = 12) -> None:
        """Tap Suivant, as a person would, until a button with these words or this name shows."""
        for _ in range(pages):
            names = {(b.text, b.name) for b in self.buttons()}
            if any(target in pair for pair in names) or not any(n == "pager.next" for _t, n in names):
                return
            self.tap("pager.next")

    def tap_at(self, x: float, y: float, *, settle: bool = True) -> None:
        touch = FingerTouch(x, y)
        touch.down()
        self.pump(1)
        touch.up()
        self.pump()
        if settle:
            self.settle()

    def settle(self, rounds: int = 20) -> None:
        """Let the action a tap started reach the screen: wait for its worker, then the frame
        that shows its result (a result can start the next load: a few rounds)."""
        runner = getattr(self.app, "runner", None)
        for _ in range(rounds):
            if runner is None or not runner.busy:
                return
            if not runner.wait_for_worker(60):
                raise AssertionError("an action's worker did not come back within 60 s")
            settle_frame()

    def slide_off(self, target: Widget | str) -> Widget:
        """Press a button, slide the finger off it, lift: the button must not act."""
        widget, x, y = self._centre(target)
        touch = FingerTouch(x, y)
        touch.down()
        self.pump(1)
        outside_y = widget.to_window(widget.x, widget.top)[1] + widget.height
        if outside_y >= self.app.shell.height - 2:
            outside_y = widget.to_window(widget.x, widget.y)[1] - widget.height
        touch.slide_to(x, outside_y)
        self.pump(1)
        touch.up()
        self.pump()
        return widget

    # -- time ------------------------------------------------------------------------------
    def advance(self, seconds: float, *, step: float = 1.0) -> None:
        """Move the fake clock second by second, ticking like the real app does."""
        left = seconds
        while left > 0:
            delta = min(step, left)
            self.app.clock.advance(delta)
            self.app.tick()
            left -= delta
        self.pump()

    # -- pictures --------------------------------------------------------------------------
    def screenshot(self, path: str | Path) -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        self.pump(2)
        # export_to_png draws the shell's canvas into its own frame buffer and reads it back:
        # real pixels, without drawing or flipping the window.
        self.app.shell.export_to_png(str(path))
        return path


def visible_texts(root: Widget) -> Iterable[str]:
    for w in root.walk(restrict=True):
        if isinstance(w, Text) and is_shown(w) and w.text:
            yield w.text


# -- a signed-in patient, for tests that start past the sign-in ------------------------------------
# (the pictures of `kiosk shots` sign in through the screens: kiosk.ui.shot_states.drive)

def sign_in_demo(app: Any, ins: str = "244039999900168") -> None:
    """A demo patient signed in at once, through the backend (the session started if need be)."""
    from kiosk.core.flows.base import PATIENT_SESSION
    from kiosk.services.backend.demo import demo_sign_in_code

    if app.session.state.value != "active":
        app.session.start()
    backend = app.services.backend
    app.session.data[PATIENT_SESSION] = backend.finish_sign_in(backend.start_sign_in(ins).handle,
                                                               demo_sign_in_code(ins))


def stop_demo_codes(app: Any) -> None:
    """The signed-in demo patient has no active temporary code (at most 3 may be active)."""
    from kiosk.core.flows.base import PATIENT_SESSION

    backend, patient = app.services.backend, app.session.data[PATIENT_SESSION]
    for code in backend.list_access_codes(patient):
        backend.revoke_access_code(patient, code.code)
