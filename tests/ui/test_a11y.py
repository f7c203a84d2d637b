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


def _problems(screen_states, names, *, theme: str, size: int, lang: str = "fr") -> list[str]:
    """The checker's findings on each picture in this language, theme and size (each state built once a run)."""
    problems = []
    for name in names:
        state = screen_states.get(name, lang=lang, theme=theme, size=size)
        problems += [f"{name} {lang} {theme} {size}: {p}" for p in state.problems]
    return problems


@pytest.mark.parametrize("size", list(TEXT_SIZES))
def test_every_screen_passes_at_every_text_size(pilot, screen_states, size):
    names = _all_shots()
    assert {"welcome", "home", "end", "help", "display", "warning", "confirm-finish"} <= set(names)
    assert _problems(screen_states, names, theme="standard", size=size) == []


@pytest.mark.parametrize("theme", [t for t in THEMES if t != "standard"])
def test_every_screen_passes_in_the_other_themes(pilot, screen_states, theme):
    """Themes change colours only (their contrast is checked above), so every screen once, at the largest size."""
    assert _problems(screen_states, _all_shots(), theme=theme, size=max(TEXT_SIZES)) == []


@pytest.mark.parametrize("size", [min(TEXT_SIZES), max(TEXT_SIZES)])
def test_english_screens_pass_at_the_smallest_and_largest_sizes(pilot, screen_states, size):
    """The smallest size too: the voice check over every screen builds those English states anyway."""
    assert _problems(screen_states, _all_shots(), lang="en", theme="standard", size=size) == []


def test_the_shared_screen_states_report_a_broken_screen(pilot, screen_states):
    """The states the checks share are checked for real: a screen with an unreadable label is reported."""
    from kivy.uix.label import Label

    from kiosk.ui.screen import SHOTS, register_shot

    bad = Label(text="Sans protocole")

    def setup(app):
        SHOTS["home"].setup(app)
        app.nav.current.add_widget(bad)

    register_shot("test.broken", setup)
    try:
        state = screen_states.get("test.broken", size=2)
        assert any(p.startswith("protocol.missing") and "Sans protocole" in p for p in state.problems)
        assert screen_states.get("test.broken", size=2) is state          # built once, then shared
        assert screen_states.get("home", size=2).problems == ()
    finally:
        del SHOTS["test.broken"]
        if bad.parent is not None:
            bad.parent.remove_widget(bad)
        for key in [k for k in screen_states.built if k[0] == "test.broken"]:
            del screen_states.built[key]


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
