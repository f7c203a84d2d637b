"""Refuse or close the space, tapped through under Xvfb on the demo patients."""

from __future__ import annotations

import pytest

from kiosk.core.flows.base import PATIENT_SESSION
from kiosk.services.backend.demo import demo_sign_in_code

CLOSABLE = "172049999900717"
CLOSED = "150119999900446"


def sign_in(app, ins):
    backend = app.services.backend
    session = backend.finish_sign_in(backend.start_sign_in(ins).handle, demo_sign_in_code(ins))
    app.session.data[PATIENT_SESSION] = session
    return session


@pytest.fixture()
def space_put_back(kiosk_app):
    """The demo space lives for the whole run: give the closable patient an open space again."""
    saved = {}
    yield saved
    if saved:
        saved["state"].status = saved["status"]


def open_closure(pilot, ins):
    app = pilot.app
    pilot.tap("Commencer")
    assert "home.feature.closure" not in [b.name for b in pilot.buttons()]
    session = sign_in(app, ins)
    app.nav.home()
    pilot.pump()
    tile = "home.feature.closure"
    for _ in range(5):
        if tile in [b.name for b in pilot.buttons()]:
            break
        pilot.tap("pager.next")
    pilot.tap(tile)
    return session


def test_close_the_space_after_two_confirmations(pilot, space_put_back):
    app = pilot.app
    session = open_closure(pilot, CLOSABLE)
    backend = app.services.backend
    state = backend._state(session, any_status=True)
    space_put_back.update(state=state, status=state.status)
    assert app.nav.current.name == "closure"
    assert "Vous pouvez fermer votre espace santé, ou le refuser." in pilot.texts()
    pilot.tap("Fermer mon espace santé")
    assert "Fermer veut dire : votre espace santé s'arrête." in pilot.texts()
    pilot.tap("closure.next")
    assert "Vos documents sont gardés pendant 10 ans." in pilot.texts()
    assert "Si vous rouvrez votre espace, vous retrouvez vos documents." in pilot.texts()
    pilot.tap("closure.next")
    assert "Que faire de vos documents ?" in pilot.texts()
    # Retour goes back one step, the flow with it
    pilot.tap("bar.back")
    assert app.nav.current.name == "closure.documents"
    pilot.tap("closure.next")
    pilot.tap("Les garder 10 ans")
    assert "Voulez-vous vraiment fermer votre espace santé ?" in pilot.texts()
    assert "Étape 5 sur 6" in pilot.texts(everywhere=True)
    assert backend.get_space_status(session).is_active  # nothing sent yet
    pilot.tap("closure.yes")
    assert "C'est la dernière question. Après, la demande est envoyée." in pilot.texts()
    assert backend.get_space_status(session).is_active
    pilot.tap("Oui, je ferme mon espace santé")
    assert app.nav.current.name == "closure.status"
    assert not backend.get_space_status(session).is_active
    texts = pilot.texts()
    assert "Vos documents sont gardés 10 ans." in texts
    assert "Pour rouvrir votre espace, appelez le 34 22." in texts


def test_no_keeps_the_space(pilot):
    app = pilot.app
    session = open_closure(pilot, CLOSABLE)
    pilot.tap("Refuser mon espace santé")
    pilot.tap("closure.next")
    assert "Vos documents seront supprimés dans les 3 mois." in pilot.texts()
    pilot.tap("closure.next")
    assert "Voulez-vous vraiment refuser votre espace santé ?" in pilot.texts()
    pilot.tap("Non, je garde mon espace")
    assert app.nav.current.name == "home"
    assert app.services.backend.get_space_status(session).is_active


def test_a_closed_space_shows_its_status(pilot):
    app = pilot.app
    open_closure(pilot, CLOSED)
    assert app.nav.current.name == "closure"
    texts = pilot.texts()
    assert any(t.startswith("Depuis le ") for t in texts)
    assert "Pour rouvrir votre espace, appelez le 34 22." in texts
