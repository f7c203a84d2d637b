"""The journeys on screen against a real FHIR server (sekmet-fhir on localhost, seeded with `kiosk fhir seed`).

The shared test app talks to the FHIR backend for this module only; every check of what
changed is read back from the server, not from the screen.
"""

from __future__ import annotations

import pytest

from kiosk.core.flows.base import PATIENT_SESSION
from kiosk.services.backend.demo import demo_sign_in_code
from kiosk.services.backend.fhir.backend import FhirHealthSpace
from kiosk.services.backend.fhir.client import FhirClient
from tests.services.fhir.servers import TOKEN, TcpProxy, seeded_sekmet

RICH = "244039999900168"


@pytest.fixture(scope="module")
def fhir_url(tmp_path_factory):
    with seeded_sekmet(tmp_path_factory.mktemp("sekmet-ui")) as server:
        yield server


@pytest.fixture()
def on_fhir(pilot, fhir_url):
    """The app's backend is the FHIR server, through a proxy the test can cut."""
    services = pilot.app.services
    proxy = TcpProxy(fhir_url.port)
    url = fhir_url.url.replace(f":{fhir_url.port}/", f":{proxy.port}/")
    space = FhirHealthSpace(FhirClient(url, token=TOKEN, retries=0, backoff=0.01), pilot.app.clock)
    saved = services.backend
    services.backend = space
    try:
        yield space, proxy
    finally:
        pilot.reset()
        services.backend = saved
        space.close()
        proxy.cut()


def sign_in_on_the_pad(pilot, ins=RICH):
    app = pilot.app
    pilot.tap("Commencer")  # the sign-in at once
    for d in ins:
        pilot.tap(f"pad.{d}")
    pilot.tap("sign_in.next")
    assert app.nav.current.name == "sign_in.code"
    for d in demo_sign_in_code(ins):
        pilot.tap(f"pad.{d}")
    pilot.tap("sign_in.ok")
    assert app.nav.current.name == "home"
    return app.session.data[PATIENT_SESSION]


def find_button(pilot, name):
    for _ in range(12):
        if name in [b.name for b in pilot.buttons()]:
            return name
        pilot.tap("pager.next")
    raise AssertionError(name)


def test_sign_in_agenda_and_blocking_on_the_fhir_server(pilot, on_fhir):
    space, _proxy = on_fhir
    app = pilot.app
    patient = sign_in_on_the_pad(pilot)
    # agenda: the appointments come from the server's Appointment resources
    pilot.tap("home.feature.agenda")
    flow = app.nav.current.flow
    assert flow.appointments and flow.appointments == space.list_appointments(patient)
    first = flow.appointments[0]
    pilot.tap(f"agenda.appointment.{first.id}")
    pilot.tap("Mettre sur mon téléphone")
    assert "BEGIN:VEVENT" in app.nav.current.flow.ical_text
    app.nav.home()
    pilot.pump()
    # who sees my data: block, read back from the server's Consent, then unblock
    pilot.tap("home.feature.access")
    right = next(r for r in app.nav.current.flow.rights if not r.blocked)
    pro = right.professional
    pilot.tap(find_button(pilot, f"access.block.{pro.id}"))
    pilot.tap("confirm.yes")
    assert any(t.startswith(pro.name) and "bloqué" in t for t in pilot.texts())  # named, by their line
    assert any(r.professional.id == pro.id and r.blocked for r in space.list_access_rights(patient))
    pilot.tap(find_button(pilot, f"access.unblock.{pro.id}"))
    pilot.tap("confirm.yes")
    assert not any(r.professional.id == pro.id and r.blocked for r in space.list_access_rights(patient))


def test_temporary_code_on_the_fhir_server(pilot, on_fhir):
    space, _proxy = on_fhir
    app = pilot.app
    patient = sign_in_on_the_pad(pilot)
    pilot.tap("Donner un code à un professionnel")
    pilot.tap("1 jour")
    code = app.nav.current.flow.code
    assert any(c.code.replace("-", "") == code.replace("-", "") for c in space.list_access_codes(patient))
    pilot.tap("Arrêter ce code")
    pilot.tap("Oui, arrêter le code")
    assert app.nav.current.name == "access_code.revoked"
    assert not any(c.code.replace("-", "") == code.replace("-", "") for c in space.list_access_codes(patient))


def test_server_gone_gives_one_clear_sentence_and_no_crash(pilot, on_fhir):
    _space, proxy = on_fhir
    app = pilot.app
    sign_in_on_the_pad(pilot)
    proxy.cut()
    pilot.tap("home.feature.agenda")
    texts = pilot.texts(everywhere=True)
    problems = [t for t in texts if "connexion" in t.lower() or "réessayez" in t.lower() or "plus tard" in t.lower()]
    assert problems, texts
    assert all("Traceback" not in t and "http" not in t for t in texts)
    assert app.session.state.value == "active"  # the person can still end the session
    pilot.tap("Terminer")
    pilot.tap("Oui, terminer")
    assert app.nav.current.name == "end"
