"""`kiosk shots`: pictures reached through the kiosk's own buttons, with the way back and the bands."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from PIL import Image

HELPER_PICTURES = ("home", "sign_in", "documents.viewer", "messages.thread", "agenda.appointment", "help")


def _take(pilot, name: str, band: str = "none"):
    from kiosk.ui.screen import SHOTS
    from kiosk.ui.shot_states.drive import with_band
    from kiosk.ui.shots import shot_names

    shot_names()
    pilot.reset(pump=False)
    with with_band(pilot.app, band):
        SHOTS[name].setup(pilot.app)
    pilot.pump()


def _bands(app):
    return [b for b in app.shell.bands.children if getattr(b, "name", "")]


def _ocr_band(path, band, shell) -> str:
    """The words tesseract reads in the band's strip of the picture (French)."""
    image = Image.open(path)
    scale = image.height / shell.height
    top, bottom = int((shell.top - band.top) * scale), int((shell.top - band.y) * scale)
    strip = path.with_name(path.stem + "-band.png")
    image.crop((0, max(0, top), image.width, min(image.height, bottom))).save(strip)
    result = subprocess.run(["tesseract", str(strip), "stdout", "-l", "fra"], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    return " ".join(result.stdout.split())


def test_every_screen_has_a_picture(kiosk_app):
    from kiosk.ui.screen import SCREENS, SHOTS
    from kiosk.ui.shots import shot_names

    names = shot_names()
    assert names == sorted(names, key=lambda n: (SHOTS[n].order, n))
    missing = [n for n in SCREENS if n not in SHOTS and not n.startswith("test.")]
    assert missing == []


def test_a_picture_reached_through_a_list_shows_retour_and_home_does_not(pilot):
    app = pilot.app
    _take(pilot, "documents.viewer")
    assert app.nav.current.name == "documents.viewer"
    assert app.nav.history, "the viewer was reached from Home, the categories and the list"
    shown = {b.name for b in pilot.buttons()}
    assert {"bar.back", "bar.home"} <= shown
    pilot.tap("bar.back")                      # Retour leads where the person came from
    assert app.nav.current.name == "documents.list"
    _take(pilot, "home")
    assert app.nav.current.name == "home"
    assert "bar.back" not in {b.name for b in pilot.buttons()}


@pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract-ocr is installed by the set-up")
def test_pictures_under_the_helper_band_show_it(pilot, tmp_path):
    from kiosk.ui.screens.assisted import AssistedBand
    from kiosk.ui.widgets import is_shown

    app = pilot.app
    read = {}
    for name in HELPER_PICTURES:
        _take(pilot, name, band="helper")
        bands = _bands(app)
        assert [type(b) for b in bands] == [AssistedBand], name
        assert bands[0].button is not None and bands[0].button.text == "Arrêter l'accompagnement", name
        assert is_shown(bands[0].button), name
        if name in ("home", "documents.viewer"):  # what the picture shows, read back from its pixels
            path = pilot.screenshot(tmp_path / f"{name}.png")
            read[name] = _ocr_band(path, bands[0], app.shell)
    for name, words in read.items():
        assert "Accompagné" in words and "Arrêter" in words, (name, words)
    _take(pilot, "documents.viewer", band="helper")
    assert "bar.back" in {b.name for b in pilot.buttons()}  # the way back is there under the band too


def test_pictures_under_the_training_band_show_it_and_none_without(pilot):
    app = pilot.app
    _take(pilot, "documents", band="training")
    assert [b.name for b in _bands(app)] == ["training.band"]
    assert app.nav.current.name == "documents"
    _take(pilot, "documents")
    assert _bands(app) == []


def test_render_names_the_bands_and_leaves_out_what_cannot_be_under_one(pilot, tmp_path):
    from kiosk.ui.shots import render

    done = render(pilot.app.services, tmp_path, langs=["fr"], themes=["standard"], sizes=[4],
                  only=["welcome", "home"], bands=["none", "helper"])
    assert sorted(p.name for p in done.written) == ["home--fr--standard--4--helper.png",
                                                     "home--fr--standard--4--none.png",
                                                     "welcome--fr--standard--4--none.png"]
    assert done.skipped == {"helper": ["welcome"]}
    assert _bands(pilot.app) == []  # after the pictures, the kiosk waits for the next person


def test_a_set_up_that_goes_astray_says_so(pilot):
    from kiosk.ui.shot_states.drive import on_screen, press

    with pytest.raises(LookupError, match="no button 'home.feature.documents' on 'welcome'"):
        press(pilot.app, "home.feature.documents")
    with pytest.raises(AssertionError, match="reached 'welcome', not 'home'"):
        on_screen(pilot.app, "home")
