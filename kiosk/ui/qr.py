"""A QR code drawn as a Kivy widget, at least 6 cm wide on the screen.

The modules are always black on white with a quiet zone of 4 modules, whatever
the theme: phone cameras read that best. The side is computed in millimetres
with the screen's px_per_mm, so the code stays large enough on any panel.
"""

from __future__ import annotations

from typing import Any

import qrcode
from kivy.graphics import Color, Rectangle
from kivy.graphics.texture import Texture
from kivy.uix.widget import Widget

from kiosk.ui.look import look
from kiosk.ui.widgets import A11y, Measured

#: The smallest side of a QR code on the screen, in millimetres (issue: at least 6 cm).
MIN_SIDE_MM = 62.0
QUIET_MODULES = 4


def qr_matrix(payload: str) -> list[list[bool]]:
    """The modules of the QR code (True: dark), with the quiet zone around."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=QUIET_MODULES)
    code.add_data(payload.encode("utf-8"))
    code.make(fit=True)
    return code.get_matrix()


def qr_texture(payload: str) -> Texture:
    """One texel per module, drawn with nearest filtering so the edges stay sharp."""
    matrix = qr_matrix(payload)
    n = len(matrix)
    rows = []
    for row in reversed(matrix):  # Kivy textures start at the bottom
        rows.append(b"".join(b"\x00\x00\x00" if dark else b"\xff\xff\xff" for dark in row))
    texture = Texture.create(size=(n, n), colorfmt="rgb")
    texture.blit_buffer(b"".join(rows), colorfmt="rgb", bufferfmt="ubyte")
    texture.mag_filter = "nearest"
    texture.min_filter = "nearest"
    return texture


class QrCode(Measured, Widget):
    """A square QR code, centred in its row; `side_px` is never below MIN_SIDE_MM."""

    full_row = True

    def __init__(self, payload: str, *, min_mm: float = MIN_SIDE_MM, **kwargs: Any) -> None:
        kwargs.setdefault("size_hint_y", None)
        super().__init__(**kwargs)
        self.payload, self.min_mm = payload, min_mm
        self.texture = qr_texture(payload)
        with self.canvas:
            self._colour = Color(1, 1, 1, 1)
            self._rect = Rectangle(texture=self.texture)
        self.bind(pos=self._place, size=self._place)
        self.refresh()

    @property
    def modules(self) -> int:
        return self.texture.size[0]

    def side_px(self) -> float:
        """Whole pixels per module, so every module has the same size on screen."""
        wanted = look().mm(self.min_mm)
        per_module = max(1, -(-int(wanted) // self.modules))
        return float(per_module * self.modules)

    def side_mm(self) -> float:
        return look().to_mm(self.side_px())

    def wanted_height(self, width: float) -> float:
        return self.side_px()

    def refresh(self) -> None:
        self.height = self.side_px()
        self._place()

    def _place(self, *_: Any) -> None:
        side = self.side_px()
        self._rect.pos = (int(self.x + max(0.0, (self.width - side) / 2)), int(self.y + (self.height - side) / 2))
        self._rect.size = (side, side)

    def a11y(self) -> A11y:
        # a picture, not words: checked as a control (black on white, far above 3:1)
        return A11y("icon", "qr", fg=(0.0, 0.0, 0.0), bg=(1.0, 1.0, 1.0))
