"""The accessibility checker over every screen and overlay × theme × text size, and proof it can fail."""

from __future__ import annotations

import pytest

from kiosk.settings import TEXT_SIZES, THEMES
from kiosk.ui import theme as th


def test_themes_meet_the_contrast_rules():
    assert len(th.THEMES) >= 3 and set(THEMES) <= set(th.THEMES)
    for theme in th.THEMES.values():
        assert th.theme_problems(theme) == []
    standard, high = th.THEMES["standard"], th.THEMES["contraste"]
    assert th.relative_luminance(standard.bg) > th.relative_luminance(standard.text)   # dark on light
    assert high.bg == (0.0, 0.0, 0.0) and th.relative_luminance(high.text) > 0.9       # light on black


def test_contrast_formula():
    assert th.contrast_ratio((1, 1, 1), (0, 0, 0)) == pytest.approx(21.0)
    assert th.contrast_ratio(th.hex_rgb("#767676"), (1, 1, 1)) == pytest.approx(4.54, abs=0.01)


def test_text_sizes_and_capital_height():
    ppm = 1920 / 344
    base = th.base_font_px(ppm)
    assert th.cap_height_mm(base, ppm) >= th.MIN_BODY_CAP_MM
    assert th.TEXT_SCALES[max(TEXT_SIZES)] >= 2 * th.TEXT_SCALES[1]
    assert th.CAP_RATIO == pytest.approx(0.668, abs=0.001)


def test_cap_height_measured_on_the_rendered_glyph(kiosk_app):
    """The font metric agrees with what Kivy draws: the ink height of 'H'."""
    from kivy.core.text import Label as CoreLabel

    label = CoreLabel(text="H", font_size=200, font_name=th.FONT_NAME)
    label.refresh()
    texture = label.texture
    w, h = texture.size
    pixels = texture.pixels
    rows = [y for y in range(h) if any(pixels[(y * w + x) * 4 + 3] > 128 for x in range(w))]
    ink = max(rows) - min(rows) + 1
    assert ink == pytest.approx(200 * th.CAP_RATIO, abs=2)


def _all_shots():
    from kiosk.ui.shots import shot_names

    return shot_names()


def _problems(pilot, names, *, theme: str, size: int, lang: str = "fr") -> list[str]:
    from kiosk.ui.a11y_check import check_app
    from kiosk.ui.screen import SHOTS

    app = pilot.app
    problems = []
    for name in names:
        pilot.reset()
        app.set_prefs(lang=lang, theme=theme, text_size=size)
        SHOTS[name].setup(app)
        app.set_prefs(lang=lang, theme=theme, text_size=size)
        pilot.pump(3)
        problems += [f"{name} {theme} {size}: {p}" for p in check_app(app)]
    return problems


@pytest.mark.parametrize("size", list(TEXT_SIZES))
def test_every_screen_passes_at_every_text_size(pilot, size):
    names = _all_shots()
    assert {"welcome", "home", "end", "help", "display", "warning", "confirm-finish"} <= set(names)
    assert _problems(pilot, names, theme="standard", size=size) == []


@pytest.mark.parametrize("theme", [t for t in THEMES if t != "standard"])
def test_every_screen_passes_in_the_other_themes(pilot, theme):
    """Themes change colours only (their contrast is checked above), so every screen once, at the largest size."""
    assert _problems(pilot, _all_shots(), theme=theme, size=max(TEXT_SIZES)) == []


def test_english_screens_pass_at_the_largest_size(pilot):
    from kiosk.ui.a11y_check import check_app
    from kiosk.ui.screen import SHOTS

    problems = []
    for name in _all_shots():
        pilot.reset()
        pilot.app.set_prefs(lang="en", text_size=max(TEXT_SIZES))
        SHOTS[name].setup(pilot.app)
        pilot.pump(3)
        problems += [f"{name}: {p}" for p in check_app(pilot.app)]
    assert problems == []


def test_checker_fails_on_bad_widgets(pilot):
    """A deliberately bad screen: every rule must be caught."""
    from kivy.uix.floatlayout import FloatLayout
    from kivy.uix.label import Label

    from kiosk.ui.a11y_check import check_widgets
    from kiosk.ui.widgets import A11y, Button, Text

    lk = pilot.app.look
    ppm = lk.px_per_mm

    class GreyText(Text):
        def a11y(self):
            info = super().a11y()
            info.fg, info.bg = th.hex_rgb("#999999"), th.hex_rgb("#FFFFFF")   # 2.8:1
            return info

    class PaleButton(Button):
        def a11y(self):
            info = super().a11y()
            info.edge = info.bg = th.hex_rgb("#F0F0F0")
            info.backdrop = th.hex_rgb("#FFFFFF")
            return info

    class TinyText(Text):
        def a11y(self):
            info = super().a11y()
            info.font_px = 20.0
            return info

    root = FloatLayout(size=(1920, 1080), size_hint=(None, None))
    grey = GreyText(raw="Gris", size_hint=(None, None), size=(400, 100), pos=(10, 900))
    tiny = TinyText(raw="Petit", size_hint=(None, None), size=(400, 100), pos=(10, 700))
    clipped = Text(raw="Un texte beaucoup trop long pour sa boîte", size_hint=(None, None), pos=(600, 900))
    small = Button(raw="OK", size_hint=(None, None), size=(ppm * 10, ppm * 30), pos=(10, 100))
    close_a = Button(raw="A", size_hint=(None, None), size=(ppm * 25, ppm * 25), pos=(400, 100))
    close_b = Button(raw="B", size_hint=(None, None), size=(ppm * 25, ppm * 25), pos=(400 + ppm * 26, 100))
    mute = Button(raw="", icon="help", size_hint=(None, None), size=(ppm * 25, ppm * 25), pos=(1000, 100))
    pale = PaleButton(raw="Pâle", size_hint=(None, None), size=(ppm * 25, ppm * 25), pos=(1400, 100))
    over_a = Text(raw="Dessus", size_hint=(None, None), size=(300, 80), pos=(10, 500))
    over_b = Text(raw="Dessous", size_hint=(None, None), size=(300, 80), pos=(40, 510))
    plain = Label(text="Sans protocole", pos=(1000, 600))
    for w in (grey, tiny, clipped, small, close_a, close_b, mute, pale, over_a, over_b, plain):
        root.add_widget(w)
    clipped.size = (200, 40)
    clipped.texture_update()
    problems = check_widgets([root], px_per_mm=ppm, default_size=True, screen_size=(1920, 1080))
    rules = {(p.rule, p.where.split("(")[1].split(")")[0].strip("'")) for p in problems}
    assert ("contrast.text", "Gris") in rules
    assert ("text.cap_height", "Petit") in rules
    assert any(r == "text.clipped" and w.startswith("Un texte") for r, w in rules)
    assert ("target.size", "OK") in rules
    assert any(p.rule == "target.gap" and "'A'" in p.where and "'B'" in p.where for p in problems)
    assert ("label.missing", "") in rules
    assert ("contrast.control", "Pâle") in rules
    assert any(p.rule == "text.overlap" and "Dessus" in p.where for p in problems)
    assert ("protocol.missing", "Sans protocole") in rules
    # and a good widget alone passes
    good_root = FloatLayout(size=(1920, 1080), size_hint=(None, None))
    good = Button(raw="Bien", size_hint=(None, None), size=(ppm * 40, ppm * 22), pos=(100, 100))
    good_root.add_widget(good)
    assert check_widgets([good_root], px_per_mm=ppm, default_size=True, screen_size=(1920, 1080)) == []
    assert isinstance(good.a11y(), A11y)
