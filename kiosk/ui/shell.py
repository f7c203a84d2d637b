"""The frame around every screen: bands, top bar, the screen, a banner, the bottom bar, overlays.

    ┌───────────────────────────────────────────────┐
    │ bands (Accompagné par … / MODE FORMATION)     │  only when there are some
    │ Title                    Étape 2 sur 4  [Fin] │  top bar
    │                                               │
    │   the current screen                          │
    │                                               │
    │ [!] error or information banner     [Fermer]  │  only when there is one
    │ [Retour] [Accueil] [Écouter] [Taille] [Aide]  │  bottom bar: same order, same place
    └───────────────────────────────────────────────┘
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

from kivy.graphics import Color, Rectangle
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.floatlayout import FloatLayout
from kivy.uix.widget import Widget

from kiosk.ui import theme as th
from kiosk.ui.look import look
from kiosk.ui.widgets import Banner, Button, Icon, Spacer, Stack, Text, text_width

if TYPE_CHECKING:  # pragma: no cover
    from kiosk.ui.context import FrameContext

#: The bottom bar, in this order on every screen: (name, catalogue key, icon).
BOTTOM_BAR = (
    ("back", "ui.bar.back", "back"),
    ("home", "ui.bar.home", "home"),
    ("listen", "ui.bar.listen", "listen"),     # "Arrêter" while the voice speaks
    ("repeat", "ui.bar.repeat", "repeat"),
    ("display", "ui.bar.text_size", "text_size"),
    ("help", "ui.bar.help", "help"),
)

MARGIN_MM = 5.0


class Band(Stack):
    """A band across the top of every screen ("Accompagné par …", "MODE FORMATION").

    It cannot be closed by the person; its owner removes it with `app.shell.remove_band`.
    An optional button (e.g. "Arrêter l'accompagnement") sits at its right.
    """

    def __init__(self, key: str | None = None, *, raw: str | None = None, values: dict | None = None,
                 icon: str = "info", button: Button | None = None, name: str = "", **kwargs: Any) -> None:
        super().__init__(bg="info_bg", edge="info_edge", padding_mm=2, orientation="horizontal", **kwargs)
        self.name = name
        self.icon = Icon(icon, role="info_text", on="info_bg", size_hint=(None, 1))
        self.message = Text(key=key, raw=raw, values=values, style="panel", on="info_bg", size_hint_y=1)
        self.button = button
        self.add_widget(self.icon)
        self.add_widget(self.message)
        if button is not None:
            button.on = "info_bg"
            button.size_hint = (None, 1)
            self.add_widget(button)
        self.refresh()

    def refresh(self) -> None:
        super().refresh()
        if hasattr(self, "icon"):
            lk = look()
            self.spacing = lk.mm(3)
            self.icon.width = lk.font_px("panel") * 1.1
            if self.button is not None:
                self.button.width = self.button.natural_width()

    def wanted_height(self, width: float) -> float:
        from kiosk.ui.widgets import measure

        text_w = width - self.padding[0] - self.padding[2] - self.icon.width - self.spacing * 2 - (
            self.button.width + self.spacing if self.button is not None else 0)
        text_h = measure(self.message.text, int(self.message.font_size), True, int(text_w))[1]
        button_h = self.button.wanted_height(self.button.width) if self.button is not None else 0
        return max(text_h, button_h) + self.padding[1] + self.padding[3]

    def do_layout(self, *args: Any) -> None:
        BoxLayout.do_layout(self, *args)


class TopBar(Stack):
    def __init__(self, app: "FrameContext") -> None:
        # a thin bar (1.5 mm around a 15 mm Terminer): the room goes to the screen
        super().__init__(bg="bar_bg", padding_mm=1.5, orientation="horizontal")
        self.app = app
        self.title = Text(raw="", style="title", on="bar_bg", size_hint_y=1)
        self.step = Text(raw="", style="bar", on="bar_bg", halign="right", size_hint=(None, 1))
        self.finish = Button("ui.bar.finish", "end", kind="secondary", on="bar_bg", size_hint=(None, 1),
                             name="bar.finish", on_activate=app.ask_end_session, style="bar",
                             min_mm=th.MIN_TARGET_MM)
        for w in (self.title, self.step, self.finish):
            self.add_widget(w)
        with self.canvas.after:
            self._line_colour = Color()
            self._line = Rectangle()
        self.bind(pos=self._underline, size=self._underline)
        self.refresh()

    def _underline(self, *_: Any) -> None:
        lk = look()
        self._line_colour.rgba = lk.rgba("bar_edge")
        self._line.pos, self._line.size = (self.x, self.y), (self.width, max(2, lk.mm(0.5)))

    def set(self, title: str, step: str, finish: bool) -> None:
        self.title.set_text(raw=title)
        self.step.set_text(raw=step)
        self.finish.hidden = not finish
        self.refresh()

    def refresh(self) -> None:
        super().refresh()
        if not hasattr(self, "finish"):
            return
        lk = look()
        self.spacing = lk.mm(4)
        from kiosk.ui.widgets import measure

        step_w = text_width(self.step.text, int(self.step.font_size), False)
        self.step.width = step_w + 2
        self.finish.width = self.finish.natural_width()
        self._underline()

    def wanted_height(self, width: float) -> float:
        from kiosk.ui.widgets import measure

        lk = look()
        title_w = width - self.padding[0] - self.padding[2] - self.step.width - self.finish.width - 2 * self.spacing
        title_h = measure(self.title.text, int(self.title.font_size), True, int(max(1, title_w)))[1]
        # the Terminer button counts even when hidden: the bar keeps its height on every screen
        return max(title_h, self.finish.wanted_height(self.finish.width)) + self.padding[1] + self.padding[3]

    def do_layout(self, *args: Any) -> None:
        BoxLayout.do_layout(self, *args)


class BottomBar(Stack):
    def __init__(self, app: "FrameContext") -> None:
        super().__init__(bg="bar_bg", padding_mm=2.5, orientation="horizontal")
        self.app = app
        actions: dict[str, Callable[[], Any]] = {
            "back": app.go_back, "home": app.go_home, "listen": app.listen, "repeat": app.repeat_speech,
            "display": app.open_display, "help": app.open_help,
        }
        self.buttons: dict[str, Button] = {}
        for name, key, icon in BOTTOM_BAR:
            button = Button(key, icon, kind="bar", on="bar_bg", name=f"bar.{name}", on_activate=actions[name])
            self.buttons[name] = button
            self.add_widget(button)
        with self.canvas.after:
            self._line_colour = Color()
            self._line = Rectangle()
        self.bind(pos=self._overline, size=self._overline)
        self.refresh()

    def _overline(self, *_: Any) -> None:
        lk = look()
        self._line_colour.rgba = lk.rgba("bar_edge")
        h = max(2, lk.mm(0.5))
        self._line.pos, self._line.size = (self.x, self.y + self.height - h), (self.width, h)

    def refresh(self) -> None:
        super().refresh()
        self.spacing = look().mm(3.5)
        if hasattr(self, "_line"):
            self._overline()

    def show(self, **visible: bool) -> None:
        for name, shown in visible.items():
            self.buttons[name].hidden = not shown

    def wanted_height(self, width: float) -> float:
        n = len(self.buttons)
        button_w = (width - self.padding[0] - self.padding[2] - self.spacing * (n - 1)) / n
        return max(b.wanted_height(button_w) for b in self.buttons.values()) + self.padding[1] + self.padding[3]

    def do_layout(self, *args: Any) -> None:
        BoxLayout.do_layout(self, *args)


class Shell(FloatLayout):
    """The root widget: the frame (a Stack) and, above it, the overlay layer."""

    def __init__(self, app: "FrameContext") -> None:
        super().__init__()
        self.app = app
        with self.canvas.before:
            self._bg_colour = Color()
            self._bg = Rectangle()
        self.bind(pos=self._paint, size=self._paint)
        self.frame = Stack(size_hint=(1, 1), pos_hint={"x": 0, "y": 0})
        self.bands = Stack(spacing_mm=0)
        self.top_bar = TopBar(app)
        self.holder = BoxLayout()          # the current screen goes here
        self.holder.fill = True            # type: ignore[attr-defined]
        self.banner_slot = Stack(padding_mm=0)
        self.bottom_bar = BottomBar(app)
        for w in (self.bands, self.top_bar, self.holder, self.banner_slot, self.bottom_bar):
            self.frame.add_widget(w)
        self.add_widget(self.frame)
        self.overlays = FloatLayout(size_hint=(1, 1), pos_hint={"x": 0, "y": 0})
        self.add_widget(self.overlays)
        self.banner: Banner | None = None
        self._paint()

    def refresh(self) -> None:
        self._paint()
        self._banner_room()

    def _paint(self, *_: Any) -> None:
        self._bg_colour.rgba = look().rgba("bg")
        self._bg.pos, self._bg.size = self.pos, self.size

    # -- bands -----------------------------------------------------------------------------
    def add_band(self, band: Band) -> None:
        self.bands.add_widget(band)
        self.frame._trigger_layout()

    def remove_band(self, band: Band) -> None:
        if band.parent is self.bands:
            self.bands.remove_widget(band)
            self.frame._trigger_layout()

    # -- banner ----------------------------------------------------------------------------
    def show_banner(self, key: str | None = None, *, kind: str = "error", raw: str | None = None,
                    **values: Any) -> Banner:
        self.clear_banner()
        self.banner = Banner(key, kind=kind, raw=raw, values=values, on_close=self.clear_banner)
        wrapper = Stack(padding_mm=MARGIN_MM * 0.6)
        wrapper.add_widget(self.banner)
        wrapper.add_widget(Spacer())
        self.banner_slot.add_widget(wrapper)
        self._banner_room()
        return self.banner

    def clear_banner(self) -> None:
        self.banner_slot.clear_widgets()
        self.banner = None
        self._banner_room()

    def _banner_room(self) -> None:
        """With very large text there is no room for both: the message comes first, alone,
        until the person touches Fermer. So too on a screen whose parts cannot give up any
        height (the sign-in pad)."""
        screen = self.holder.children[0] if self.holder.children else None
        rigid = bool(getattr(screen, "banner_alone", False))
        alone = self.banner is not None and (look().text_size >= 3 or rigid)
        self.holder.hidden = alone            # type: ignore[attr-defined]
        self.holder.opacity = 0 if alone else 1
        self.holder.disabled = alone
        self.banner_slot.fill = alone         # type: ignore[misc]
        self.frame._trigger_layout()

    # -- screen ----------------------------------------------------------------------------
    def set_screen(self, screen: Widget) -> None:
        self.holder.clear_widgets()
        self.holder.add_widget(screen)
        self._banner_room()
