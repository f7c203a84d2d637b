"""Sign-in tapped through under Xvfb on the demo patients: identifier, wrong code, right code."""

from __future__ import annotations

from kiosk.core.flows.base import PATIENT_SESSION
from kiosk.services.backend.demo import demo_sign_in_code

RICH = "244039999900168"
CLOSED = "150119999900446"


def type_on_pad(pilot, digits: str) -> None:
    for d in digits:
        pilot.tap(f"pad.{d}")


def test_commencer_opens_the_sign_in_and_home_is_never_shown_before(pilot):
    app = pilot.app
    pilot.tap("Commencer")
    assert app.nav.current.name == "sign_in"
    assert not any(n.startswith("home.feature.") for n in (b.name for b in pilot.buttons()))
    type_on_pad(pilot, RICH[:4])
    pilot.tap("bar.home")  # Accueil before the sign-in: the start of the sign-in
    assert app.nav.current.name == "sign_in"
    type_on_pad(pilot, RICH[4:])
    pilot.tap("sign_in.next")
    assert app.nav.current.name == "sign_in.code"
    pilot.tap("bar.home")  # from the code step too: back to the identifier
    assert app.nav.current.name == "sign_in"
    assert not any(n.startswith("home.feature.") for n in (b.name for b in pilot.buttons()))


def test_wrong_code_then_right_code(pilot):
    app = pilot.app
    pilot.tap("Commencer")  # the sign-in at once
    assert app.nav.current.name == "sign_in"
    assert "Étape 1 sur 2" in pilot.texts(everywhere=True)
    type_on_pad(pilot, RICH[:4])
    assert "2 44 0" in pilot.texts()
    pilot.tap("pad.9")
    pilot.tap("pad.delete")
    assert "2 44 0" in pilot.texts()
    type_on_pad(pilot, RICH[4:])
    assert "2 44 03 99 999 001 68" in pilot.texts()
    pilot.tap("sign_in.next")
    assert app.nav.current.name == "sign_in.code"
    assert "Étape 2 sur 2" in pilot.texts(everywhere=True)
    right = demo_sign_in_code(RICH)
    wrong = "".join(str((int(c) + 1) % 10) for c in right)
    type_on_pad(pilot, wrong[:2])
    texts = pilot.texts()
    assert "2 chiffres tapés sur 6." in texts
    assert not any(wrong[:2] in t for t in texts)
    type_on_pad(pilot, wrong[2:])
    pilot.tap("sign_in.ok")
    assert app.nav.current.name == "sign_in.code"
    assert "Ce code n'est pas le bon. Vérifiez-le et réessayez." in pilot.texts()
    assert "0 chiffre tapé sur 6." in pilot.texts()
    assert PATIENT_SESSION not in app.session.data
    type_on_pad(pilot, right)
    assert not any(right in t for t in pilot.texts(everywhere=True))
    pilot.tap("sign_in.ok")
    assert PATIENT_SESSION in app.session.data
    assert app.nav.current.name == "home"
    names = [b.name for b in pilot.buttons()]
    assert "home.feature.sign_in" not in names
    assert "home.feature.agenda" in names


def test_code_is_never_spoken(pilot):
    app = pilot.app
    pilot.tap("Commencer")  # the sign-in at once
    type_on_pad(pilot, RICH)
    pilot.tap("sign_in.next")
    type_on_pad(pilot, demo_sign_in_code(RICH))
    description = app.describe()
    spoken = " ".join([description.title, *description.lines, *description.buttons])
    assert demo_sign_in_code(RICH) not in spoken.replace(" ", "")


def test_closed_space_shows_its_status(pilot):
    app = pilot.app
    pilot.tap("Commencer")  # the sign-in at once
    type_on_pad(pilot, CLOSED)
    pilot.tap("sign_in.next")
    type_on_pad(pilot, demo_sign_in_code(CLOSED))
    pilot.tap("sign_in.ok")
    assert app.nav.current.name == "sign_in.closed"
    assert "Vous ne pouvez pas voir vos documents ici." in pilot.texts()


def test_many_wrong_codes_pause_and_ask_for_help(pilot):
    app = pilot.app
    empty = "158069999900261"
    pilot.tap("Commencer")  # the sign-in at once
    type_on_pad(pilot, empty)
    pilot.tap("sign_in.next")
    right = demo_sign_in_code(empty)
    wrong = "".join(str((int(c) + 1) % 10) for c in right)
    for _ in range(10):
        if app.nav.current.name != "sign_in.code":
            break
        type_on_pad(pilot, wrong)
        pilot.tap("sign_in.ok")
    assert app.nav.current.name == "sign_in.paused"
    texts = pilot.texts()
    assert "Demandez de l'aide au comptoir." in texts
    assert any(t.startswith("Vous pourrez réessayer dans ") for t in texts)
    pilot.tap("sign_in.try_again")
    assert app.nav.current.name == "sign_in.paused"  # not before the end of the pause
    assert PATIENT_SESSION not in app.session.data


def test_the_whole_pad_is_on_screen_at_every_text_size(pilot):
    """Never a key on another page: the pad stays beside the words, whatever the size."""
    from kiosk.ui.screen import SHOTS

    app = pilot.app
    keys = {f"pad.{d}" for d in "0123456789"} | {"pad.delete", "pad.clear"}
    for size in (1, 2, 3, 4):
        for shot in ("sign_in", "sign_in.code", "sign_in.code.wrong"):
            pilot.reset()
            app.set_prefs(text_size=size)
            SHOTS[shot].setup(app)
            app.set_prefs(text_size=size)
            pilot.pump(3)
            shown = {b.name for b in pilot.buttons()}
            assert keys <= shown, (shot, size, keys - shown)
            assert "pager.next" not in shown, (shot, size)
            assert ("sign_in.ok" if "code" in shot else "sign_in.next") in shown, (shot, size)
    said = app.describe().spoken_text(app.look.catalog)
    assert "0 chiffre tapé sur 6." in said  # not shown at this size, still said
