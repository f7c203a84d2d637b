"""The code shown masked: one drawn dot per digit, filled when typed (● ● ○), never the digits.

The dots are drawn (the text font has no round glyph); the words under them ("2 chiffres
tapés sur 6.") say the same for people who do not see the dots and for the voice.
"""

from __future__ import annotations

from typing import Any

from kivy.graphics import Color, Ellipse, Line
from kivy.uix.widget import Widget

from kiosk.ui.look import look
from kiosk.ui.widgets import A11y, Measured, rgb

DOT_MM = 9.0
GAP_MM = 5.0


class CodeDots(Measured, Widget):
    """`typed` filled dots then `total - typed` empty rings, left-aligned."""

    def __init__(self, typed: int = 0, total: int = 0, **kwargs: Any) -> None:
        kwargs.setdefault("size_hint_y", None)
        super().__init__(**kwargs)
        self.typed, self.total = typed, total
        self.bind(pos=self._draw, size=self._draw)
        self.refresh()

    def set_count(self, typed: int, total: int) -> None:
        self.typed, self.total = typed, total
        self._draw()

    def wanted_height(self, width: float) -> float:
        return look().mm(DOT_MM + 2)

    def refresh(self) -> None:
        self.height = self.wanted_height(self.width)
        self._draw()

    def _draw(self, *_: Any) -> None:
        lk = look()
        side, gap = lk.mm(DOT_MM), lk.mm(GAP_MM)
        y = self.y + (self.height - side) / 2
        self.canvas.clear()
        with self.canvas:
            Color(*lk.rgba("text"))
            for i in range(self.total):
                x = self.x + i * (side + gap)
                if i < self.typed:
                    Ellipse(pos=(x, y), size=(side, side))
                else:
                    Line(ellipse=(x + 1.5, y + 1.5, side - 3, side - 3), width=2)

    def a11y(self) -> A11y:
        return A11y("icon", "code_dots", fg=tuple(look().rgba("text")[:3]), bg=rgb("bg"))
