"""The kiosk's icons: simple shapes drawn with Pillow, white on transparent.

They are committed as PNG under assets/icons and tinted by the widget with the
colour of its text, so an icon always has the contrast of that text. Redraw
them with `python -m kiosk.ui.icons` after changing a drawing here.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Callable

from PIL import Image, ImageDraw

SIZE = 128          # size of the committed PNG
_S = 4              # supersampling factor while drawing
_W = SIZE * _S
WHITE = (255, 255, 255, 255)


def icons_dir() -> Path:
    here = Path(__file__).resolve()
    for candidate in (here.parents[2] / "assets" / "icons", here.parents[1] / "assets" / "icons"):
        if candidate.is_dir():
            return candidate
    return here.parents[2] / "assets" / "icons"


def icon_path(name: str) -> Path:
    return icons_dir() / f"{name}.png"


def _u(v: float) -> float:
    """Drawing units: 0..100 across the icon."""
    return v * _W / 100


def _line(d: ImageDraw.ImageDraw, pts, width=9.0) -> None:
    pts = [(_u(x), _u(y)) for x, y in pts]
    d.line(pts, fill=WHITE, width=int(_u(width)), joint="curve")
    r = _u(width) / 2
    for x, y in (pts[0], pts[-1]):
        d.ellipse((x - r, y - r, x + r, y + r), fill=WHITE)


def _poly(d, pts) -> None:
    d.polygon([(_u(x), _u(y)) for x, y in pts], fill=WHITE)


def _ring(d, cx, cy, r, width=8.0) -> None:
    d.ellipse((_u(cx - r), _u(cy - r), _u(cx + r), _u(cy + r)), outline=WHITE, width=int(_u(width)))


def _disc(d, cx, cy, r, fill=WHITE) -> None:
    d.ellipse((_u(cx - r), _u(cy - r), _u(cx + r), _u(cy + r)), fill=fill)


def _rect(d, x0, y0, x1, y1, fill=WHITE, radius=0.0) -> None:
    d.rounded_rectangle((_u(x0), _u(y0), _u(x1), _u(y1)), radius=_u(radius), fill=fill)


CLEAR = (0, 0, 0, 0)


def _back(d):
    _line(d, [(84, 50), (20, 50)], 11)
    _line(d, [(44, 24), (18, 50), (44, 76)], 11)


def _next_arrow(d):
    _line(d, [(16, 50), (80, 50)], 11)
    _line(d, [(56, 24), (82, 50), (56, 76)], 11)


def _home(d):
    _poly(d, [(50, 10), (94, 50), (82, 50), (82, 90), (60, 90), (60, 64), (40, 64), (40, 90), (18, 90),
              (18, 50), (6, 50)])


def _listen(d):
    _poly(d, [(8, 36), (26, 36), (48, 16), (48, 84), (26, 64), (8, 64)])
    for r in (16, 30):
        d.arc((_u(50 - r), _u(50 - r), _u(50 + r), _u(50 + r)), -50, 50, fill=WHITE, width=int(_u(8)))


def _voice_off(d):
    _poly(d, [(8, 36), (26, 36), (48, 16), (48, 84), (26, 64), (8, 64)])
    _line(d, [(62, 36), (90, 64)], 8)
    _line(d, [(90, 36), (62, 64)], 8)


def _stop(d):
    _rect(d, 20, 20, 80, 80, radius=8)


def _repeat(d):
    # a circle arrow going round once more
    d.arc((_u(14), _u(14), _u(86), _u(86)), 40, 330, fill=WHITE, width=int(_u(10)))
    _poly(d, [(92, 20), (66, 35), (90, 48)])


def _text_size(d):
    # a small A and a big A, drawn as strokes
    _line(d, [(6, 82), (20, 48), (34, 82)], 7)
    _line(d, [(11, 70), (29, 70)], 6)
    _line(d, [(40, 90), (66, 14), (92, 90)], 10)
    _line(d, [(50, 66), (82, 66)], 9)


def _help(d):
    # a person with a raised hand: someone comes to help
    _disc(d, 38, 20, 12)
    _rect(d, 24, 38, 52, 70, radius=8)
    _rect(d, 26, 62, 36, 94, radius=4)
    _rect(d, 40, 62, 50, 94, radius=4)
    _line(d, [(50, 44), (66, 30), (74, 10)], 9)
    _line(d, [(26, 44), (14, 62)], 9)


def _question(d):
    _ring(d, 50, 50, 42, 8)
    d.arc((_u(34), _u(22), _u(66), _u(54)), 180, 400, fill=WHITE, width=int(_u(9)))
    _line(d, [(58, 51), (50, 58), (50, 64)], 9)
    _disc(d, 50, 78, 6)


def _end(d):
    # a door and an arrow going out
    _rect(d, 10, 8, 56, 92, radius=4)
    _rect(d, 18, 16, 48, 84, fill=CLEAR)
    _disc(d, 40, 52, 4)
    _line(d, [(52, 50), (90, 50)], 9)
    _line(d, [(74, 34), (90, 50), (74, 66)], 9)


def _check(d):
    _line(d, [(14, 52), (38, 76), (88, 24)], 12)


def _close(d):
    _line(d, [(20, 20), (80, 80)], 12)
    _line(d, [(80, 20), (20, 80)], 12)


def _prev(d):
    _line(d, [(64, 14), (30, 50), (64, 86)], 13)


def _next(d):
    _line(d, [(36, 14), (70, 50), (36, 86)], 13)


def _display(d):
    # a half-filled circle: light and dark colours
    _ring(d, 50, 50, 40, 8)
    d.pieslice((_u(10), _u(10), _u(90), _u(90)), 90, 270, fill=WHITE)


def _warning(d):
    _poly(d, [(50, 6), (96, 90), (4, 90)])
    _rect(d, 45, 32, 55, 64, fill=CLEAR, radius=3)
    _disc(d, 50, 76, 6, fill=CLEAR)


def _error(d):
    _disc(d, 50, 50, 44)
    _rect(d, 44, 20, 56, 60, fill=CLEAR, radius=4)
    _disc(d, 50, 74, 7, fill=CLEAR)


def _info(d):
    _disc(d, 50, 50, 44)
    _disc(d, 50, 27, 7, fill=CLEAR)
    _rect(d, 44, 42, 56, 80, fill=CLEAR, radius=4)


def _clock(d):
    _ring(d, 50, 50, 42, 8)
    _line(d, [(50, 22), (50, 50), (70, 62)], 8)


def _language(d):
    # two speech bubbles
    _rect(d, 6, 10, 62, 50, radius=10)
    _poly(d, [(16, 46), (16, 64), (32, 48)])
    _rect(d, 40, 42, 94, 80, radius=10)
    _rect(d, 46, 48, 88, 74, fill=CLEAR, radius=6)
    _poly(d, [(82, 78), (84, 94), (68, 78)])


def _minus(d):
    _line(d, [(18, 50), (82, 50)], 12)


def _plus(d):
    _line(d, [(18, 50), (82, 50)], 12)
    _line(d, [(50, 18), (50, 82)], 12)




ICONS: dict[str, Callable[[ImageDraw.ImageDraw], None]] = {
    "back": _back, "forward": _next_arrow, "home": _home, "listen": _listen, "voice_off": _voice_off,
    "stop": _stop, "repeat": _repeat,
    "text_size": _text_size, "help": _help, "question": _question, "end": _end, "check": _check,
    "close": _close, "prev": _prev, "next": _next, "display": _display, "warning": _warning,
    "error": _error, "info": _info, "clock": _clock, "language": _language, "minus": _minus,
    "plus": _plus,
}


# -- documents: a page, a hidden document, zoom, parts of a page ------------------------------
def _document(d):
    # a sheet with its corner folded, and three lines of writing
    _poly(d, [(18, 6), (62, 6), (84, 28), (84, 94), (18, 94)])
    _poly(d, [(60, 6), (60, 30), (84, 30)])
    d.polygon([(_u(62), _u(8)), (_u(62), _u(28)), (_u(82), _u(28))], fill=CLEAR)
    for y in (46, 62, 78):
        _rect(d, 28, y - 3, 74, y + 3, fill=CLEAR, radius=2)


def _hidden(d):
    # an eye with a line across it: "the professionals do not see it"
    d.ellipse((_u(6), _u(26), _u(94), _u(74)), outline=WHITE, width=int(_u(8)))
    _disc(d, 50, 50, 13)
    _line(d, [(14, 88), (86, 12)], 14)
    _line(d, [(14, 88), (86, 12)], 6)
    d.line([(_u(20), _u(92)), (_u(92), _u(18))], fill=CLEAR, width=int(_u(5)))


def _magnifier(d):
    _ring(d, 40, 40, 30, 9)
    _line(d, [(62, 62), (90, 90)], 13)


def _zoom_in(d):
    _magnifier(d)
    _line(d, [(26, 40), (54, 40)], 8)
    _line(d, [(40, 26), (40, 54)], 8)


def _zoom_out(d):
    _magnifier(d)
    _line(d, [(26, 40), (54, 40)], 8)


def _up(d):
    _line(d, [(50, 86), (50, 20)], 11)
    _line(d, [(24, 44), (50, 18), (76, 44)], 11)


def _down(d):
    _line(d, [(50, 14), (50, 80)], 11)
    _line(d, [(24, 56), (50, 82), (76, 56)], 11)


ICONS.update({"document": _document, "hidden": _hidden, "zoom_in": _zoom_in, "zoom_out": _zoom_out,
              "up": _up, "down": _down})


# -- messages: a closed and an open envelope, a paper clip, a keyboard, send, reply -----------
def _mail(d):
    # a closed envelope (not read yet): a filled body with the flap drawn in the background colour
    _rect(d, 6, 20, 94, 80, radius=6)
    d.line([(_u(12), _u(26)), (_u(50), _u(56)), (_u(88), _u(26))], fill=CLEAR, width=int(_u(7)), joint="curve")


def _mail_open(d):
    # an open envelope (read): the flap is up, and the envelope is drawn as an outline
    d.line([(_u(8), _u(44)), (_u(50), _u(10)), (_u(92), _u(44))], fill=WHITE, width=int(_u(7)), joint="curve")
    d.rounded_rectangle((_u(8), _u(44), _u(92), _u(92)), radius=_u(5), outline=WHITE, width=int(_u(7)))
    d.line([(_u(12), _u(48)), (_u(50), _u(74)), (_u(88), _u(48))], fill=WHITE, width=int(_u(7)), joint="curve")


def _paperclip(d):
    w = int(_u(7))
    d.arc((_u(30), _u(4), _u(70), _u(44)), 180, 360, fill=WHITE, width=w)
    d.arc((_u(30), _u(60), _u(70), _u(96)), 0, 180, fill=WHITE, width=w)
    d.line([(_u(30) + w / 2, _u(24)), (_u(30) + w / 2, _u(78))], fill=WHITE, width=w)
    d.line([(_u(70) - w / 2, _u(24)), (_u(70) - w / 2, _u(78))], fill=WHITE, width=w)
    d.arc((_u(40), _u(14), _u(60), _u(34)), 180, 360, fill=WHITE, width=w)
    d.line([(_u(40) + w / 2, _u(24)), (_u(40) + w / 2, _u(70))], fill=WHITE, width=w)
    d.line([(_u(60) - w / 2, _u(24)), (_u(60) - w / 2, _u(80))], fill=WHITE, width=w)


def _keyboard(d):
    _rect(d, 4, 22, 96, 80, radius=8)
    for row, y in enumerate((32, 46)):
        for i in range(6):
            x = 12 + i * 13 + (row * 6)
            _rect(d, x, y, x + 9, y + 9, fill=CLEAR, radius=2)
    _rect(d, 24, 62, 76, 70, fill=CLEAR, radius=2)


def _send(d):
    # a paper plane going right
    _poly(d, [(6, 44), (94, 10), (58, 92), (46, 58)])
    d.line([(_u(46), _u(58)), (_u(94), _u(10))], fill=CLEAR, width=int(_u(5)))


def _reply(d):
    # an arrow going back to the left, curved: an answer
    d.arc((_u(22), _u(30), _u(92), _u(100)), 270, 360, fill=WHITE, width=int(_u(11)))
    _line(d, [(57, 35), (26, 35)], 11)
    _line(d, [(44, 14), (22, 35), (44, 56)], 11)
    _line(d, [(87, 65), (87, 86)], 11)


ICONS.update({"mail": _mail, "mail_open": _mail_open, "paperclip": _paperclip, "keyboard": _keyboard,
              "send": _send, "reply": _reply})


def draw(name: str) -> Image.Image:
    big = Image.new("RGBA", (_W, _W), CLEAR)
    ICONS[name](ImageDraw.Draw(big))
    return big.resize((SIZE, SIZE), Image.LANCZOS)


def generate(folder: Path | None = None) -> list[Path]:
    folder = folder or icons_dir()
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name in ICONS:
        path = folder / f"{name}.png"
        draw(name).save(path, optimize=False)
        written.append(path)
    return written


if __name__ == "__main__":  # pragma: no cover
    for p in generate():
        print(p.name)
