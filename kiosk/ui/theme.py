"""Colours, fonts and sizes of the kiosk, with the measures the rules are checked by.

Nothing here draws: widgets ask the current `Look` (kiosk.ui.look) for a colour
role or a font size. Contrast uses the WCAG 2 relative-luminance formula.
"""

from __future__ import annotations

import math
import struct
from dataclasses import dataclass, fields
from functools import lru_cache
from pathlib import Path

import fontpkg_atkinson_hyperlegible as _font_pkg

RGB = tuple[float, float, float]

FONT_NAME = "Atkinson"
FONT_DIR = Path(_font_pkg.ROOT) / "files"
FONT_REGULAR = FONT_DIR / "AtkinsonHyperlegible-Regular.ttf"
FONT_BOLD = FONT_DIR / "AtkinsonHyperlegible-Bold.ttf"

#: The rules of DESIGN.md "Rules for every screen", in millimetres and ratios.
MIN_BODY_CAP_MM = 6.1       # EN 301 549 5.1.4 at 500 mm, default text size
TARGET_BODY_CAP_MM = 6.3    # what the kit aims for: a little above the minimum
MIN_TARGET_MM = 15.0
MIN_MAIN_TARGET_MM = 20.0
MIN_TARGET_GAP_MM = 3.0
MIN_TEXT_CONTRAST = 7.0     # WCAG 1.4.6
MIN_CONTROL_CONTRAST = 3.0  # WCAG 1.4.11

#: Text size step (1 to 4) -> scale of the body text. The largest is 2 x the default.
TEXT_SCALES = {1: 1.0, 2: 1.3, 3: 1.6, 4: 2.0}


# --- font metrics ---------------------------------------------------------------------------

@dataclass(frozen=True)
class FontMetrics:
    units_per_em: int
    cap_height: int
    ascender: int
    descender: int

    @property
    def cap_ratio(self) -> float:
        """Capital height / font size (Kivy's font_size is the em size in pixels)."""
        return self.cap_height / self.units_per_em


@lru_cache(maxsize=None)
def font_metrics(path: Path = FONT_REGULAR) -> FontMetrics:
    """Read head / hhea / OS/2 straight from the TrueType file (no extra dependency)."""
    data = path.read_bytes()
    count = struct.unpack(">H", data[4:6])[0]
    tables = {}
    for i in range(count):
        tag, _sum, offset, length = struct.unpack(">4sIII", data[12 + 16 * i: 28 + 16 * i])
        tables[tag.decode("latin-1")] = offset
    head, hhea, os2 = tables["head"], tables["hhea"], tables["OS/2"]
    units = struct.unpack(">H", data[head + 18: head + 20])[0]
    ascender, descender = struct.unpack(">hh", data[hhea + 4: hhea + 8])
    version = struct.unpack(">H", data[os2: os2 + 2])[0]
    if version < 2:  # pragma: no cover - the shipped font has version 4
        raise ValueError("font without a capital height")
    cap = struct.unpack(">h", data[os2 + 88: os2 + 90])[0]
    return FontMetrics(units, cap, ascender, descender)


CAP_RATIO = font_metrics().cap_ratio


def cap_height_mm(font_px: float, px_per_mm: float) -> float:
    return font_px * CAP_RATIO / px_per_mm


def base_font_px(px_per_mm: float) -> int:
    """Body font size at text size 1: capital height TARGET_BODY_CAP_MM on this screen."""
    return math.ceil(TARGET_BODY_CAP_MM * px_per_mm / CAP_RATIO)


def register_fonts() -> None:
    """Atkinson Hyperlegible, regular and bold. No italics: they never carry meaning here."""
    from kivy.core.text import LabelBase

    LabelBase.register(name=FONT_NAME, fn_regular=str(FONT_REGULAR), fn_bold=str(FONT_BOLD))


# --- colours --------------------------------------------------------------------------------

def hex_rgb(value: str) -> RGB:
    value = value.lstrip("#")
    return tuple(int(value[i: i + 2], 16) / 255 for i in (0, 2, 4))  # type: ignore[return-value]


def relative_luminance(rgb: RGB) -> float:
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(a: RGB, b: RGB) -> float:
    la, lb = relative_luminance(a), relative_luminance(b)
    hi, lo = max(la, lb), min(la, lb)
    return (hi + 0.05) / (lo + 0.05)


@dataclass(frozen=True)
class Theme:
    """Colour roles. Each `*_text` role is read on the background role of the same prefix."""

    name: str
    bg: RGB              # screen background
    text: RGB            # text and icons on bg
    bar_bg: RGB          # top and bottom bars
    bar_text: RGB
    bar_edge: RGB        # line between the bars and the content
    surface: RGB         # dialogs and panels
    surface_text: RGB
    surface_edge: RGB    # border of a dialog
    btn_bg: RGB          # ordinary button: filled, with a border
    btn_text: RGB
    btn_edge: RGB
    primary_bg: RGB      # the main action of a screen
    primary_text: RGB
    error_bg: RGB
    error_text: RGB
    error_edge: RGB
    info_bg: RGB
    info_text: RGB
    info_edge: RGB
    scrim: tuple[float, float, float, float]  # veil behind a dialog

    def pairs(self) -> dict[str, tuple[RGB, RGB]]:
        """(foreground, background) of every text role."""
        return {
            "text": (self.text, self.bg),
            "bar_text": (self.bar_text, self.bar_bg),
            "surface_text": (self.surface_text, self.surface),
            "btn_text": (self.btn_text, self.btn_bg),
            "primary_text": (self.primary_text, self.primary_bg),
            "error_text": (self.error_text, self.error_bg),
            "info_text": (self.info_text, self.info_bg),
        }

    def role(self, name: str) -> RGB:
        return getattr(self, name)


def _theme(name: str, **colours: str) -> Theme:
    values = {}
    for f in fields(Theme):
        if f.name == "name":
            continue
        raw = colours[f.name]
        if f.name == "scrim":
            rgb = hex_rgb(raw[:7])
            values[f.name] = (*rgb, int(raw[7:9], 16) / 255)
        else:
            values[f.name] = hex_rgb(raw)
    return Theme(name=name, **values)


THEMES: dict[str, Theme] = {
    # Dark on a warm light paper, calm blue for the main action.
    "standard": _theme(
        "standard",
        bg="#F4F1EA", text="#1B1B1B",
        bar_bg="#E2DDD2", bar_text="#1B1B1B", bar_edge="#6B6456",
        surface="#FFFFFF", surface_text="#1B1B1B", surface_edge="#4A4A4A",
        btn_bg="#FFFFFF", btn_text="#1B1B1B", btn_edge="#4A4A4A",
        primary_bg="#0A4A7A", primary_text="#FFFFFF",
        error_bg="#FBE4E0", error_text="#5C0D07", error_edge="#A3261B",
        info_bg="#E1ECF6", info_text="#0B2A48", info_edge="#2F5F8F",
        scrim="#000000A0",
    ),
    # High contrast: white on black, yellow main action.
    "contraste": _theme(
        "contraste",
        bg="#000000", text="#FFFFFF",
        bar_bg="#000000", bar_text="#FFFFFF", bar_edge="#FFFFFF",
        surface="#000000", surface_text="#FFFFFF", surface_edge="#FFFFFF",
        btn_bg="#000000", btn_text="#FFFFFF", btn_edge="#FFFFFF",
        primary_bg="#FFE600", primary_text="#000000",
        error_bg="#000000", error_text="#FFFFFF", error_edge="#FF8A80",
        info_bg="#000000", info_text="#FFFFFF", info_edge="#80D8FF",
        scrim="#000000D0",
    ),
    # For light-sensitive eyes: warm cream on dark warm grey, amber main action, no pure white.
    "doux": _theme(
        "doux",
        bg="#2A2420", text="#F0E2C4",
        bar_bg="#1F1A17", bar_text="#F0E2C4", bar_edge="#8C7A5E",
        surface="#352D28", surface_text="#F0E2C4", surface_edge="#B89B6A",
        btn_bg="#352D28", btn_text="#F0E2C4", btn_edge="#B89B6A",
        primary_bg="#E2B15A", primary_text="#1E1915",
        error_bg="#3D2520", error_text="#FFD8C8", error_edge="#E0896A",
        info_bg="#26302F", info_text="#E6E0CE", info_edge="#8FB3A8",
        scrim="#000000B0",
    ),
}


def theme_problems(theme: Theme) -> list[str]:
    """Every colour pair of a theme that breaks 7:1 (text) or 3:1 (control edges)."""
    problems = []
    for role, (fg, bg) in theme.pairs().items():
        ratio = contrast_ratio(fg, bg)
        if ratio < MIN_TEXT_CONTRAST:
            problems.append(f"{theme.name}.{role}: {ratio:.2f}:1")
    edges = {
        "btn_edge/bg": (theme.btn_edge, theme.bg),
        "btn_edge/surface": (theme.btn_edge, theme.surface),
        "primary_bg/bg": (theme.primary_bg, theme.bg),
        "primary_bg/surface": (theme.primary_bg, theme.surface),
        "surface_edge/scrim-bg": (theme.surface_edge, theme.bg),
        "bar_edge/bg": (theme.bar_edge, theme.bg),
        "error_edge/bg": (theme.error_edge, theme.bg),
        "info_edge/bg": (theme.info_edge, theme.bg),
    }
    for role, (fg, bg) in edges.items():
        ratio = contrast_ratio(fg, bg)
        if ratio < MIN_CONTROL_CONTRAST:
            problems.append(f"{theme.name}.{role}: {ratio:.2f}:1")
    return problems
