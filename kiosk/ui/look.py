"""The current look of the kiosk: language, theme and text size, and the sizes derived from them.

One `Look` lives for the whole app; widgets read it when they (re)draw. After a
change, `kiosk.ui.widgets.refresh_tree` re-renders every visible widget at once.
"""

from __future__ import annotations

from typing import Any

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


class Look:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.px_per_mm = settings.px_per_mm
        self.base_px = th.base_font_px(self.px_per_mm)
        self.lang = settings.default_language
        self.theme_name = settings.theme
        self.text_size = settings.text_size
        self.catalog = Catalog.load(self.lang)
        self.revision = 0

    # -- state -----------------------------------------------------------------------------
    def apply(self, *, lang: str | None = None, theme: str | None = None, text_size: int | None = None) -> bool:
        """Change what was given; True when something changed."""
        changed = False
        if lang is not None and lang != self.lang:
            self.lang, self.catalog, changed = lang, Catalog.load(lang), True
        if theme is not None and theme != self.theme_name:
            if theme not in th.THEMES:
                raise ValueError(f"unknown theme {theme!r}")
            self.theme_name, changed = theme, True
        if text_size is not None and text_size != self.text_size:
            if text_size not in th.TEXT_SCALES:
                raise ValueError(f"unknown text size {text_size!r}")
            self.text_size, changed = text_size, True
        if changed:
            self.revision += 1
        return changed

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
