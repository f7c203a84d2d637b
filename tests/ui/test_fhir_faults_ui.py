"""The kiosk never freezes: the real app on a real FHIR server behind a fault proxy.

sekmet-fhir runs on 127.0.0.1, seeded with `kiosk fhir seed`; the app's backend talks to
it through tests/faultproxy.py, which stalls, trickles, pages for ever or cuts a write on
demand. Time is the app's FakeClock: the waiting message and the deadline come from
advancing it, never from sleeping. A test that holds a call hanging sets
`pilot.auto_settle = False` and waits on the proxy's events; the proxy lets everything go
at the end of each test.
"""

from __future__ import annotations

import threading

import pytest
from kivy.base import EventLoop

from kiosk.core.flows.base import PATIENT_SESSION
from kiosk.core.i18n import Catalog
from kiosk.services.backend.demo import demo_sign_in_code
from kiosk.services.backend.fhir.backend import FhirHealthSpace
from kiosk.services.backend.fhir.client import FhirClient
from kiosk.ui.screens.end import RETURN_AFTER_S
from tests.faultproxy import FaultProxy
from tests.services.fhir.servers import TOKEN, seeded_sekmet

RICH = "244039999900168"            # Paulette Exemple: documents, messages, professionals
PATIENT_WORDS = ("Paulette", "Exemple")
LARGE = "161029999900541"           # the patient with 1,000 documents, listed batch by batch
PRESCRIPTION = "paulette-ord-2026-11"
RESULTS = "paulette-msg-1"          # "Vos résultats de prise de sang": a conversation she can answer
WAIT_S = 20                         # how long a test waits for an event, at most (never reached when all is well)


def sentence(key: str) -> str:
    return Catalog.load("fr").tr(key)


@pytest.fixture(scope="module")
def sekmet(tmp_path_factory):
    with seeded_sekmet(tmp_path_factory.mktemp("sekmet-faults")) as server:
        yield server


@pytest.fixture()
def faulty(pilot, sekmet):
    """The app's backend is the FHIR server behind a fault proxy (pass-through to start)."""
    app = pilot.app
    services = app.services
    proxy = FaultProxy(sekmet.port)
    # long HTTP timeouts: in these tests only the runner's deadline (on the FakeClock) ends a wait
    client = FhirClient(proxy.url_for(sekmet.url), token=TOKEN, retries=0, read_timeout=120, total_timeout=300)
    space = FhirHealthSpace(client, app.clock)
    saved = services.backend, app.runner.deadline_s, app.session.timeout_s, app.session.warning_s
    services.backend = space
    try:
        yield proxy
    finally:
        proxy.release()
        late_answers()
        pilot.auto_settle = True
        app.runner.wait_for_worker(WAIT_S)
        pilot.reset()
        services.backend, app.runner.deadline_s, app.session.timeout_s, app.session.warning_s = saved
        space.close()
        proxy.close()


@pytest.fixture()
def server_side(sekmet, kiosk_app):
    """The same server, straight (no proxy): what was really stored is read back here."""
    space = FhirHealthSpace(FhirClient(sekmet.url, token=TOKEN, retries=0), kiosk_app.clock)
    challenge = space.start_sign_in(RICH)
    patient = space.finish_sign_in(challenge.handle, demo_sign_in_code(RICH))
    yield space, patient
    space.close()


def late_answers() -> bool:
    """Wait for the health-space calls the runner gave up on (they end once the proxy lets go)."""
    late = [t for t in threading.enumerate() if t.name == "kiosk-backend"]
    for thread in late:
        thread.join(WAIT_S)
    return not any(t.is_alive() for t in late)


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


class Frames:
    """Counts the real window frames drawn (each pilot.draw() flips the window once)."""

    def __init__(self) -> None:
        self.count = 0
        EventLoop.window.bind(on_flip=self._flipped)

    def _flipped(self, *_args) -> None:
        self.count += 1

    def stop(self) -> None:
        EventLoop.window.unbind(on_flip=self._flipped)


def hang_on_tile(pilot, proxy, tile, *, frames=4):
    """Tap a tile whose load the proxy holds; draw frames while the backend still waits on the proxy."""
    app = pilot.app
    pilot.auto_settle = False
    pilot.tap(tile, settle=False)
    assert proxy.holding.wait(WAIT_S), "the load never reached the proxy"
    call = app.runner.current
    assert call is not None and app.runner.busy
    counter = Frames()
    try:
        for _ in range(frames):
            pilot.draw()
    finally:
        counter.stop()
    # every frame was drawn while the action's worker was still blocked on the proxy
    assert counter.count == frames
    assert proxy.held_now >= 1 and not call.worker_done.is_set() and app.runner.current is call
    return call


def test_a_stalled_server_never_freezes_the_screen_and_the_deadline_says_so(pilot, faulty):
    proxy = faulty
    app = pilot.app
    sign_in_on_the_pad(pilot)
    proxy.stall(30)
    hang_on_tile(pilot, proxy, "Mes documents")
    assert "Un instant, s'il vous plaît." not in pilot.texts()  # not before 300 ms
    pilot.advance(0.5)
    assert app.runner.waiting
    assert "Un instant, s'il vous plaît." in pilot.texts()
    pilot.advance(app.runner.deadline_s)
    pilot.settle()  # the worker came back at the deadline: its answer reaches the screen
    assert not app.runner.busy and proxy.held_now == 1, "the deadline came, the server still has not answered"
    texts = pilot.texts()
    assert sentence("errors.unavailable.deadline") in texts, texts
    assert "Un instant, s'il vous plaît." not in texts
    assert app.crashes == []
    pilot.tap("bar.home")
    assert app.nav.current.name == "home"
    pilot.tap("Terminer")
    pilot.tap("Oui, terminer")
    assert app.nav.current.name == "end"


def test_one_byte_a_second_ends_at_the_deadline_like_a_stall(pilot, faulty):
    proxy = faulty
    app = pilot.app
    sign_in_on_the_pad(pilot)
    proxy.trickle(1.0)
    hang_on_tile(pilot, proxy, "Mes documents")
    assert proxy.trickling.wait(WAIT_S), "the answer's first byte never left the proxy"
    pilot.advance(0.5)
    assert "Un instant, s'il vous plaît." in pilot.texts()
    pilot.advance(app.runner.deadline_s)
    pilot.settle()
    assert not app.runner.busy and proxy.held_now == 1, "the body is still coming, one byte at a time"
    assert sentence("errors.unavailable.deadline") in pilot.texts()
    assert app.crashes == []
    pilot.tap("bar.home")
    assert app.nav.current.name == "home"


@pytest.mark.parametrize("fresh", [True, False], ids=["a-new-url-each-time", "the-same-url"])
def test_endless_empty_pages_end_with_what_there_is(pilot, faulty, server_side, fresh):
    proxy = faulty
    app = pilot.app
    space, patient = server_side
    threads = space.list_threads(patient)
    sign_in_on_the_pad(pilot)
    proxy.endless_pages("Communication", fresh=fresh)
    before = len(proxy.counts.seen)
    pilot.tap("home.feature.messages")
    assert app.nav.current.name == "messages"
    shown = app.nav.current.flow.threads
    assert [t.id for t in shown] == [t.id for t in threads] and shown, "every conversation, as on the server"
    asked = [rtype for _method, rtype in proxy.counts.seen[before:] if rtype == "Communication"]
    assert proxy.counts["search"] == 1 and proxy.counts["empty_page"] == 1, "one empty page, then it stops"
    assert len(asked) == 2
    assert app.crashes == [] and app.nav.current.flow.error_key is None


def test_endless_empty_pages_in_the_document_list(pilot, faulty):
    """A looping server behind the second batch of a long list: one empty page, and the list ends."""
    proxy = faulty
    app = pilot.app
    sign_in_on_the_pad(pilot, LARGE)
    proxy.endless_pages("DocumentReference")
    pilot.tap("Mes documents")
    pilot.tap("documents.category.all")
    flow = app.nav.current.flow
    assert app.nav.current.name == "documents.list" and flow.documents and flow.has_next_list_page
    pilot.tap("documents.list.older")
    assert proxy.counts["empty_page"] == 1, "the page the link leads to is asked once"
    assert app.nav.current.name == "documents.list" and not flow.documents and flow.error_key is None
    assert "documents.list.older" not in [b.name for b in pilot.buttons()], "no link to follow for ever"
    assert app.crashes == []
    pilot.tap("bar.back")
    assert app.nav.current.name == "documents"


def test_a_cut_after_the_server_hid_the_document_is_confirmed_by_reading_back(pilot, faulty, server_side):
    proxy = faulty
    app = pilot.app
    space, patient = server_side
    assert not space.get_document(patient, PRESCRIPTION).hidden_from_professionals
    sign_in_on_the_pad(pilot)
    pilot.tap("Mes documents")
    pilot.tap("documents.category.all")
    pilot.tap(f"documents.open.{PRESCRIPTION}")
    proxy.cut_writes()  # every change reaches the server, and its answer never comes back
    try:
        pilot.tap("Masquer ce document")
        pilot.tap("confirm.yes")
        assert proxy.counts["cut"] == 1
        assert space.get_document(patient, PRESCRIPTION).hidden_from_professionals, "the server did it"
        texts = pilot.texts()
        assert "Ce document est maintenant masqué." in texts, texts  # read back, then said: true
        assert not any("Rien n'a été envoyé" in t for t in pilot.texts(everywhere=True))
        assert app.crashes == []
    finally:
        proxy.release()
        if space.get_document(patient, PRESCRIPTION).hidden_from_professionals:  # leave the server as it was
            space.show_document(patient, PRESCRIPTION)


def test_a_cut_after_the_server_made_a_code_is_found_by_reading_back(pilot, faulty, server_side):
    proxy = faulty
    app = pilot.app
    space, patient = server_side
    before = {c.code for c in space.list_access_codes(patient)}
    sign_in_on_the_pad(pilot)
    proxy.cut_writes()
    try:
        pilot.tap("Donner un code à un professionnel")
        pilot.tap("1 jour")
        made = [c for c in space.list_access_codes(patient) if c.code not in before]
        assert proxy.counts["cut"] == 2 and len(made) == 1, "sent twice (the second finds the first): one code"
        # no answer, so the kiosk read the active codes back: the one the server made is the one shown
        assert app.nav.current.name == "access_code.code" and app.crashes == []
        assert app.nav.current.flow.code == made[0].code.replace("-", "")
        assert not any("Rien n'a été envoyé" in t or "Nous ne savons pas" in t for t in pilot.texts(everywhere=True))
        pilot.tap("Terminer")
        pilot.tap("Oui, terminer")
        assert app.nav.current.name == "end"
    finally:
        proxy.release()
        for code in space.list_access_codes(patient):
            if code.code not in before:
                space.revoke_access_code(patient, code.code)


def test_a_cut_after_the_server_stored_a_reply_never_says_it_was_not_sent(pilot, faulty, server_side):
    proxy = faulty
    app = pilot.app
    space, patient = server_side
    known = {m.id for m in space.get_thread(patient, RESULTS).messages}
    before = len(known)
    sign_in_on_the_pad(pilot)
    pilot.tap("home.feature.messages")
    pilot.tap(f"messages.thread.{RESULTS}")
    pilot.tap("messages.reply")
    pilot.tap("Pouvez-vous me rappeler ?")
    proxy.cut_writes()
    try:
        pilot.tap("Envoyer")
        assert len(space.get_thread(patient, RESULTS).messages) == before + 1, "the server has it, once"
        assert app.nav.current.flow.error_key == "errors.unavailable.unknown"  # the backend says so...
        assert app.crashes == []
        texts = pilot.texts(everywhere=True)
        assert sentence("errors.unavailable.unknown") in texts, texts          # ...and so must the screen
        assert not any("pas parti" in t or "Rien n'a été envoyé" in t for t in texts)
    finally:
        proxy.release()
        for message in space.get_thread(patient, RESULTS).messages:  # leave the server as it was
            if message.id not in known:
                space.client.request("DELETE", f"Communication/{message.id}", ok=(200, 204))


def test_the_inactivity_timeout_ends_the_session_during_a_hung_call(pilot, faulty):
    proxy = faulty
    app = pilot.app
    # the shortest inactivity time and the longest deadline the settings allow: the call outlives the session
    app.session.timeout_s, app.session.warning_s = 60, 30
    app.runner.deadline_s = 120
    sign_in_on_the_pad(pilot)
    pilot.tap("home.feature.messages")
    pilot.tap(f"messages.thread.{RESULTS}")  # her message is on screen ("Bonjour Madame Exemple")
    private = [t for t in pilot.texts(everywhere=True) if any(word in t for word in PATIENT_WORDS)]
    assert private
    pilot.tap("bar.home")
    proxy.stall(30)
    call = hang_on_tile(pilot, proxy, "Mes documents", frames=2)
    dropped = app.runner.dropped
    pilot.advance(0.5)
    assert "Un instant, s'il vous plaît." in pilot.texts(everywhere=True)
    pilot.advance(app.session.timeout_s - app.session.warning_s)
    assert app.runner.busy and app.wait is not None and app.overlays[-1] is app.warning, "the warning opens above"
    pilot.advance(app.session.warning_s)
    assert app.nav.current.name == "end" and not app.runner.busy
    assert call.worker_done.wait(WAIT_S)
    pilot.pump()
    assert app.runner.dropped == dropped + 1, "the call's answer is thrown away, never shown"
    assert proxy.held_now == 1, "the server still has not answered"
    pilot.advance(RETURN_AFTER_S)
    assert app.nav.current.name == "welcome"
    # the late answer comes now: nothing of it reaches the screen or the next person
    proxy.release()
    assert late_answers(), "a call is still blocked after the proxy let everything go"
    pilot.pump()
    assert proxy.held_now == 0 and proxy.counts["answered"] >= 1
    assert app.nav.current.name == "welcome" and not app.runner.busy
    assert app.runner.dropped == dropped + 1
    shown = pilot.texts(everywhere=True)
    assert not any(word in text for text in shown for word in PATIENT_WORDS) and not set(private) & set(shown)
    assert dict(app.session.data) == {} and app.crashes == []
