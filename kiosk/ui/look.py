"""The current look of the kiosk: language, theme and text size, and the sizes derived from them.

One `Look` lives for the whole app. It is a Kivy EventDispatcher: `lang`, `theme_name`,
`text_size` and `revision` are properties, and one `apply()` that changes anything bumps
`revision` once, then dispatches `on_look` once. The kit's widgets (kiosk.ui.widgets)
follow `revision` and redraw themselves; the app follows `on_look` to lay the screen out
again once they have (the containers, the bars, the screens' own hooks).
"""

from __future__ import annotations

import weakref
from typing import Any

from kivy.event import EventDispatcher
from kivy.properties import NumericProperty, ObjectProperty, StringProperty

from kiosk.core.i18n import Catalog
from kiosk.settings import Settings
from kiosk.ui import theme as th

#: Font styles: (scale at size 1, largest scale allowed, bold). The top and bottom bars do not
#: grow (their words already have a 6.3 mm capital height): they keep the same place and size on
#: every screen and at every text size, and leave the room to the content, which grows to 2 x.
STYLES: dict[str, tuple[float, float, bool]] = {
    "body": (1.0, 9.0, False),
    "strong": (1.0, 9.0, True),
    "heading": (1.25, 2.0, True),
    "title": (1.2, 1.2, True),
    "bar": (1.0, 1.0, False),
    "button": (1.0, 9.0, True),
    "huge": (2.0, 3.0, True),
    "panel": (1.0, 1.6, True),
    # number pad keys: one size at every text size, so the pad always fits beside the words
    "key": (1.0, 1.0, True),
    # the words beside the pad when a band (assisted, training) also takes room: the bars' size
    "pad_words": (1.0, 1.0, True),
    # screens under a band with very large text (the assisted consent): at most 1.25 x
    "snug": (1.0, 1.25, True),
}


class Look(EventDispatcher):
    lang = StringProperty("fr")
    theme_name = StringProperty("standard")
    text_size = NumericProperty(1)
    catalog = ObjectProperty(None)
    #: +1 for each apply() that changed something: one notification for any number of changes
    revision = NumericProperty(0)

    __events__ = ("on_look",)

    def __init__(self, settings: Settings, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.settings = settings
        self.px_per_mm = settings.px_per_mm
        self.base_px = th.base_font_px(self.px_per_mm)
        self.lang = settings.default_language
        self.theme_name = settings.theme
        self.text_size = settings.text_size
        self.catalog = Catalog.load(self.lang)
        # Widgets that redraw themselves on a change. A weak set, not Kivy's bind(): bind looks
        # through every observer at each call (thousands of widgets), and the Look must keep
        # no widget (nor the words on it) alive.
        self._followers: weakref.WeakSet[Any] = weakref.WeakSet()

    def follow(self, widget: Any) -> None:
        """`widget.look_changed(look)` is called once after each change (FollowsLook)."""
        self._followers.add(widget)

    def on_revision(self, _look: Any, _revision: int) -> None:
        for widget in list(self._followers):
            widget.look_changed(self)

    # -- state -----------------------------------------------------------------------------
    def apply(self, *, lang: str | None = None, theme: str | None = None, text_size: int | None = None) -> bool:
        """Change what was given; True when something changed (and then, one notification)."""
        if theme is not None and theme not in th.THEMES:
            raise ValueError(f"unknown theme {theme!r}")
        if text_size is not None and text_size not in th.TEXT_SCALES:
            raise ValueError(f"unknown text size {text_size!r}")
        changed = False
        if lang is not None and lang != self.lang:
            self.catalog, self.lang, changed = Catalog.load(lang), lang, True
        if theme is not None and theme != self.theme_name:
            self.theme_name, changed = theme, True
        if text_size is not None and text_size != self.text_size:
            self.text_size, changed = text_size, True
        if changed:
            self.revision += 1       # the kit's widgets redraw themselves, each once
            self.dispatch("on_look")  # then the app lays the screen out again, once
        return changed

    def on_look(self) -> None:
        """Dispatched once after each apply() that changed something."""

    @property
    def theme(self) -> th.Theme:
        return th.THEMES[self.theme_name]

    @property
    def scale(self) -> float:
        return th.TEXT_SCALES[self.text_size]

    # -- helpers ---------------------------------------------------------------------------
    def tr(self, key: str, **values: Any) -> str:
        return self.catalog.tr(key, **values)

    def mm(self, millimetres: float) -> float:
        return millimetres * self.px_per_mm

    def to_mm(self, pixels: float) -> float:
        return pixels / self.px_per_mm

    def font_px(self, style: str = "body") -> int:
        factor, cap, _bold = STYLES[style]
        return round(self.base_px * min(self.scale * factor, max(cap, factor)))

    def bold(self, style: str) -> bool:
        return STYLES[style][2]

    def rgba(self, role: str, alpha: float = 1.0) -> list[float]:
        value = self.theme.role(role)
        if len(value) == 4:
            return list(value)
        return [*value, alpha]

    def line_px(self) -> float:
        """Width of control borders: thicker in high contrast."""
        return max(2.0, self.mm(0.6 if self.theme_name != "contraste" else 0.9))


_current: Look | None = None


def look() -> Look:
    if _current is None:
        raise RuntimeError("no Look: create the KioskApp (or set_look) first")
    return _current


def set_look(value: Look) -> Look:
    global _current
    _current = value
    return value
