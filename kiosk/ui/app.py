"""The Kivy application: the shell, the navigator, and the session's life on screen.

- `run_app(services, windowed)` is what `kiosk run` calls.
- `start_in_process(services)` builds the real app without entering Kivy's main
  loop: tests (kiosk.ui.testing.Pilot) and `kiosk shots` pump frames themselves.
"""

from __future__ import annotations

import gc
import logging
import threading
from typing import TYPE_CHECKING, Any, Callable

from kiosk.ui import configure_environment

configure_environment()
log = logging.getLogger("kiosk")

from kiosk.services.logs import describe_exception  # noqa: E402

from kivy.app import App  # noqa: E402
from kivy.clock import Clock  # noqa: E402

from kiosk.core.session import State  # noqa: E402
from kiosk.ui import theme as th  # noqa: E402
from kiosk.ui.look import Look, set_look  # noqa: E402
from kiosk.ui.screen import Navigator  # noqa: E402
from kiosk.ui.shell import Shell  # noqa: E402
from kiosk.ui.widgets import forget_measures, refresh_stale  # noqa: E402

if TYPE_CHECKING:  # pragma: no cover
    from kiosk.ui.overlays import Overlay, WaitOverlay, WarningOverlay

# The overlays, the voice controls and the screens other than Welcome are imported when first
# needed, or once Welcome is on screen (finish_start): the first frame waits for none of them.


def configure_window(settings: Any, *, windowed: bool, for_tests: bool = False) -> None:
    """Window size, full screen, no exit on Escape: must run before the window exists."""
    from kivy.config import Config

    Config.set("graphics", "width", str(settings.screen_width_px))
    Config.set("graphics", "height", str(settings.screen_height_px))
    Config.set("graphics", "fullscreen", "0" if windowed else "auto")
    Config.set("graphics", "resizable", "0")
    Config.set("graphics", "show_cursor", "1" if windowed else "0")
    Config.set("graphics", "maxfps", "0" if for_tests else "30")
    # No multisampling: the pictures of `kiosk shots` (drawn off-screen) have none either, and
    # with software GL (a panel without a GPU, Xvfb) 2x multisampling doubles every frame's cost.
    Config.set("graphics", "multisamples", "0")
    Config.set("kivy", "exit_on_escape", "1" if windowed and not for_tests else "0")
    Config.set("input", "mouse", "mouse,disable_multitouch")


class KioskApp(App):
    """The kiosk. `services` comes from kiosk.app.build_services (the composition root).

    Screens and overlays see it through kiosk.ui.context.ScreenContext (a narrow, typed view),
    never as a KioskApp.
    """

    def __init__(self, services: Any, *, kiosk_mode: bool | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.services = services
        self.settings = services.settings
        self.session = services.session
        self.clock = services.clock
        self.kiosk_mode = self.settings.fullscreen if kiosk_mode is None else kiosk_mode
        self.look = set_look(Look(self.settings))
        self.look.apply(lang=self.session.prefs.language, theme=self.session.prefs.theme,
                        text_size=self.session.prefs.text_size)
        #: Called on every touch anywhere (before any widget sees it). The voice part adds speaker.stop.
        self.touch_hooks: list[Callable[[], None]] = [self.session.activity]
        #: Called by Écouter with the description of what is on screen; replaces the default.
        self.speak_hook: Callable[[Any], None] | None = None
        #: Lines for the end screen ("Vous avez masqué 1 document."), asked at the end, before the wipe.
        self.end_summary_providers: list[Callable[[Any], list[str]]] = []
        self.end_summary: list[str] = []
        self.end_summary_providers.append(self._activity_summary)
        self.overlays: list[Overlay] = []
        self.warning: WarningOverlay | None = None
        self.wait: WaitOverlay | None = None
        #: backend calls off the UI thread (kiosk.core.runner.FlowRunner)
        self.runner = services.runner
        #: errors the last-resort handler caught (type names only), for the log and for tests
        self.crashes: list[str] = []
        self._end_deadline: float | None = None
        self._end_span = 0.0  # the end screen's whole time, given back at each touch
        self.touch_hooks.append(self.end_touched)
        self._interval = None
        #: kiosk.ui.voice.VoiceControl once the app has started (install_voice)
        self.voice = None

    # -- Kivy ------------------------------------------------------------------------------
    def build(self):
        th.register_fonts()
        import kiosk.ui.screens.welcome  # noqa: F401  (the first screen; the others in finish_start)

        self.title = self.look.tr("app.name")
        self.shell = Shell(self)
        self.nav = Navigator(self)
        self._quiet_look = False
        self.look.bind(on_look=self._look_changed)  # one redraw per change of the Look
        s = self.session
        s.on_warning.append(lambda _s: self._show_warning())
        s.on_resume.append(lambda _s: self._hide_warning())
        s.on_end.append(lambda _s: self._on_end())
        s.on_reset.append(lambda _s: self._on_reset())
        if self.runner is not None:
            self.runner.post = post_to_ui
            self.runner.add_listener(lambda _r: self._runner_changed())
        self.nav.welcome()
        if self.settings.training:  # kiosk run --training: the band and the exercises, from Welcome on
            from kiosk.ui.screens.training import enable_training

            enable_training(self)
        return self.shell

    def on_start(self) -> None:
        from kivy.core.window import Window

        Window.bind(on_touch_down=self._any_touch, on_request_close=self._on_request_close,
                    on_keyboard=self._on_keyboard)
        self._interval = Clock.schedule_interval(lambda _dt: self.tick(), 1.0)
        if self.runner is not None:  # "Un instant" after 300 ms, and the deadline
            self._poll_interval = Clock.schedule_interval(lambda _dt: self.runner.poll(), 0.1)
        Window.bind(on_flip=self._first_frame_shown)

    def _first_frame_shown(self, *_: Any) -> None:
        from kivy.core.window import Window

        Window.unbind(on_flip=self._first_frame_shown)
        # the next frame's clock runs before its touches are handled: nothing is tapped before this
        Clock.schedule_once(lambda _dt: self.finish_start(), 0)

    def finish_start(self) -> None:
        """What Welcome does not need, once it is on screen (at once in start_in_process)."""
        if getattr(self, "_finished_start", False):
            return
        self._finished_start = True
        from kiosk.ui.screens import load_all
        from kiosk.ui.voice import install_voice

        load_all()          # every other screen registers itself
        install_voice(self)  # touch stops speech, explore-by-touch, spoken warning
        # What lives as long as the app (Kivy, the screens' classes, the fonts) leaves the garbage
        # collector's rounds: building a screen made full collections walk all of it (about a
        # third of a tap's own time in the profile).
        gc.collect()
        gc.freeze()
        # The store, backend and voice are built a little later, off the UI thread.
        warm_up = getattr(self.services, "warm_up", None)
        if warm_up is not None:
            Clock.schedule_once(lambda _dt: threading.Thread(target=warm_up, daemon=True,
                                                             name="kiosk-warm-up").start(), 0.3)

    def on_stop(self) -> None:
        from kivy.core.window import Window

        if self._interval is not None:
            self._interval.cancel()
        if getattr(self, "_poll_interval", None) is not None:
            self._poll_interval.cancel()
        Window.unbind(on_touch_down=self._any_touch, on_request_close=self._on_request_close,
                      on_keyboard=self._on_keyboard)

    def _any_touch(self, _window: Any, _touch: Any) -> bool:
        for hook in list(self.touch_hooks):
            hook()
        # while the service is asked, only the inactivity warning takes a touch: no second action
        return bool(self.runner is not None and self.runner.busy and self.warning is None)

    # -- waiting for the service ---------------------------------------------------------------
    def _runner_changed(self) -> None:
        runner = self.runner
        if runner.busy and runner.waiting and self.wait is None:
            from kiosk.ui.overlays import WaitOverlay, WarningOverlay

            self.wait = WaitOverlay(self)
            self.open_overlay(self.wait)
            if self.warning is not None:  # the warning stays on top
                self.close_overlay(self.warning)
                self.warning = WarningOverlay(self)
                self.open_overlay(self.warning)
            self._say_line("ui.wait.line")
        elif not runner.busy and self.wait is not None:
            self.close_overlay(self.wait)
        if runner.checking and self.wait is not None and not getattr(self.wait, "said_checking", False):
            self.wait.said_checking = True
            self.wait.checking()
            self._say_line("ui.wait.checking")
        if runner.gave_up:
            runner.gave_up = False
            self.shell.show_banner("errors.unavailable.deadline", kind="error")
            self._say_line("errors.unavailable.deadline")

    def _say_line(self, key: str) -> None:
        """Say a line that is also shown; silent (never a second banner) when there is no voice."""
        voice = getattr(self, "voice", None)
        speaker = self.services.speaker
        if voice is not None and speaker is not None and getattr(speaker, "available", False):
            voice.say(self.look.tr(key))

    def tell(self, key: str) -> None:
        """One sentence the person must read before going on, shown above the screen and said."""
        from kiosk.ui.overlays import NoticeOverlay

        self.open_overlay(NoticeOverlay(self, key))
        self._say_line(key)

    # -- last resort -------------------------------------------------------------------------
    def recover(self, error: BaseException) -> None:
        """Something went wrong that nothing else caught: wipe, back to Welcome, say so.

        The log gets the kind of error and where, never its message (it could hold personal data).
        """
        from kiosk.core.session import State as _State

        name = type(error).__name__
        self.crashes.append(name)
        log.error("session ended and wiped after an unexpected %s", describe_exception(error))
        try:
            self.close_all_overlays()
            if self.session.state in (_State.ACTIVE, _State.WARNING):
                self.session.end()
            self.session.reset_for_next_person()
        finally:
            self.nav.welcome()
            self.tell("ui.crash.line")

    def _on_request_close(self, *_: Any, **__: Any) -> bool:
        return self.kiosk_mode  # True = refused: the kiosk cannot be closed by the person

    def _on_keyboard(self, _window: Any, key: int, *_: Any) -> bool:
        return bool(self.kiosk_mode and key == 27)  # Escape does nothing in kiosk mode

    # -- time ------------------------------------------------------------------------------
    def tick(self) -> None:
        """Once a second: the session's clock, then whatever is on screen counts down."""
        if self.runner is not None:
            self.runner.poll()
        self.session.tick()
        if self.nav.current is not None:
            self.nav.current.on_tick()
        for overlay in list(self.overlays):
            overlay.on_tick()

    # -- preferences (language, theme, text size) --------------------------------------------
    def set_prefs(self, *, lang: str | None = None, theme: str | None = None, text_size: int | None = None) -> None:
        prefs = self.session.prefs
        if lang is not None:
            prefs.language = lang
        if theme is not None:
            prefs.theme = theme
        if text_size is not None:
            prefs.text_size = text_size
        self.look.apply(lang=lang, theme=theme, text_size=text_size)  # on_look: one redraw

    def _look_changed(self, *_: Any) -> None:
        if not self._quiet_look:
            self.rerender()

    def rerender(self) -> None:
        """Every visible word, colour and size, at once.

        The kit's widgets on the window have already followed the Look (kiosk.ui.widgets.FollowsLook);
        what is left is the containers' layout and what was off the window."""
        refresh_stale(self.shell)         # the overlays are inside the shell
        for overlay in self.overlays:
            overlay.refresh()             # once more, now that its words have their new size
        self.nav.update_bars()
        for widget in [self.nav.current, *self.overlays]:
            hook = getattr(widget, "on_prefs", None)
            if hook:
                hook()

    # -- session ---------------------------------------------------------------------------
    def start_session(self) -> None:
        if not self.journal_ready():
            return
        self.session.start()
        # nothing to do on Home before the sign-in: Commencer opens it at once
        self.nav.start()

    def journal_ready(self) -> bool:
        """A session starts only when what it does can be journaled; otherwise one sentence."""
        from kiosk.core.journal_guard import JournalDown

        journal = getattr(self.services, "journal", None)
        if journal is None:
            return True
        try:
            if journal.down and not journal.retry():
                raise JournalDown(journal.cause or "unknown")
            journal.check()
        except JournalDown as error:
            self.tell(error.key)
            return False
        return True

    def ask_end_session(self) -> None:
        from kiosk.ui.overlays import ConfirmDialog

        self.open_overlay(ConfirmDialog(self, title_key="ui.finish.title", line_keys=("ui.finish.line1",),
                                        yes_key="ui.finish.yes", no_key="ui.finish.no", yes_icon="end",
                                        on_yes=self.session.end))

    def _activity_summary(self, session: Any) -> list[str]:
        from kiosk.ui.end_summary import activity_summary  # the flows it reads: not before Welcome

        return activity_summary(self, session)

    def _on_end(self) -> None:
        summary: list[str] = []
        for provider in self.end_summary_providers:
            summary += provider(self.session)
        self.end_summary = summary
        self.close_all_overlays()
        self._end_deadline = self.clock.monotonic() + self._end_return_s()
        self.nav.end()
        if self._end_deadline is not None:  # the screen may have asked for more (a list and its QR code)
            self._end_span = max(float(self._end_return_s()), self._end_deadline - self.clock.monotonic())

    @staticmethod
    def _end_return_s() -> int:
        from kiosk.ui.screens.end import RETURN_AFTER_S

        return RETURN_AFTER_S

    def end_touched(self) -> None:
        """A touch while the end screen is there: its whole time again, so reading never loses it."""
        if self._end_deadline is not None:
            self._end_deadline = max(self._end_deadline, self.clock.monotonic() + self._end_span)
            current = getattr(self.nav, "current", None) if hasattr(self, "nav") else None
            countdown = getattr(current, "countdown", None)
            if countdown is not None:
                countdown.refresh()

    def keep_end_screen(self, seconds: float) -> None:
        """The end screen stays at least `seconds` from now (time to take a phone out for a QR code)."""
        if self._end_deadline is not None:
            self._end_deadline = max(self._end_deadline, self.clock.monotonic() + seconds)

    def end_seconds_left(self) -> int:
        if self._end_deadline is None:
            return 0
        return max(0, int(round(self._end_deadline - self.clock.monotonic())))

    def next_person(self) -> None:
        """From the end screen back to Welcome, with the default language, size and colours."""
        if self.session.state is State.ENDED:
            self.session.reset_for_next_person()
        else:
            self._on_reset()

    def _on_reset(self) -> None:
        self.end_summary = []
        self._end_deadline = None
        self._end_span = 0.0
        self.close_all_overlays()
        forget_measures()  # the kept sizes of the words the person read
        prefs = self.session.prefs
        self._quiet_look = True  # the screen being left is not laid out again: Welcome replaces it
        try:
            changed = self.look.apply(lang=prefs.language, theme=prefs.theme, text_size=prefs.text_size)
        finally:
            self._quiet_look = False
        self.nav.welcome()
        if changed:  # the bars and bands, in the look of the next person
            self.rerender()

    # -- bottom bar ------------------------------------------------------------------------
    def go_back(self) -> None:
        self.nav.back()

    def go_home(self) -> None:
        self.nav.home()

    def open_help(self) -> None:
        from kiosk.ui.overlays import HelpOverlay

        self.open_overlay(HelpOverlay(self))

    def open_display(self) -> None:
        from kiosk.ui.voice import DisplayWithVoice

        self.open_overlay(DisplayWithVoice(self))  # Affichage, with the way to the Voix panel

    def describe(self):
        """The spoken description of what is in front of the person (top overlay, or the screen)."""
        from kiosk.core.speech import ScreenDescription

        if self.overlays:
            return self.overlays[-1].describe()
        desc = self.nav.current.describe()
        bands = [w for w in reversed(self.shell.bands.children) if hasattr(w, "message")]
        band_lines = tuple(b.message.text for b in bands)
        band_buttons = tuple(b.button.text for b in bands if b.button is not None and not b.button.hidden)
        bar = [b.text for b in self.shell.bottom_bar.buttons.values() if not b.hidden]
        top = [self.shell.top_bar.finish.text] if not self.shell.top_bar.finish.hidden else []
        return ScreenDescription(title=desc.title, step=desc.step, lines=band_lines + tuple(desc.lines),
                                 buttons=tuple(desc.buttons) + band_buttons + tuple(top) + tuple(bar),
                                 private=desc.private)

    def repeat_speech(self) -> None:
        """Répéter: the last message again, or the screen when nothing was said yet."""
        voice = getattr(self, "voice", None)
        if voice is None or not voice.repeat():
            self.speak_screen()

    def listen(self) -> None:
        """The bar's Écouter, which reads Arrêter while the voice speaks."""
        voice = getattr(self, "voice", None)
        if voice is not None and voice.stopped_by_touch:
            return  # this very touch stopped the voice: "Arrêter" has done its job
        self.speak_screen()

    def speak_screen(self) -> None:
        """Read what is in front of the person. Never silent: without a voice, a banner says so."""
        voice = getattr(self, "voice", None)
        description = self.describe()
        if voice is not None and voice.ask_private_first(description):
            return
        if self.speak_hook is not None:
            self.speak_hook(description)
            return
        speaker = self.services.speaker
        if speaker is None or not getattr(speaker, "available", False):
            self.shell.show_banner("ui.voice.unavailable", kind="info")
            return
        if voice is not None:
            voice.usable()  # follow the speaker's events: Écouter reads Arrêter while it speaks
        status = getattr(speaker, "status_text", None)
        note = status(self.look.lang, self.look.catalog) if status else None
        try:
            if hasattr(speaker, "say_screen"):
                speaker.say_screen(description, self.look.catalog)
            else:
                speaker.say(description.spoken_text(self.look.catalog), self.look.lang)
        except Exception:  # a refusal or an engine failure is shown, never raised at the person
            self.shell.show_banner("ui.voice.failed", kind="error")
            return
        if note:
            self.shell.show_banner(raw=note, kind="info")

    # -- overlays --------------------------------------------------------------------------
    def open_overlay(self, overlay: Overlay) -> Overlay:
        self.overlays.append(overlay)
        self.shell.overlays.add_widget(overlay)
        return overlay

    def close_overlay(self, overlay: Overlay) -> None:
        if overlay in self.overlays:
            self.overlays.remove(overlay)
        if overlay.parent is not None:
            overlay.parent.remove_widget(overlay)
        if overlay is self.warning:
            self.warning = None
        if overlay is self.wait:
            self.wait = None

    def close_all_overlays(self) -> None:
        for overlay in list(self.overlays):
            self.close_overlay(overlay)

    def _show_warning(self) -> None:
        if self.warning is None:
            from kiosk.ui.overlays import WarningOverlay

            self.warning = WarningOverlay(self)
            self.open_overlay(self.warning)

    def _hide_warning(self) -> None:
        if self.warning is not None:
            self.close_overlay(self.warning)


def post_to_ui(fn: Callable[[], None]) -> None:
    """From any thread: run `fn` on the UI thread at the next frame."""
    Clock.schedule_once(lambda _dt: fn(), 0)


class LastResort:
    """Kivy's ExceptionManager handler, and the thread hook: no error ever stops the kiosk."""

    def __init__(self, app: "KioskApp") -> None:
        self.app = app

    def handle_exception(self, error: BaseException) -> int:
        from kivy.base import ExceptionManager

        if isinstance(error, (KeyboardInterrupt, SystemExit)):
            return ExceptionManager.RAISE
        try:
            self.app.recover(error)
        except Exception as again:  # recovering failed too: the log says so, the loop goes on
            log.critical("recovery failed: %s", type(again).__name__)
        return ExceptionManager.PASS

    def thread_hook(self, args: threading.ExceptHookArgs) -> None:
        if args.exc_type is SystemExit:
            return
        error = args.exc_value or args.exc_type()
        log.error("unexpected in thread %s: %s", args.thread.name if args.thread else "?", describe_exception(error))
        post_to_ui(lambda: self.app.recover(error))


def install_last_resort(app: "KioskApp") -> LastResort:
    """Errors in the loop and in threads recover; one outside the loop is only logged, by the hook
    kiosk.services.logs.setup_logging installed."""
    from kivy.base import ExceptionManager

    handler = LastResort(app)
    ExceptionManager.add_handler(handler)
    threading.excepthook = handler.thread_hook
    return handler


def run_app(services: Any, windowed: bool) -> None:
    """`kiosk run`: full screen kiosk (no Escape, no close) unless windowed."""
    configure_window(services.settings, windowed=windowed)
    app = KioskApp(services, kiosk_mode=not windowed)
    install_last_resort(app)
    app.run()


_IN_PROCESS: "KioskApp | None" = None


def start_in_process(services: Any) -> KioskApp:
    """Build and start the real app in this process without Kivy's main loop (tests, shots).

    Kivy runs one App per process: start it once and reuse it (Pilot.reset between tests).
    """
    global _IN_PROCESS
    from kivy.base import EventLoop

    if _IN_PROCESS is not None and _IN_PROCESS.services is services:
        return _IN_PROCESS  # a second App would take the window from the first one
    configure_window(services.settings, windowed=True, for_tests=True)
    app = KioskApp(services, kiosk_mode=False)
    _IN_PROCESS = app
    EventLoop.ensure_window()
    app._run_prepare()
    app.finish_start()
    for _ in range(3):
        EventLoop.idle()
    return app


def stop_in_process(app: KioskApp) -> None:
    global _IN_PROCESS
    from kivy.base import EventLoop

    if _IN_PROCESS is app:
        _IN_PROCESS = None
    app.stop()
    EventLoop.idle()
