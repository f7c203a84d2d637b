"""The voice on screen: touch stops speech, the Voix panel, explore-by-touch, the spoken warning.

`install_voice(app)` is called once when the app starts. It adds:
- a touch hook: any touch on the screen stops speech;
- `TapBehaviour.activation_filter` for "Explorer au toucher" (EN 301 549 5.5.2): when on,
  the first tap on a control speaks its label, a second tap on the same control acts,
  a tap anywhere else starts again;
- the inactivity warning is spoken when it appears;
- the Voix panel (Répéter, Arrêter, Plus lent / Plus rapide, Moins fort / Plus fort,
  Explorer au toucher), reached from the Affichage panel of the bottom bar.

Speech events arrive on a speech thread: they are handed to Kivy with Clock.schedule_once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kivy.clock import Clock
from kivy.uix.widget import Widget

from kiosk.core.speech import EventKind, ScreenDescription, SpeechEvent, SpeechRefused
from kiosk.ui.look import look
from kiosk.ui.overlays import ConfirmDialog, DisplayOverlay, Overlay
from kiosk.ui.widgets import Button, Row, TapBehaviour, Text

if TYPE_CHECKING:  # pragma: no cover
    from kiosk.ui.app import KioskApp


def _speaker(app: "KioskApp") -> Any:
    return getattr(app.services, "speaker", None)


PRIVATE_ASKED = "ui.voice.private_asked"  # session.data: the question was asked in this session


class VoiceControl:
    """The voice part of the app: one per app, kept as `app.voice`."""

    def __init__(self, app: "KioskApp") -> None:
        self.app = app
        self.explore = False
        self.armed: Widget | None = None
        self._listened: Any = None
        self._remove_listener = None
        #: True during a touch that stopped the voice (so Arrêter does not start it again).
        self.stopped_by_touch = False
        self.speaking = False

    # -- speaking ---------------------------------------------------------------------------
    def usable(self) -> Any:
        """The speaker when it can speak, else None (and a line on screen says why)."""
        speaker = _speaker(self.app)
        if speaker is None or not getattr(speaker, "available", False):
            self.app.shell.show_banner("ui.voice.unavailable", kind="info")
            return None
        self._listen_to(speaker)
        return speaker

    def _note(self, speaker: Any) -> None:
        status = getattr(speaker, "status_text", None)
        note = status(look().lang, look().catalog) if status else None
        if note:
            self.app.shell.show_banner(raw=note, kind="info")

    def say(self, text: str) -> None:
        speaker = self.usable()
        if speaker is None or not text:
            return
        try:
            speaker.say(text, look().lang)
        except SpeechRefused:  # a code is never spoken: nothing is said
            return
        except Exception:
            self.app.shell.show_banner("ui.voice.failed", kind="error")
            return
        self._note(speaker)

    def ask_private_first(self, description: Any) -> bool:
        """Before a document or a message is read aloud: ask once per session (no headset).

        True when the question is now on screen (and spoken); the answer reads the screen.
        """
        speaker = _speaker(self.app)
        policy = getattr(speaker, "policy", None)
        data = self.app.session.data
        if not description.private or policy is None or policy.private_allowed or data.get(PRIVATE_ASKED):
            return False
        data[PRIVATE_ASKED] = True
        current = self.app.nav.current
        kind = "message" if current is not None and current.name.startswith("messages") else "document"

        def yes() -> None:
            policy.grant_consent()
            self.app.speak_screen()

        self.app.open_overlay(ConfirmDialog(
            self.app, title_key="voice.private.title", line_keys=(f"speech.private.prompt.{kind}",),
            yes_key="speech.private.yes", no_key="speech.private.no", yes_icon="listen",
            on_yes=yes, on_no=self.app.speak_screen))
        # the question itself is read, once it is laid out
        Clock.schedule_once(lambda _dt: self.app.speak_screen(), 0)
        return True

    def say_description(self) -> None:
        """What is in front of the person, like Écouter."""
        self.app.speak_screen()

    def repeat(self) -> bool:
        """Répéter: True when there was a last message to say again."""
        speaker = _speaker(self.app)
        if speaker is None or getattr(speaker, "ready", True) is False or not getattr(speaker, "can_repeat", False):
            return False
        speaker = self.usable()
        if speaker is None:
            return True  # the banner says the voice is unavailable
        try:
            speaker.repeat()
        except SpeechRefused:
            return True
        except Exception:
            self.app.shell.show_banner("ui.voice.failed", kind="error")
        return True

    def stop(self) -> bool:
        """Stop speaking; True when something was being said."""
        speaker = _speaker(self.app)
        if speaker is None:
            return False
        ready = getattr(speaker, "ready", True)  # a Lazy speaker not built yet has nothing to stop
        if ready is False:
            return False
        try:
            was = bool(getattr(speaker, "is_speaking", False))
            speaker.stop()
            return was
        except Exception:
            return False

    # -- events from the speech thread --------------------------------------------------------
    def _listen_to(self, speaker: Any) -> None:
        if self._listened is speaker or not hasattr(speaker, "add_listener"):
            return
        if self._remove_listener is not None:
            self._remove_listener()
        self._listened = speaker
        self._remove_listener = speaker.add_listener(self._on_event)

    def _on_event(self, event: SpeechEvent) -> None:  # speech thread
        if event.kind in (EventKind.NO_AUDIO_OUTPUT, EventKind.NO_VOICE, EventKind.UNAVAILABLE):
            Clock.schedule_once(lambda _dt: self._show_status(), 0)
        speaking = event.kind is EventKind.STARTED
        Clock.schedule_once(lambda _dt: self.show_speaking(speaking), 0)

    def show_speaking(self, speaking: bool) -> None:  # Kivy thread
        """The Écouter button reads Arrêter while the voice speaks."""
        if speaking == self.speaking:
            return
        self.speaking = speaking
        button = self.app.shell.bottom_bar.buttons.get("listen")
        if button is not None:
            button.set_icon("stop" if speaking else "listen")
            button.label.set_text("ui.bar.stop" if speaking else "ui.bar.listen")
            button.refresh()

    def _show_status(self) -> None:  # Kivy thread
        speaker = _speaker(self.app)
        if speaker is not None:
            self._note(speaker)

    # -- touch -------------------------------------------------------------------------------
    def on_touch(self) -> None:
        self.stopped_by_touch = self.stop()
        if self.stopped_by_touch:
            self.show_speaking(False)

    def on_window_touch(self, _window: Any, touch: Any) -> bool:
        """A tap elsewhere than the control spoken last: explore starts again."""
        armed = self.armed
        if armed is not None:
            inside = armed.get_root_window() is not None and armed.collide_point(*armed.to_widget(*touch.pos))
            if not inside:
                self.armed = None
        return False

    def filter(self, widget: Widget) -> bool:
        """TapBehaviour.activation_filter: True lets the button act."""
        if not self.explore:
            return True
        if widget is self.armed:
            self.armed = None
            return True
        self.armed = widget
        self.say(getattr(widget, "text", "") or "")
        return False

    def set_explore(self, on: bool) -> None:
        self.explore = on
        self.armed = None

    # -- session ------------------------------------------------------------------------------
    def on_warning(self) -> None:
        if self.app.warning is None:
            return
        speaker = _speaker(self.app)
        if speaker is None or not getattr(speaker, "available", False):
            return
        warning = self.app.warning
        description = warning.describe()
        if not description.lines:  # just opened: its body is not laid out yet, the words are known
            lines = (warning.countdown.text, look().tr("ui.warning.line1"), look().tr("ui.warning.line2"))
            description = ScreenDescription(title=description.title, lines=lines, buttons=description.buttons)
        try:
            speaker.say_screen(description, look().catalog)
        except Exception:
            pass

    def on_reset(self) -> None:
        self.set_explore(False)


class VoicePanel(Overlay):
    """Voix: Répéter, Arrêter, slower / faster, quieter / louder, explore-by-touch."""

    name = "voice"
    title_key = "voice.panel.title"
    icon_name = "listen"

    def body_items(self) -> list[Widget]:
        voice: VoiceControl = self.app.voice
        self.repeat = Button("voice.repeat", "listen", on="surface", name="voice.repeat", style="panel",
                             on_activate=self._repeat)
        self.stop_button = Button("voice.stop", "voice_off", on="surface", name="voice.stop", style="panel",
                                  on_activate=voice.stop)
        self.slower = Button("voice.slower", "minus", on="surface", name="voice.slower", style="panel",
                             on_activate=lambda: self._change("slower"))
        self.faster = Button("voice.faster", "plus", on="surface", name="voice.faster", style="panel",
                             on_activate=lambda: self._change("faster"))
        self.quieter = Button("voice.quieter", "minus", on="surface", name="voice.quieter", style="panel",
                              on_activate=lambda: self._change("quieter"))
        self.louder = Button("voice.louder", "plus", on="surface", name="voice.louder", style="panel",
                             on_activate=lambda: self._change("louder"))
        self.explore = Button("voice.explore.off", "display", on="surface", name="voice.explore", style="panel",
                              on_activate=self._toggle_explore)
        rows = []
        for pair in ((self.repeat, self.stop_button), (self.slower, self.faster), (self.quieter, self.louder)):
            row = Row(spacing_mm=4)
            for b in pair:
                row.add_widget(b)
            rows.append(row)
        self._mark()
        return [*rows, Text(key="voice.explore.line", style="panel", on="surface"), self.explore]

    def _mark(self) -> None:
        on = self.app.voice.explore
        self.explore.set_icon("check" if on else "display")
        self.explore.label.set_text("voice.explore.on" if on else "voice.explore.off")
        self.explore.refresh()

    def _repeat(self) -> None:
        speaker = self.app.voice.usable()
        if speaker is None:
            return
        try:
            speaker.repeat()
        except SpeechRefused:
            return
        except Exception:
            self.app.shell.show_banner("ui.voice.failed", kind="error")

    def _change(self, how: str) -> None:
        speaker = self.app.voice.usable()
        if speaker is None:
            return
        getattr(speaker, how)()
        self.app.voice.say(look().tr(f"voice.changed.{how}"))

    def _toggle_explore(self) -> None:
        voice: VoiceControl = self.app.voice
        voice.set_explore(not voice.explore)
        self._mark()
        self.app.voice.say(look().tr("voice.explore.said_on" if voice.explore else "voice.explore.said_off"))

    def action_buttons(self) -> list[Button]:
        return [Button("voice.done", "check", kind="primary", on="surface", name="voice.done",
                       on_activate=self.close, style="panel")]


class DisplayWithVoice(DisplayOverlay):
    """Affichage, with the way to the Voix panel."""

    def action_buttons(self) -> list[Button]:
        return [Button("voice.open", "listen", on="surface", name="display.voice", style="panel",
                       on_activate=self._open_voice), *super().action_buttons()]

    def _open_voice(self) -> None:
        self.close()
        self.app.open_overlay(VoicePanel(self.app))


def install_voice(app: "KioskApp") -> VoiceControl:
    """Wire the voice into the app (once, when it starts)."""
    from kivy.core.window import Window

    voice = VoiceControl(app)
    app.voice = voice  # type: ignore[attr-defined]
    app.touch_hooks.append(voice.on_touch)
    TapBehaviour.activation_filter = voice.filter
    Window.bind(on_touch_down=voice.on_window_touch)
    app.session.on_warning.append(lambda _s: voice.on_warning())
    app.session.on_reset.append(lambda _s: voice.on_reset())
    app.session.on_end.append(lambda _s: voice.on_reset())
    return voice
