"""Dialogs above the screen: confirmation, help, display (size and colours), inactivity warning.

An overlay covers the whole window and takes every touch (it is modal); its
dialog is sized to its words and pages its body when the text is very large.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Sequence

from kivy.graphics import Color, Rectangle
from kivy.uix.floatlayout import FloatLayout
from kivy.uix.widget import Widget

from kiosk.core.speech import ScreenDescription
from kiosk.settings import THEMES, TEXT_SIZES
from kiosk.ui.look import look
from kiosk.ui.screen import describe_widgets
from kiosk.ui.widgets import Button, Icon, PagedList, Row, Stack, Text

if TYPE_CHECKING:  # pragma: no cover
    from kiosk.ui.context import ScreenContext


class Overlay(FloatLayout):
    name = "overlay"
    title_key = ""
    icon_name = "info"

    def __init__(self, app: "ScreenContext") -> None:
        super().__init__()
        self.app = app
        with self.canvas.before:
            self._scrim_colour = Color()
            self._scrim = Rectangle()
        self.dialog = Stack(bg="surface", edge="surface_edge", radius_mm=5, padding_mm=7, spacing_mm=6,
                            size_hint=(None, None))
        self.header = Row(spacing_mm=4, size_hint_y=None)
        self.header_icon = Icon(self.icon_name, role="surface_text", on="surface", size_hint_x=None)
        self.title = Text(key=self.title_key, style="panel", on="surface", size_hint_y=None)
        self.header.add_widget(self.header_icon)
        self.header.add_widget(self.title)
        self.body = PagedList(self.body_items(), on="surface")
        self.buttons = Row(spacing_mm=6, size_hint_y=None)
        for button in self.action_buttons():
            self.buttons.add_widget(button)
        for w in (self.header, self.body, self.buttons):
            self.dialog.add_widget(w)
        self.add_widget(self.dialog)
        self.bind(pos=self._place, size=self._place)
        self.refresh()

    # subclasses
    def body_items(self) -> list[Widget]:
        return []

    def action_buttons(self) -> list[Button]:
        return []

    def describe(self) -> ScreenDescription:
        lines, buttons = describe_widgets(self.body)
        buttons += [b.text for b in reversed(self.buttons.children) if isinstance(b, Button) and not b.hidden]
        return ScreenDescription(title=self.title.text, lines=tuple(lines), buttons=tuple(buttons))

    def on_tick(self) -> None:
        pass

    # layout
    def refresh(self) -> None:
        lk = look()
        self._scrim_colour.rgba = lk.rgba("scrim")
        self.header_icon.width = lk.font_px("panel") * 1.1
        big = lk.text_size >= 3
        self.dialog.padding_mm, self.dialog.spacing_mm = (4, 4) if big else (7, 6)
        self.dialog.refresh()
        self._place()

    def _place(self, *_: Any) -> None:
        lk = look()
        if self.width <= 1:
            return
        self._scrim.pos, self._scrim.size = self.pos, self.size
        width = self.width * (0.8 if lk.text_size <= 2 else 0.94)
        self.dialog.width = width
        inner = width - 2 * lk.mm(self.dialog.padding_mm)
        self.header.height = max(self.title.wanted_height(inner - self.header_icon.width - lk.mm(4)),
                                 self.header_icon.width)
        self.buttons.height = self.buttons.wanted_height(inner)
        wanted = self.dialog.wanted_height(width)
        self.dialog.height = min(wanted, self.height - 2 * lk.mm(5))
        self.dialog.pos = (self.x + (self.width - width) / 2, self.y + (self.height - self.dialog.height) / 2)

    def on_touch_down(self, touch):  # type: ignore[override]
        super().on_touch_down(touch)
        return True  # modal: nothing under the dialog reacts

    def on_touch_move(self, touch):  # type: ignore[override]
        super().on_touch_move(touch)
        return True

    def on_touch_up(self, touch):  # type: ignore[override]
        super().on_touch_up(touch)
        return True

    def close(self) -> None:
        self.app.close_overlay(self)


class ConfirmDialog(Overlay):
    """"Voulez-vous vraiment …?" with two clear answers. Used before anything that sends,
    hides, blocks, closes or deletes."""

    name = "confirm"
    icon_name = "question"

    def __init__(self, app: "ScreenContext", *, title_key: str, line_keys: Sequence[str] = (),
                 yes_key: str = "ui.confirm.yes", no_key: str = "ui.confirm.no", yes_icon: str = "check",
                 on_yes: Callable[[], Any] | None = None, on_no: Callable[[], Any] | None = None,
                 values: dict | None = None) -> None:
        self.title_key = title_key
        self._lines, self._values = list(line_keys), dict(values or {})
        self._yes, self._no, self._yes_icon = yes_key, no_key, yes_icon
        self._on_yes, self._on_no = on_yes, on_no
        super().__init__(app)

    def body_items(self) -> list[Widget]:
        return [Text(key=k, values=self._values, on="surface") for k in self._lines]

    def action_buttons(self) -> list[Button]:
        self.no = Button(self._no, "back", kind="secondary", on="surface", main=True, name="confirm.no",
                         on_activate=self._answer_no)
        self.yes = Button(self._yes, self._yes_icon, kind="primary", on="surface", name="confirm.yes",
                          on_activate=self._answer_yes)
        return [self.no, self.yes]

    def _answer_yes(self) -> None:
        self.close()
        if self._on_yes:
            self._on_yes()

    def _answer_no(self) -> None:
        self.close()
        if self._on_no:
            self._on_no()


class HelpOverlay(Overlay):
    """How to call the helper at the counter."""

    name = "help"
    title_key = "ui.help.title"
    icon_name = "help"

    def body_items(self) -> list[Widget]:
        return [Text(key=k, on="surface") for k in ("ui.help.line1", "ui.help.line2", "ui.help.line3")]

    def action_buttons(self) -> list[Button]:
        return [Button("ui.help.close", "check", kind="primary", on="surface", name="help.close",
                       on_activate=self.close)]


THEME_KEYS = {"standard": "ui.display.theme.standard", "contraste": "ui.display.theme.contraste",
              "doux": "ui.display.theme.doux"}


class DisplayOverlay(Overlay):
    """Affichage: text size (4 steps) and colours (3 themes), for this session only."""

    name = "display"
    title_key = "ui.display.title"
    icon_name = "display"

    def body_items(self) -> list[Widget]:
        # a settings panel: words a little smaller than the content at the largest sizes (1.6 x at most),
        # so that every choice fits on one page
        self.size_row = Row(spacing_mm=4)
        self.smaller = Button("ui.display.smaller", "minus", on="surface", name="display.smaller",
                              on_activate=lambda: self._step(-1), style="panel")
        self.size_now = Text(source=lambda: look().tr("ui.display.size_now", n=look().text_size,
                                                      total=len(TEXT_SIZES)),
                             style="panel", on="surface", halign="center")
        self.bigger = Button("ui.display.bigger", "plus", on="surface", name="display.bigger",
                             on_activate=lambda: self._step(+1), style="panel")
        for w in (self.smaller, self.size_now, self.bigger):
            self.size_row.add_widget(w)
        self.theme_row = Row(spacing_mm=4)
        self.theme_buttons: dict[str, Button] = {}
        for name in THEMES:
            button = Button(THEME_KEYS[name], "display", on="surface", name=f"display.theme.{name}",
                            style="panel", on_activate=lambda n=name: self.app.set_prefs(theme=n))
            self.theme_buttons[name] = button
            self.theme_row.add_widget(button)
        self._mark()
        return [self.size_row, Text(key="ui.display.colours_label", style="panel", on="surface"), self.theme_row]

    def _mark(self) -> None:
        lk = look()
        self.smaller.hidden = lk.text_size == min(TEXT_SIZES)
        self.bigger.hidden = lk.text_size == max(TEXT_SIZES)
        for name, button in self.theme_buttons.items():
            chosen = name == lk.theme_name
            button.set_icon("check" if chosen else "display")
            button.label.set_text(THEME_KEYS[name] + (".chosen" if chosen else ""))

    def refresh(self) -> None:
        if hasattr(self, "theme_buttons"):
            self._mark()
        super().refresh()

    def _step(self, delta: int) -> None:
        sizes = list(TEXT_SIZES)
        index = sizes.index(look().text_size) + delta
        if 0 <= index < len(sizes):
            self.app.set_prefs(text_size=sizes[index])

    def action_buttons(self) -> list[Button]:
        return [Button("ui.display.done", "check", kind="primary", on="surface", name="display.done",
                       on_activate=self.close, style="panel")]


class WarningOverlay(Overlay):
    """Inactivity: the countdown, shown (and spoken by the voice part), and one tap to continue."""

    name = "warning"
    title_key = "ui.warning.title"
    icon_name = "clock"

    def body_items(self) -> list[Widget]:
        self.countdown = Text(source=self._seconds_text, style="heading", on="surface")
        return [self.countdown, Text(key="ui.warning.line1", on="surface"),
                Text(key="ui.warning.line2", on="surface")]

    def _seconds_text(self) -> str:
        return look().catalog.tr_n("ui.warning.countdown", self.app.session.seconds_left())

    def action_buttons(self) -> list[Button]:
        return [Button("ui.warning.still_here", "check", kind="primary", on="surface", name="warning.still_here",
                       on_activate=self.app.session.still_here)]

    def on_tick(self) -> None:
        before = self.countdown.text
        self.countdown.refresh()
        if self.countdown.text != before:
            self.body.paginate()


class NoticeOverlay(Overlay):
    """One sentence to read before going on ("La borne a eu un problème…"), and J'ai compris."""

    name = "notice"
    title_key = "ui.notice.title"
    icon_name = "info"

    def __init__(self, app: "ScreenContext", line_key: str) -> None:
        self.line_key = line_key
        super().__init__(app)

    def body_items(self) -> list[Widget]:
        return [Text(key=self.line_key, style="heading", on="surface")]

    def action_buttons(self) -> list[Button]:
        return [Button("ui.notice.ok", "check", kind="primary", on="surface", name="notice.ok",
                       on_activate=self.close)]


class WaitOverlay(Overlay):
    """"Un instant, s'il vous plaît.": the kiosk waits for the service. It takes every touch, so a
    second tap cannot start another action; the inactivity warning still opens above it."""

    name = "wait"
    title_key = "ui.wait.title"
    icon_name = "clock"

    def body_items(self) -> list[Widget]:
        self.line = Text(key="ui.wait.line", style="heading", on="surface")
        return [self.line]

    def checking(self) -> None:
        """A change got no answer: now the kiosk reads back whether it was made."""
        self.line.set_text(key="ui.wait.checking")
        self.body.paginate()
