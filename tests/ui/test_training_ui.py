"""Training mode, tapped through under Xvfb: the band, the exercises menu, the core's check, the
summary, "Recommencer", the demo code (training only), and no network connection at all.

The shared test app runs in plain demo mode: the `training` fixture switches it into training
mode (as `kiosk run --training` does at start) and back, so the tests after these find the app
as it was.
"""

from __future__ import annotations

import re
import socket
import sys

import pytest

from kiosk.core import training as tr
from kiosk.core.assisted import AssistedSession, HelperIdentity
from kiosk.core.flows.base import PATIENT_SESSION
from kiosk.core.flows.documents import DocumentsFlow
from kiosk.core.flows.messages import READY_ANSWERS, MessagesFlow
from kiosk.ui.flow_context import ASSISTED, flow_context
from kiosk.ui.screens import sign_in as sign_in_screens
from kiosk.ui.screens.training import (
    MODE_KEY,
    disable_training,
    enable_training,
    training_mode,
    welcome_extras,
)

PAULETTE = tr.PAULETTE_INS
BAND_FR = "MODE FORMATION — patients fictifs"
HINT = re.compile(r"Code de démonstration : (\d+)")


@pytest.fixture()
def training(pilot):
    app = pilot.app
    assert training_mode(app) is None
    mode = enable_training(app)
    pilot.pump()
    try:
        yield mode
    finally:
        app.close_all_overlays()
        disable_training(app)
        pilot.reset()
    # the app is as the other tests expect it: no band, no training state, plain demo data
    assert training_mode(app) is None
    assert mode.band.parent is None
    assert MODE_KEY not in app.services.extras


# -- network attempts, recorded by an audit hook (it cannot be removed: it records only when asked)

_NETWORK: list[tuple[str, tuple]] | None = None


def _audit(event: str, args: tuple) -> None:
    if _NETWORK is not None and event in ("socket.connect", "socket.getaddrinfo", "socket.gethostbyname"):
        if event == "socket.connect" and getattr(args[0], "family", None) == socket.AF_UNIX:
            return  # a local pipe (display, sound), not the network
        _NETWORK.append((event, tuple(map(str, args[1:]))))


sys.addaudithook(_audit)


@pytest.fixture()
def network_attempts():
    global _NETWORK
    _NETWORK = []
    try:
        yield _NETWORK
    finally:
        _NETWORK = None


# -- helpers ---------------------------------------------------------------------------------------

def band_text(pilot) -> str:
    mode = training_mode(pilot.app)
    return mode.band.message.text


def type_digits(pilot, digits: str) -> None:
    """The sign-in pad's keys, pressed as their touch would (at the default text size with a band,
    the pad's last rows are drawn under the main action and the bottom bar: a sign-in screen
    layout problem reported to its owner); every other step of these tests is a real touch."""
    for digit in digits:
        pilot.app.nav.current.press(digit)
    pilot.pump(1)


def tap_on_page(pilot, target: str) -> None:
    """Tap a button of the screen, turning its pages (Suivant) until it shows."""
    for _ in range(12):
        if any(target in (b.name, b.text) for b in pilot.buttons()):
            pilot.tap(target)
            return
        pilot.tap("pager.next")
    raise LookupError(target)


def all_pages_texts(pilot) -> list[str]:
    """The words of every page of the screen (turning them with Suivant)."""
    texts = list(pilot.texts())
    for _ in range(12):
        if not any(b.name == "pager.next" for b in pilot.buttons()):
            break
        pilot.tap("pager.next")
        texts += pilot.texts()
    return texts


def sign_in_by_touch(pilot, ins: str = PAULETTE) -> str:
    """From Welcome: Commencer (the sign-in at once), the identifier, then the code shown in training mode."""
    app = pilot.app
    pilot.tap("welcome.start")
    type_digits(pilot, ins)
    tap_on_page(pilot, "sign_in.next")
    flow = sign_in_screens.flow_for(app)
    assert app.nav.current.name == "sign_in.code", (flow.identifier, flow.error_key, pilot.texts())
    hints = [m.group(1) for m in map(HINT.match, all_pages_texts(pilot)) if m]
    assert len(hints) == 1, pilot.texts()
    type_digits(pilot, hints[0])
    tap_on_page(pilot, "sign_in.ok")
    assert PATIENT_SESSION in app.session.data
    assert app.nav.current.name == "home"
    return hints[0]


def choose_exercise(pilot, exercise_id: str) -> None:
    """From anywhere: the band's Exercices, the exercise, Commencer l'exercice."""
    app = pilot.app
    pilot.tap("training.band.button")
    assert app.nav.current.name == "training.menu"
    pilot.tap(f"training.exercise.{exercise_id}")
    assert app.nav.current.name == "training.goal"
    pilot.tap("Commencer l'exercice")
    assert app.nav.current.name == "welcome"
    assert "Exercice en cours." in band_text(pilot)


def verify(pilot) -> list[str]:
    pilot.tap("Vérifier")
    assert pilot.app.nav.current.name == "training.result"
    return pilot.texts()


# -- the band ----------------------------------------------------------------------------------------

def test_band_is_on_every_screen_cannot_be_closed_and_stays_for_the_next_person(pilot, training):
    app = pilot.app
    assert app.nav.current.name == "welcome"
    assert BAND_FR in pilot.texts()
    band_buttons = [b.name for b in training.band.walk(restrict=True) if hasattr(b, "on_activate")]
    assert band_buttons == ["training.band.button"]  # no Fermer: nothing hides the band
    pilot.tap("welcome.start")
    assert app.nav.current.name == "sign_in" and BAND_FR in pilot.texts()
    pilot.tap("bar.finish")
    pilot.tap("confirm.yes")
    assert app.nav.current.name == "end" and BAND_FR in pilot.texts(everywhere=True)
    pilot.tap("end.again")
    assert app.nav.current.name == "welcome" and BAND_FR in pilot.texts()
    app.set_prefs(lang="en")
    assert "TRAINING MODE" in band_text(pilot)
    app.set_prefs(lang="fr")


def test_band_is_gone_in_plain_demo_mode(pilot):
    assert training_mode(pilot.app) is None
    assert BAND_FR not in pilot.texts(everywhere=True)
    assert welcome_extras(pilot.app) == []


def test_welcome_entry_opens_the_menu(pilot, training):
    [button] = welcome_extras(pilot.app)
    button.dispatch("on_activate")
    pilot.pump()
    assert pilot.app.nav.current.name == "training.menu"


# -- exercises through the real screens ---------------------------------------------------------------

def test_block_a_professional_by_touch_is_checked_as_a_success(pilot, training, network_attempts):
    app = pilot.app
    pilot.tap("training.band.button")
    texts = pilot.texts()
    assert app.nav.current.name == "training.menu"
    assert len([b for b in pilot.buttons() if b.name.startswith("training.exercise.")]) == 6
    assert "Bloquer un professionnel" in texts
    assert "Bloquer un professionnel : pas encore fait." in app.describe().lines
    pilot.tap("training.exercise.block_professional")
    texts = pilot.texts()
    assert "Bloquez la radiologue de Madame Exemple : Docteure Inès Image-Test." in texts
    assert "La patiente fictive est Mme Paulette Exemple. Son numéro : 2 44 03 99 999 001 68." in texts
    pilot.tap("Commencer l'exercice")
    code = sign_in_by_touch(pilot)
    assert code == "246810"
    tap_on_page(pilot, "home.feature.access")
    tap_on_page(pilot, f"access.block.{tr.PROFESSIONAL_TO_BLOCK_ID}")
    pilot.tap("confirm.yes")
    texts = verify(pilot)
    assert "Réussi." in texts and "Bravo, l'exercice est réussi." in texts
    pilot.tap("Retour aux exercices")
    assert app.nav.current.name == "training.menu"
    assert PATIENT_SESSION not in app.session.data  # the patient session was wiped on the way
    assert "Bloquer un professionnel : réussi." in app.describe().lines
    assert pilot.button("training.exercise.block_professional").icon.name == "check"
    assert "Exercice en cours." not in band_text(pilot)
    assert network_attempts == []


def test_a_wrong_professional_is_not_a_success_and_the_reason_is_shown(pilot, training):
    choose_exercise(pilot, "block_professional")
    sign_in_by_touch(pilot)
    tap_on_page(pilot, "home.feature.access")
    tap_on_page(pilot, "access.block.pro-generaliste")
    pilot.tap("confirm.yes")
    texts = verify(pilot)
    assert "Pas réussi." in texts
    assert "Vous avez bloqué un autre professionnel." in texts
    assert "Réussi." not in texts
    assert training.training.results["block_professional"].success is False


def test_check_before_the_goal_then_continue_and_give_a_one_day_code(pilot, training):
    app = pilot.app
    choose_exercise(pilot, "temporary_code")
    sign_in_by_touch(pilot)
    tap_on_page(pilot, "home.feature.access_code")
    where = app.nav.current.name
    texts = verify(pilot)  # nothing done yet: no verdict, no success
    assert "Pas encore fini." in texts
    assert "Le but n'est pas encore atteint. Essayez encore." in texts
    assert "temporary_code" not in training.training.results
    pilot.tap("Continuer l'exercice")
    assert app.nav.current.name == where
    tap_on_page(pilot, "1 jour")
    assert verify(pilot).count("Réussi.") == 1


def test_a_one_hour_code_is_the_wrong_duration(pilot, training):
    choose_exercise(pilot, "temporary_code")
    sign_in_by_touch(pilot)
    tap_on_page(pilot, "home.feature.access_code")
    tap_on_page(pilot, "access_code.duration.0")
    texts = verify(pilot)
    assert "Pas réussi." in texts and "Le code n'a pas la bonne durée. Il faut 1 jour." in texts


def test_stopping_an_exercise_is_not_a_success(pilot, training):
    choose_exercise(pilot, "answer_message")
    verify(pilot)
    pilot.tap("Arrêter l'exercice")
    texts = pilot.texts()
    assert "Pas réussi." in texts and "Le but n'est pas encore atteint. Essayez encore." in texts
    assert training.training.results["answer_message"].success is False


def test_documents_and_messages_exercises_are_judged_from_the_flows_the_screens_use(pilot, training):
    """The documents and messages flows, built with flow_context(app) as their screens do."""
    app = pilot.app
    choose_exercise(pilot, "read_prescription")
    sign_in_by_touch(pilot)
    flow = DocumentsFlow(flow_context(app)).start()
    flow.choose_category(None)
    assert flow.open_document(tr.LATEST_PRESCRIPTION_ID)
    assert "Réussi." in verify(pilot)

    pilot.tap("training.back_to_menu")
    pilot.tap("training.exercise.answer_message")
    pilot.tap("Commencer l'exercice")
    sign_in_by_touch(pilot)
    messages = MessagesFlow(flow_context(app)).start()
    assert messages.open_thread("paulette-fil-resultats")  # another professional's message
    assert messages.reply() and messages.choose_ready(READY_ANSWERS[0]) and messages.send()
    texts = verify(pilot)
    assert "Pas réussi." in texts and "Vous avez répondu à un autre message." in texts


def test_assisted_exercise_is_judged_when_the_session_ends(pilot, training):
    """The helper's session (as the assisted screens create it) is followed from the first touch."""
    app = pilot.app
    pilot.tap("training.band.button")
    pilot.tap("training.exercise.assisted_session")
    assert any("Identifiant : 1001. Code : 135790." in t for t in all_pages_texts(pilot))
    pilot.tap("training.back_to_menu")
    choose_exercise(pilot, "assisted_session")
    pilot.tap("welcome.start")
    assisted = AssistedSession(HelperIdentity("Mme Formatrice", "Pharmacie Test", "hlp-" + "1" * 24),
                               session=app.session)
    app.session.data[ASSISTED] = assisted
    tap_on_page(pilot, "pad.1")  # a touch: training now follows this assisted session
    assert training.training.current.assisted is assisted
    assert assisted.give_consent(["documents"])
    sign_in_screens.flow_for(app, fresh=True)
    app.session.data[PATIENT_SESSION] = app.services.backend.finish_sign_in(
        app.services.backend.start_sign_in(PAULETTE).handle, "246810")
    flow = DocumentsFlow(flow_context(app)).start()
    flow.choose_category(None)
    assert flow.open_document(tr.LATEST_PRESCRIPTION_ID)
    assert training.training.current.verdict is None  # not before the end
    app.session.end()  # Terminer (the assisted screens own that button's behaviour)
    pilot.pump()
    pilot.tap("end.again")
    assert app.nav.current.name == "welcome"
    texts = verify(pilot)
    assert "Réussi." in texts


# -- summary and Recommencer ---------------------------------------------------------------------------

def test_summary_counts_and_recommencer_shows_the_hidden_document_again(pilot, training, network_attempts):
    """Also the no-network proof: sign-in, a document hidden, the check, Recommencer, sign-in again."""
    app = pilot.app
    choose_exercise(pilot, "hide_document")
    sign_in_by_touch(pilot)
    flow = DocumentsFlow(flow_context(app)).start()  # what the documents screens do
    flow.choose_category(None)
    assert flow.open_document(tr.DOCUMENT_TO_HIDE_ID) and flow.ask_hide() and flow.confirm()
    patient = app.session.data[PATIENT_SESSION]
    assert app.services.backend.get_document(patient, tr.DOCUMENT_TO_HIDE_ID).hidden_from_professionals
    assert "Réussi." in verify(pilot)
    pilot.tap("training.back_to_menu")
    pilot.tap("training.summary")
    assert app.nav.current.name == "training.summary"
    texts = all_pages_texts(pilot)
    assert "Vous avez réussi 1 exercice sur 6." in texts
    assert "Masquer un document : réussi." in texts
    assert "Répondre à un message : pas encore fait." in texts

    pilot.tap("training.restart")
    assert "Tout recommencer ?" in pilot.texts()
    pilot.tap("confirm.yes")
    texts = all_pages_texts(pilot)
    assert "Vous avez réussi 0 exercice sur 6." in texts
    assert "Masquer un document : pas encore fait." in texts
    # the hidden document is visible again: sign in again, as a trainee would
    pilot.tap("training.back_to_menu")
    pilot.tap("training.leave")
    sign_in_by_touch(pilot)
    patient = app.session.data[PATIENT_SESSION]
    assert not app.services.backend.get_document(patient, tr.DOCUMENT_TO_HIDE_ID).hidden_from_professionals
    assert network_attempts == []  # not one connection or name look-up in the whole journey


# -- the demo code: training mode only ----------------------------------------------------------------

def _to_code_screen(pilot) -> None:
    pilot.tap("welcome.start")
    type_digits(pilot, PAULETTE)
    tap_on_page(pilot, "sign_in.next")
    assert pilot.app.nav.current.name == "sign_in.code"


def test_demo_code_is_absent_in_plain_demo_mode(pilot):
    _to_code_screen(pilot)
    texts = all_pages_texts(pilot)
    assert not any("246810" in t or HINT.match(t) for t in texts)
    flow = sign_in_screens.flow_for(pilot.app)
    assert all(hint(pilot.app, flow) is None for hint in sign_in_screens.CODE_HINTS)


def test_demo_code_is_shown_in_training_mode_in_both_languages(pilot, training):
    _to_code_screen(pilot)
    assert "Code de démonstration : 246810" in all_pages_texts(pilot)
    pilot.app.set_prefs(lang="en")
    pilot.app.nav.show("sign_in.code", remember=False)
    pilot.pump()  # laid out before its pager is touched (Retour, now shown at the code step, is under it before)
    assert "Demonstration code: 246810" in all_pages_texts(pilot)
    pilot.app.set_prefs(lang="fr")


# -- no network --------------------------------------------------------------------------------------

def test_the_audit_hook_sees_a_connection_attempt(network_attempts):
    """The proof below can fail: a real connection attempt is recorded."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(0.2)
        try:
            s.connect(("127.0.0.1", 9))
        except OSError:
            pass
    assert any(event == "socket.connect" for event, _ in network_attempts)
