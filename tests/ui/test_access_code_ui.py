"""Temporary code for a professional, tapped through under Xvfb on the demo patient."""

from __future__ import annotations

import pytest
import zxingcpp
from PIL import Image

from kiosk.core.flows.base import PATIENT_SESSION
from kiosk.services.backend.demo import demo_sign_in_code
from kiosk.ui.screens.access_code import time_left_text
from kiosk.ui.testing import stop_demo_codes

RICH = "244039999900168"


def sign_in(app, ins=RICH):
    backend = app.services.backend
    app.session.data[PATIENT_SESSION] = backend.finish_sign_in(backend.start_sign_in(ins).handle,
                                                               demo_sign_in_code(ins))
    stop_demo_codes(app)  # the demo space lives for the whole run: start with no active code


@pytest.fixture(autouse=True)
def clock_put_back(kiosk_app):
    """These tests move the shared FakeClock by hours: put it back for the tests after them."""
    start = kiosk_app.clock.now()
    yield
    kiosk_app.clock._now = start


def qr_texts(path) -> list[str]:
    return [r.text for r in zxingcpp.read_barcodes(Image.open(path).convert("L"))]


def test_no_tile_before_sign_in(pilot):
    pilot.tap("Commencer")
    names = [b.name for b in pilot.buttons()]
    assert "home.feature.access_code" not in names


def test_create_a_code_see_it_count_down_and_stop_it(pilot, shots_dir):
    app = pilot.app
    pilot.tap("Commencer")
    sign_in(app)
    app.nav.home()
    pilot.pump()
    pilot.tap("Donner un code à un professionnel")
    assert app.nav.current.name == "access_code"
    texts = pilot.texts()
    assert "Il verra vos documents, sauf les documents masqués." in texts
    assert "Pour combien de temps ?" in texts
    assert "Étape 1 sur 3" in pilot.texts(everywhere=True)
    pilot.tap("1 jour")
    screen = app.nav.current
    assert screen.name == "access_code.code"
    code = screen.flow.code
    assert code and len(code) >= 8
    texts = pilot.texts()
    assert "  ".join(screen.flow.code_groups) in texts
    left = screen.flow.seconds_left(app.clock.now())
    assert left == 86400  # one clock for the screen and the backend: the whole day is left
    before = [t for t in texts if t.startswith("Temps restant : ")]
    assert before == [time_left_text(left)]
    # the QR code: at least 6 cm wide, and it gives back exactly the code
    assert screen.qr.side_mm() >= 60
    assert screen.qr.width >= screen.qr.side_px()
    shot = pilot.screenshot(shots_dir / "code.png")
    assert qr_texts(shot) == [code]
    # never spoken
    described = app.describe()
    spoken = " ".join((described.title, *described.lines, *described.buttons))
    assert all(group not in spoken for group in screen.flow.code_groups)
    assert described.private
    # the countdown moves with the clock
    app.clock.advance(7200)
    app.session.activity()  # the person is still there (a touch)
    pilot.advance(1)
    after = [t for t in pilot.texts() if t.startswith("Temps restant : ")]
    assert after == [time_left_text(screen.flow.seconds_left(app.clock.now()))] and after != before
    assert " heures" in after[0]
    # stop it: a confirmation first; "Non" keeps it
    pilot.tap("Arrêter ce code")
    assert "Voulez-vous arrêter ce code ?" in pilot.texts()
    pilot.tap("Non, garder le code")
    assert app.nav.current.name == "access_code.code" and not app.overlays
    pilot.tap("Arrêter ce code")
    pilot.tap("Oui, arrêter le code")
    assert app.nav.current.name == "access_code.revoked"
    assert "Ce code est arrêté. Il ne marche plus." in pilot.texts()
    active = app.services.backend.list_access_codes(app.session.data[PATIENT_SESSION])
    assert all(c.code.replace("-", "") != code for c in active)


def test_code_is_registered_as_a_speech_secret(pilot):
    app = pilot.app
    registered = []

    class Policy:
        def register_secret(self, secret):
            registered.append(secret)

    class Speaker:
        policy = Policy()

    pilot.tap("Commencer")
    sign_in(app)
    app.services.speaker = Speaker()
    try:
        app.nav.show("access_code")
        pilot.pump()
        pilot.tap("1 heure")
        assert app.nav.current.flow.code in registered
    finally:
        app.services.speaker = None


def test_back_from_the_code_then_open_the_active_code(pilot):
    app = pilot.app
    pilot.tap("Commencer")
    sign_in(app)
    app.nav.home()
    pilot.pump()
    pilot.tap("home.feature.access_code")
    pilot.tap("1 semaine")
    code = app.nav.current.flow.code
    pilot.tap("bar.back")
    assert app.nav.current.name == "access_code"
    for _ in range(3):  # the active codes come after the choices, maybe on the next page
        if "Vos codes en cours" in pilot.texts():
            break
        pilot.tap("Suivant")
    assert "Vos codes en cours" in pilot.texts()
    pilot.tap(f"access_code.active.{app.nav.current.flow.active_codes[0].code}")
    assert app.nav.current.flow.code == code
    assert app.nav.current.name == "access_code.code"


def test_code_expiry_is_said(pilot):
    app = pilot.app
    pilot.tap("Commencer")
    sign_in(app)
    app.nav.show("access_code")
    pilot.pump()
    pilot.tap("1 semaine")
    flow = app.nav.current.flow
    left = flow.seconds_left(app.clock.now())
    assert left > 6 * 86400
    assert any(t.startswith("Temps restant : ") and " jours" in t for t in pilot.texts())
    app.clock.advance(left + 1)
    app.session.activity()
    pilot.advance(1)
    assert "Ce code ne marche plus." in pilot.texts()
    assert not any(t.startswith("Temps restant : ") for t in pilot.texts())


def test_time_left_words(pilot):
    assert time_left_text(3 * 86400 + 5 * 3600 + 7) == "Temps restant : 3 jours et 5 heures."
    assert time_left_text(3600 + 60) == "Temps restant : 1 heure et 1 minute."
    assert time_left_text(125) == "Temps restant : 2 minutes et 5 secondes."
