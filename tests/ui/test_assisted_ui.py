"""Assisted session tapped through under Xvfb: helper sign-in, the patient's sign-in, consent,
the band, scopes, stopping from several screens, the end list and its QR code, the journal."""

from __future__ import annotations

import json

import pytest
import zxingcpp
from PIL import Image

from kiosk.core.assisted import ConsentState, HelperIdentity
from kiosk.core.audit import AuditAction
from kiosk.core.flows.base import PATIENT_SESSION
from kiosk.core.flows.documents import DocumentsFlow
from kiosk.core.i18n import Catalog
from kiosk.services.backend.demo import demo_sign_in_code, load_demo_data
from kiosk.ui.flow_context import ASSISTED, assisted_session, flow_context
from kiosk.ui.screens.assisted import (
    DEMO_HELPER_IDENTIFIER,
    DEMO_HELPER_NAME,
    DEMO_HELPER_ORGANISATION,
    DEMO_HELPER_PIN,
    add_demo_helper,
    ui_for,
)

RICH = "244039999900168"
BAND_TEXT = f"Accompagné par {DEMO_HELPER_NAME} ({DEMO_HELPER_ORGANISATION})"


@pytest.fixture()
def helper(pilot):
    """The demo helper in the test run's throw-away store (until the lead adds it at start-up)."""
    return add_demo_helper(pilot.app.services.store)


@pytest.fixture()
def clean_space(pilot):
    yield
    pilot.app.services.backend.reset()  # the demo space is shared by the whole run


def patient_words(ins: str = RICH) -> list[str]:
    """What must never show before consent: the patient's names and document titles."""
    record = load_demo_data().by_ins(ins)
    return [record.patient.given_name, record.patient.family_name, *[d.title for d in record.documents]]


def names(pilot) -> list[str]:
    return [b.name for b in pilot.buttons()]


def band_shown(pilot) -> bool:
    return BAND_TEXT in pilot.texts(everywhere=True) and "assisted.stop" in names(pilot)


def type_digits(pilot, digits: str) -> None:
    for d in digits:
        pilot.tap(f"pad.{d}")


def sign_in_helper(pilot, identifier: str = DEMO_HELPER_IDENTIFIER, pin: str = DEMO_HELPER_PIN) -> None:
    pilot.tap("welcome.helper")
    assert pilot.app.nav.current.name == "assisted.helper_sign_in"
    type_digits(pilot, identifier)
    pilot.tap("assisted.next")
    assert pilot.app.nav.current.name == "assisted.helper_pin"
    type_digits(pilot, pin)
    pilot.tap("assisted.ok")


def sign_in_patient(pilot, ins: str = RICH) -> None:
    assert pilot.app.nav.current.name == "sign_in"
    type_digits(pilot, ins)
    pilot.tap("sign_in.next")
    assert pilot.app.nav.current.name == "sign_in.code"
    type_digits(pilot, demo_sign_in_code(ins))
    pilot.tap("sign_in.ok")


def quick_start(pilot, helper) -> None:
    """The helper and the patient signed in as the screens do it, without typing every digit
    (the typing itself is tapped through in the first journey test)."""
    from kiosk.ui.screens import sign_in as sign_in_screens
    from kiosk.ui.screens.assisted import start_assisted

    app = pilot.app
    start_assisted(app, helper)
    flow = sign_in_screens.flow_for(app, fresh=True)
    for d in RICH:
        flow.append_digit(d)
    flow.submit_identifier()
    for d in demo_sign_in_code(RICH):
        flow.append_digit(d)
    flow.submit_code()
    app.nav.follow(flow)  # what the code screen's Valider does: the consent comes first
    pilot.pump()
    assert app.nav.current.name == "assisted.consent"


def consent(pilot, *scopes: str) -> None:
    pilot.tap("assisted.consent.next")
    assert pilot.app.nav.current.name == "assisted.consent.choose"
    for scope in scopes:
        pilot.tap(f"assisted.scope.{scope}")
    pilot.tap("assisted.yes")


def assisted_start(pilot, *scopes: str) -> None:
    sign_in_helper(pilot)
    sign_in_patient(pilot)
    if scopes:
        consent(pilot, *scopes)
        assert pilot.app.nav.current.name == "home"


def find_button(pilot, name: str) -> str:
    for _ in range(10):
        if name in names(pilot):
            return name
        pilot.tap("pager.next")
    raise AssertionError(name)


def journal_since(app, seq: int):
    return [e for e in app.services.store.journal.entries() if e.seq > seq]


def last_seq(app) -> int:
    return max((e.seq for e in app.services.store.journal.entries()), default=0)


def no_names_in(entries, words) -> None:
    for entry in entries:
        text = json.dumps([entry.action.value, list(entry.subjects), entry.details], ensure_ascii=False)
        for word in words:
            assert word not in text, (entry.action, word)


# --------------------------------------------------------------------------------------------

def test_welcome_entry_is_small_but_a_valid_target(pilot):
    app = pilot.app
    entry = pilot.button("welcome.helper")
    start = pilot.button("welcome.start")
    assert entry.text == "Espace accompagnant"
    w_mm, h_mm = app.look.to_mm(entry.width), app.look.to_mm(entry.height)
    assert w_mm >= 15 and h_mm >= 15
    assert entry.kind == "secondary" and start.kind == "primary"
    assert entry.width * entry.height < start.width * start.height / 2


def test_helper_then_patient_then_consent_with_some_scopes(pilot, helper, clean_space, shots_dir):
    app = pilot.app
    before = last_seq(app)
    sign_in_helper(pilot)
    # the helper is signed in: the session runs, the band is there, the patient signs in
    assisted = assisted_session(app)
    assert assisted is not None and app.session.data[ASSISTED] is assisted
    assert app.session.state.value == "active"
    assert app.nav.current.name == "sign_in" and band_shown(pilot)
    sign_in_patient(pilot)
    assert PATIENT_SESSION in app.session.data
    # consent first: nothing of the patient on screen (band and top bar included), nor spoken
    private = patient_words()
    for step in ("assisted.consent", "assisted.consent.choose"):
        if step == "assisted.consent.choose":
            pilot.tap("assisted.consent.next")
        assert app.nav.current.name == step and band_shown(pilot)
        shown = pilot.texts(everywhere=True)
        spoken = app.describe().spoken_text(app.look.catalog)
        for word in private:
            assert not any(word in t for t in shown), word
            assert word not in spoken, word
        # no way to Home or Terminer before the answer; the band's Arrêter is there
        assert "bar.home" not in names(pilot) and "bar.finish" not in names(pilot)
        if step == "assisted.consent":
            assert "Claire Martin vous aide. Claire Martin travaille à Pharmacie du Marché." in spoken
            assert "Votre accord compte seulement pour aujourd'hui." in spoken
    # nothing chosen: it says so, and nothing is given
    pilot.tap("assisted.yes")
    assert app.nav.current.name == "assisted.consent.choose" and assisted.consent_pending
    assert "Choisissez au moins une chose. Ou touchez Non, merci." in pilot.texts(everywhere=True)
    # each choice says its state in words
    pilot.tap("assisted.scope.documents")
    assert pilot.button("assisted.scope.documents").text == "Mes documents : oui"
    assert pilot.button("assisted.scope.agenda").text == "Mes rendez-vous : non"
    pilot.tap("assisted.scope.access")
    pilot.tap("assisted.scope.messages")
    pilot.tap("assisted.scope.messages")  # changed its mind
    assert pilot.button("assisted.scope.messages").text == "Mes messages : non"
    pilot.tap("assisted.yes")
    assert assisted.state is ConsentState.GIVEN and assisted.scopes == {"documents", "access"}
    # Home: only the tiles the patient allowed; the band is there
    assert app.nav.current.name == "home" and band_shown(pilot)
    tiles = [n for n in names(pilot) if n.startswith("home.feature.")]
    assert "home.feature.access" in tiles and "home.feature.access_code" in tiles
    assert "home.feature.agenda" not in tiles and "home.feature.messages" not in tiles
    assert "home.feature.closure" not in tiles
    # block a professional through the screens: the band on each screen visited
    pilot.tap("home.feature.access")
    assert app.nav.current.name == "access" and band_shown(pilot)
    flow = app.nav.current.flow
    pro = next(r for r in flow.rights if not r.blocked).professional
    pilot.tap(find_button(pilot, f"access.block.{pro.id}"))
    pilot.tap("confirm.yes")
    assert app.nav.current.flow._find(pro.id).blocked and band_shown(pilot)
    # a document viewed through the backend flow, with the context every screen uses
    documents = DocumentsFlow(flow_context(app)).start()
    documents.choose_category(None)
    documents.open_document(documents.documents[0].id)
    assert documents.error_key is None and documents.step.name == "VIEWER"
    # a journey outside the consent, started anyway: core refuses it, nothing of it is shown
    app.nav.show("agenda")
    pilot.pump()
    agenda = app.nav.current.flow
    assert agenda.refused and agenda.error_key and not agenda.appointments
    assert not any(n.startswith("agenda.appointment.") for n in names(pilot))
    assert band_shown(pilot)
    # Terminer: the end list is what was done, shown, spoken and as a QR code
    pilot.tap("bar.finish")
    pilot.tap("confirm.yes")
    end = app.nav.current
    assert end.name == "end" and not band_shown(pilot)
    cat = Catalog.load("fr")
    expected = [cat.tr_n("assisted.end.helper.document_viewed", 1, helper=DEMO_HELPER_NAME),
                cat.tr_n("assisted.end.helper.professional_blocked", 1, helper=DEMO_HELPER_NAME)]
    assert end.assisted_lines == expected
    assert end.qr is not None and end.qr.payload == assisted.qr_payload(cat)
    spoken = app.describe().spoken_text(cat)
    assert all(line in spoken for line in expected), (spoken, pilot.texts())
    assert end.content.pages[0][0].text == "Vos informations ont été effacées de cette borne."  # first

    def qr_on_page() -> bool:
        return any(end.qr in list(w.walk(restrict=True)) for w in end.content.pages[end.content.page])

    # the code to keep comes first, with the words that say what it is (on the first page here)
    assert qr_on_page() and end.qr.side_mm() >= 55
    shot = pilot.screenshot(shots_dir / "end.png")
    found = [r.text for r in zxingcpp.read_barcodes(Image.open(shot).convert("L"))]
    assert found == [assisted.qr_payload(cat)]
    assert all(line in found[0] for line in expected)
    for _ in range(4):  # the list after it, on the first page or the next one
        if "\n".join(expected) in pilot.texts():
            break
        pilot.tap("pager.next")
    assert "\n".join(expected) in pilot.texts()
    # the journal: sign-in, consent (scopes), sign-out and the end; no name anywhere
    entries = journal_since(app, before)
    actions = [e.action for e in entries]
    for action in (AuditAction.HELPER_SIGNED_IN, AuditAction.CONSENT_GIVEN, AuditAction.HELPER_SIGNED_OUT,
                   AuditAction.SESSION_ENDED):
        assert action in actions, action
    given = next(e for e in entries if e.action is AuditAction.CONSENT_GIVEN)
    assert given.details["scopes"] == ["documents", "access"]
    assert list(given.subjects) == [helper.fingerprint]
    out = next(e for e in entries if e.action is AuditAction.HELPER_SIGNED_OUT)
    assert list(out.subjects) == [helper.fingerprint]
    no_names_in(entries, [DEMO_HELPER_NAME, "Claire", "Martin", DEMO_HELPER_ORGANISATION, RICH, *private[:2]])
    # the next person: nothing of it stays
    pilot.tap("end.again")
    assert app.nav.current.name == "welcome" and not band_shown(pilot)
    assert ui_for(app).assisted is None and ASSISTED not in app.session.data


def stop_on_consent(pilot):
    assert pilot.app.nav.current.name == "assisted.consent"


def stop_on_home(pilot):
    consent(pilot, "agenda")
    assert pilot.app.nav.current.name == "home"


def stop_on_appointment(pilot):
    consent(pilot, "agenda")
    pilot.tap("home.feature.agenda")
    flow = pilot.app.nav.current.flow
    pilot.tap(f"agenda.appointment.{flow.appointments[0].id}")
    assert pilot.app.nav.current.name == "agenda.appointment"


def stop_on_access_dialog_screen(pilot):
    consent(pilot, "access", "agenda")
    pilot.tap("home.feature.access_code")
    assert pilot.app.nav.current.name == "access_code"


@pytest.mark.parametrize("go_there", [stop_on_consent, stop_on_home, stop_on_appointment,
                                      stop_on_access_dialog_screen])
def test_stop_from_any_screen(pilot, helper, clean_space, go_there):
    app = pilot.app
    quick_start(pilot, helper)
    assisted = assisted_session(app)
    before = last_seq(app)
    go_there(pilot)
    assert band_shown(pilot)
    was_given = assisted.consent_was_given
    pilot.tap("assisted.stop")
    # asked once: "Non" keeps the help as it was
    assert "Arrêter l'aide ?" in pilot.texts(everywhere=True)
    assert f"{DEMO_HELPER_NAME} ne verra plus rien de votre espace santé." in pilot.texts(everywhere=True)
    pilot.tap("confirm.no")
    assert assisted.active and band_shown(pilot)
    pilot.tap("assisted.stop")
    pilot.tap("confirm.yes")
    # the helper's part ends: nothing allowed to the helper, the band gone, the patient still signed in
    assert assisted.state is ConsentState.WITHDRAWN and not assisted.allows("agenda")
    assert not band_shown(pilot)
    assert PATIENT_SESSION in app.session.data
    entries = journal_since(app, before)
    withdrawn = [e for e in entries if e.action is AuditAction.CONSENT_WITHDRAWN]
    assert len(withdrawn) == (1 if was_given else 0)
    no_names_in(entries, [DEMO_HELPER_NAME, DEMO_HELPER_ORGANISATION, RICH, *patient_words()[:2]])
    # Home gives back every tile: no consent scope any more
    assert app.nav.current.name == "home"
    for tile in ("documents", "messages", "agenda", "access", "closure"):
        find_button(pilot, f"home.feature.{tile}")
    assert not band_shown(pilot)
    # the end list still says what was done with the helper
    pilot.tap("bar.finish")
    pilot.tap("confirm.yes")
    assert app.nav.current.name == "end"
    assert (app.nav.current.qr is not None and bool(app.nav.current.assisted_lines)) == was_given


def test_no_thanks_leaves_the_patient_alone(pilot, helper, clean_space):
    app = pilot.app
    quick_start(pilot, helper)
    assisted = assisted_session(app)
    pilot.tap("assisted.no")
    assert assisted.state is ConsentState.REFUSED and not assisted.allows("documents")
    assert app.nav.current.name == "assisted.refused" and not band_shown(pilot)
    assert "La personne qui vous aide ne voit rien de vous." in pilot.texts()
    assert PATIENT_SESSION not in app.session.data
    pilot.tap("assisted.continue")
    assert app.nav.current.name == "sign_in"  # Home is never shown before the sign-in


def test_wrong_pin_then_lockout_pin_never_shown(pilot):
    app = pilot.app
    store = app.services.store
    if store.helpers.get("2002") is None:
        store.helpers.add("2002", "Léa Durand", "France Services", "246813")
    pilot.tap("welcome.helper")
    type_digits(pilot, "2002")
    pilot.tap("assisted.next")
    # too short: said, nothing checked
    type_digits(pilot, "97")
    pilot.tap("assisted.ok")
    assert "Le code PIN a au moins 6 chiffres : continuez à taper." in pilot.texts()
    assert "2 chiffres tapés." in pilot.texts()  # kept: the helper goes on typing
    pilot.tap("pad.clear")
    type_digits(pilot, "975310")
    spoken = app.describe().spoken_text(app.look.catalog)
    assert not any("975310" in t for t in pilot.texts(everywhere=True)) and "975310" not in spoken
    assert "6 chiffres tapés." in pilot.texts()
    pilot.tap("assisted.ok")
    # one sentence, and another try: the PIN is cleared, the identifier kept
    assert app.nav.current.name == "assisted.helper_pin"
    assert "Identifiant ou code faux : réessayez." in pilot.texts() and "0 chiffre tapé." in pilot.texts()
    for _ in range(3):  # three more wrong PINs (checked by the real store, as the screen does)
        assert not store.helpers.verify_pin("2002", "864200").ok
    type_digits(pilot, "975310")
    pilot.tap("assisted.ok")  # the fifth: the account locks
    assert "Compte bloqué 5 minutes : trop de codes faux." in pilot.texts()
    # even the right PIN is refused while locked; no session, no band
    type_digits(pilot, "246813")
    pilot.tap("assisted.ok")
    assert "Compte bloqué 5 minutes : trop de codes faux." in pilot.texts()
    assert assisted_session(app) is None and app.session.state.value == "idle" and not band_shown(pilot)
    pilot.tap("assisted.change_identifier")
    pilot.tap("assisted.cancel")
    assert app.nav.current.name == "welcome" and app.session.data == {}


def test_band_goes_with_the_session_timeout(pilot, helper, clean_space):
    app = pilot.app
    quick_start(pilot, helper)
    consent(pilot, "documents")
    assisted = assisted_session(app)
    assert band_shown(pilot)
    pilot.advance(app.session.timeout_s + 2, step=10)
    assert app.nav.current.name == "end" and not band_shown(pilot)
    assert assisted.state is ConsentState.ENDED
    pilot.tap("end.again")
    assert app.nav.current.name == "welcome" and not app.shell.bands.children


def test_identity_from_storage_account(helper):
    identity = HelperIdentity.of(helper)
    assert identity.display_name == DEMO_HELPER_NAME and DEMO_HELPER_NAME not in repr(identity)


# -- a helper with a second factor, and locks said as they are ----------------------------------

TOTP_HELPER, TOTP_PIN = "3003", "468024"


def fresh_helper(store, identifier: str, pin: str, **kw):
    if store.helpers.get(identifier) is not None:  # the store lives as long as the test run
        store.helpers.remove(identifier)
    return store.helpers.add(identifier, "Paul Test", "Pharmacie du Port", pin, **kw)


def test_a_totp_helper_signs_in_with_the_code_on_the_same_pad(pilot, clean_space):
    import pyotp

    from kiosk.services.storage.helper_accounts import new_totp_secret

    app = pilot.app
    store = app.services.store
    secret = new_totp_secret()
    fresh_helper(store, TOTP_HELPER, TOTP_PIN, totp_secret=secret)
    sign_in_helper(pilot, TOTP_HELPER, TOTP_PIN)
    # the PIN is right: a third step, on the same pad, before anything starts
    assert app.nav.current.name == "assisted.helper_code"
    assert "Tapez le code de votre application." in pilot.texts()
    assert "Étape 3 sur 3" in pilot.texts(everywhere=True)
    assert all(f"pad.{d}" in names(pilot) for d in "0123456789")
    assert assisted_session(app) is None and not band_shown(pilot)

    right = pyotp.TOTP(secret).at(app.clock.now())
    wrong = "000000" if right != "000000" else "111111"
    type_digits(pilot, wrong[:3])
    pilot.tap("assisted.ok")
    assert "Le code a 6 chiffres : continuez à taper." in pilot.texts() and "3 chiffres tapés." in pilot.texts()
    pilot.tap("pad.clear")
    type_digits(pilot, wrong)
    pilot.tap("assisted.ok")
    assert app.nav.current.name == "assisted.helper_code"  # another try, without the PIN again
    assert "Code faux : tapez le code affiché maintenant." in pilot.texts()

    type_digits(pilot, right)
    spoken = app.describe().spoken_text(app.look.catalog)
    assert not any(right in t for t in pilot.texts(everywhere=True)) and right not in spoken
    assert "6 chiffres tapés." in pilot.texts()
    pilot.tap("assisted.ok")
    assert app.nav.current.name == "sign_in"
    assisted = assisted_session(app)
    assert assisted is not None and assisted.helper.display_name == "Paul Test"
    signed_in = [e for e in store.journal.entries() if e.action is AuditAction.HELPER_SIGNED_IN][-1]
    assert dict(signed_in.details) == {"mode": "totp"}


def test_the_demo_helper_has_no_second_factor(pilot, helper):
    assert not helper.totp
    sign_in_helper(pilot)
    assert pilot.app.nav.current.name == "sign_in"


def set_failures(store, identifier: str, failures: int) -> None:
    """Behind the screens' back: the failures counted so far, so one more tap reaches a lock."""
    with store.store.transaction() as db:
        db.execute("UPDATE helper SET failed_count = ?, locked_until = NULL, held_for_admin = 0 "
                   "WHERE identifier = ?", (failures, identifier))


def test_the_lock_message_follows_the_real_duration(pilot):
    app = pilot.app
    store = app.services.store
    fresh_helper(store, "3004", "246813")
    set_failures(store, "3004", 9)
    sign_in_helper(pilot, "3004", "975310")  # the tenth failure: one hour
    assert "Compte bloqué 1 heure : trop de codes faux." in pilot.texts()
    set_failures(store, "3004", 4)
    pilot.tap("pad.clear")
    type_digits(pilot, "975310")
    pilot.tap("assisted.ok")  # the fifth: five minutes
    assert "Compte bloqué 5 minutes : trop de codes faux." in pilot.texts()
    set_failures(store, "3004", 14)
    type_digits(pilot, "975310")
    pilot.tap("assisted.ok")  # the fifteenth: until the administrator unlocks it
    message = "Compte bloqué après trop de codes faux : demandez à l'administrateur."
    assert message in pilot.texts()
    type_digits(pilot, "246813")
    pilot.tap("assisted.ok")  # even the right PIN
    assert message in pilot.texts() and assisted_session(app) is None
    store.helpers.unlock("3004")
    type_digits(pilot, "246813")
    pilot.tap("assisted.ok")
    assert app.nav.current.name == "sign_in"


def test_a_code_too_late_goes_back_to_the_pin(pilot):
    from kiosk.services.storage.helper_accounts import new_totp_secret

    app = pilot.app
    store = app.services.store
    fresh_helper(store, "3005", TOTP_PIN, totp_secret=new_totp_secret())
    sign_in_helper(pilot, "3005", TOTP_PIN)
    assert app.nav.current.name == "assisted.helper_code"
    store.helpers.forget_tickets()  # as if the few minutes were over
    type_digits(pilot, "123456")
    pilot.tap("assisted.ok")
    assert app.nav.current.name == "assisted.helper_pin"
    assert "Temps dépassé : tapez de nouveau votre code PIN." in pilot.texts()
    assert "0 chiffre tapé." in pilot.texts()
    pilot.tap("assisted.change_identifier")
    pilot.tap("assisted.cancel")
    assert app.nav.current.name == "welcome" and app.session.data == {}


def test_leaving_between_pin_and_code_makes_the_ticket_worthless(pilot):
    import pyotp

    from kiosk.services.storage.helper_accounts import new_totp_secret

    app = pilot.app
    store = app.services.store
    secret = new_totp_secret()
    fresh_helper(store, "3006", TOTP_PIN, totp_secret=secret)
    sign_in_helper(pilot, "3006", TOTP_PIN)
    ticket = app.session.data["ui.assisted.helper_sign_in"]._ticket  # the store's, between PIN and code
    assert ticket and app.nav.current.name == "assisted.helper_code"
    pilot.tap("assisted.change_identifier")
    assert app.nav.current.name == "assisted.helper_sign_in"
    assert store.helpers.verify_code(ticket, pyotp.TOTP(secret).at(app.clock.now())).status.value == "expired"
    pilot.tap("assisted.cancel")
    assert app.nav.current.name == "welcome" and app.session.data == {}
