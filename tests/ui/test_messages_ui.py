"""Messages tapped through under Xvfb on the demo patient Paulette Exemple (she has unread messages).

Every touch goes through the real window (kiosk.ui.testing.Pilot); what was read or sent is
checked in the demo health space itself, not only on screen.
"""

from __future__ import annotations

import pytest

from kiosk.core.flows.base import PATIENT_SESSION
from kiosk.core.i18n import format_date
from kiosk.services.backend.demo import demo_sign_in_code
from kiosk.ui.keyboard import KEY_MIN_MM, LAYERS
from kiosk.ui.look import look

RICH = "244039999900168"
RESULTS = "paulette-fil-resultats"
HOSPITAL = "paulette-fil-hopital"
LETTER = "paulette-hospi-2026-10"


@pytest.fixture()
def backend(kiosk_app):
    """The demo health space lives for the whole run: start from its first state, and leave it so."""
    space = kiosk_app.services.backend
    space.set_unavailable(False)
    space.reset()
    yield space
    space.set_unavailable(False)
    space.reset()


def open_messages(pilot, backend, ins=RICH):
    app = pilot.app
    pilot.tap("Commencer")
    assert "home.feature.messages" not in [b.name for b in pilot.buttons()], "no messages before signing in"
    session = backend.finish_sign_in(backend.start_sign_in(ins).handle, demo_sign_in_code(ins))
    app.session.data[PATIENT_SESSION] = session
    app.nav.home()
    pilot.pump()
    tile = find_button(pilot, "home.feature.messages")
    assert tile.text == "Mes messages"
    pilot.tap(tile)
    assert app.nav.current.name == "messages"
    return session


def find_button(pilot, name):
    """A button by name: back to the first page, then Suivant until its page shows."""
    for _ in range(12):
        if "pager.previous" not in [b.name for b in pilot.buttons()]:
            break
        pilot.tap("pager.previous")
    for _ in range(12):
        found = [b for b in pilot.buttons() if b.name == name]
        if found:
            return found[0]
        pilot.tap("pager.next")
    raise AssertionError(f"{name} not found")


def every_page(pilot):
    """Texts and buttons of every page of the content, in order (taps Suivant)."""
    texts, buttons = list(pilot.texts()), list(pilot.buttons())
    for _ in range(12):
        if "pager.next" not in [b.name for b in pilot.buttons()]:
            break
        pilot.tap("pager.next")
        texts += pilot.texts()
        buttons += [b for b in pilot.buttons() if b not in buttons]
    return texts, buttons


def open_thread(pilot, thread_id):
    pilot.tap(find_button(pilot, f"messages.thread.{thread_id}"))
    assert pilot.app.nav.current.name == "messages.thread"
    return pilot.app.nav.current.flow


def test_unread_first_marked_in_words_and_with_an_icon(pilot, backend):
    session = open_messages(pilot, backend)
    threads = backend.list_threads(session)
    unread = [t for t in threads if t.unread_count]
    assert 0 < len(unread) < len(threads)
    texts, buttons = every_page(pilot)
    assert "Vous avez 3 messages non lus." in texts
    items = [b for b in buttons if b.name.startswith("messages.thread.")]
    assert len(items) == len(threads)
    shown_unread = [b.text.startswith("Non lu : ") for b in items]
    assert shown_unread == sorted(shown_unread, reverse=True), "unread first"
    for button in items:
        thread = next(t for t in threads if button.name == f"messages.thread.{t.id}")
        pro = thread.professional
        status = "Non lu" if thread.unread_count else "Lu"
        last = max(thread.messages, key=lambda m: m.date)
        came = "envoyé" if last.from_patient else "reçu"
        # the date the message came, not when the medicines are ready
        assert button.text == (f"{status} : {pro.name}, {pro.profession}.\n"
                               f"{thread.subject}, {came} le {format_date(thread.last_date, 'fr')}.")
        assert button.icon.name == ("mail" if thread.unread_count else "mail_open"), "never colour alone"
    # the spoken list says who and whether it was read, the subjects only when private speech is allowed
    description = pilot.app.nav.current.describe()
    assert description.private
    assert all(thread.subject not in b for b in description.buttons for thread in threads)
    # in English, the status and the dates follow at once
    pilot.app.set_prefs(lang="en")
    pilot.pump()
    first = find_button(pilot, f"messages.thread.{unread[0].id}")
    assert "You have 3 unread messages." in pilot.texts()
    assert first.text.startswith("Not read: ") and format_date(unread[0].last_date, "en") in first.text


def test_opening_a_conversation_marks_it_read(pilot, backend):
    app = pilot.app
    session = open_messages(pilot, backend)
    assert backend.get_thread(session, RESULTS).unread_count == 1
    open_thread(pilot, RESULTS)
    description = app.nav.current.describe()  # the first page, spoken only when private speech is allowed
    assert description.private and "Vos résultats de prise de sang" in description.lines
    texts, buttons = every_page(pilot)
    assert "Vos résultats de prise de sang" in texts
    first = backend.get_thread(session, RESULTS).messages[0]
    assert f"Nouveau message de Docteur Henri Fictif, le {format_date(first.date, 'fr')} :" in texts
    assert "Le sucre est encore un peu haut, mais il baisse." in texts
    assert "messages.attachment.paulette-bio-2026-11" in [b.name for b in buttons]
    assert backend.get_thread(session, RESULTS).unread_count == 0, "read in the health space"
    pilot.tap("bar.back")
    assert app.nav.current.name == "messages"
    assert "Vous avez 2 messages non lus." in pilot.texts()
    item = find_button(pilot, f"messages.thread.{RESULTS}")
    assert item.text.startswith("Lu : ") and item.icon.name == "mail_open"


def test_ready_made_reply_is_sent_after_confirmation(pilot, backend):
    app = pilot.app
    session = open_messages(pilot, backend)
    open_thread(pilot, RESULTS)
    before = len(backend.get_thread(session, RESULTS).messages)
    pilot.tap(find_button(pilot, "messages.reply"))
    assert app.nav.current.name == "messages.reply"
    assert "Choisissez votre réponse." in pilot.texts()
    ready = [b.text for b in pilot.buttons() if b.name.startswith("messages.ready.")]
    assert ready == ["Merci, j'ai bien reçu.", "Je voudrais un rendez-vous.", "Pouvez-vous me rappeler ?"]
    assert find_button(pilot, "messages.write").text == "Écrire un message"
    pilot.tap("Je voudrais un rendez-vous.")
    assert app.nav.current.name == "messages.confirm"
    texts = pilot.texts()
    assert "Voulez-vous envoyer ce message à Docteur Henri Fictif ?" in texts
    assert "« Je voudrais un rendez-vous. »" in texts
    assert len(backend.get_thread(session, RESULTS).messages) == before, "nothing sent before Envoyer"
    pilot.tap("Modifier")  # back to the choice: another answer can be taken
    assert app.nav.current.name == "messages.reply" and app.nav.current.flow.step.name == "REPLY_CHOICE"
    pilot.tap("Je voudrais un rendez-vous.")
    assert "« Je voudrais un rendez-vous. »" in pilot.texts()
    pilot.tap("Envoyer")
    assert app.nav.current.name == "messages.thread"
    assert "Votre message est envoyé." in pilot.texts()
    after = backend.get_thread(session, RESULTS).messages
    assert len(after) == before + 1 and after[-1].from_patient and after[-1].body == "Je voudrais un rendez-vous."
    texts = pilot.texts()  # the newest first: the reply is on the page shown
    assert "Je voudrais un rendez-vous." in texts
    assert f"Vous avez écrit le {format_date(after[-1].date, 'fr')} :" in texts
    pilot.tap("bar.back")
    assert app.nav.current.name == "messages", "Retour goes to the list, not to the confirmation"


def type_on_keys(pilot, *names):
    for name in names:
        pilot.tap(f"key.{name}")


def test_typed_reply_with_an_accent_and_a_capital_then_modifier_keeps_it(pilot, backend):
    app = pilot.app
    session = open_messages(pilot, backend)
    open_thread(pilot, RESULTS)
    pilot.tap(find_button(pilot, "messages.reply"))
    pilot.tap(find_button(pilot, "messages.write"))
    screen = app.nav.current
    assert screen.name == "messages.keyboard"
    assert screen.box.label.text == "Touchez les lettres pour écrire votre message."
    pilot.tap("Majuscule")
    assert pilot.button("key.m").text == "M", "the letters are drawn as capitals"
    type_on_keys(pilot, "m")
    assert pilot.button("key.e").text == "e", "one capital only"
    type_on_keys(pilot, "e", "r", "c", "i", "space", "à", "space", "v", "o", "u", "s", "x")
    pilot.tap("Corriger")
    assert screen.flow.typed_text == "Merci à vous"
    assert screen.box.label.text == "Merci à vous|"
    pilot.tap("Continuer")
    assert app.nav.current.name == "messages.confirm"
    assert "« Merci à vous »" in pilot.texts()
    pilot.tap("Modifier")
    screen = app.nav.current
    assert screen.name == "messages.keyboard"
    assert screen.flow.typed_text == "Merci à vous" and screen.box.label.text == "Merci à vous|"
    pilot.tap("Chiffres")
    assert "key.a" not in [b.name for b in pilot.buttons()] and pilot.button("key.!").text == "!"
    type_on_keys(pilot, "space", "!")
    pilot.tap("Lettres")
    assert pilot.button("key.a").text == "a"
    pilot.tap("Continuer")
    assert "« Merci à vous ! »" in pilot.texts()
    pilot.tap("Envoyer")
    assert app.nav.current.name == "messages.thread"
    assert backend.get_thread(session, RESULTS).messages[-1].body == "Merci à vous !"
    assert "Merci à vous !" in pilot.texts()


def test_an_empty_message_cannot_be_sent(pilot, backend):
    app = pilot.app
    open_messages(pilot, backend)
    open_thread(pilot, RESULTS)
    pilot.tap(find_button(pilot, "messages.reply"))
    pilot.tap(find_button(pilot, "messages.write"))
    type_on_keys(pilot, "space")
    pilot.tap("Continuer")
    screen = app.nav.current
    assert screen.name == "messages.keyboard"
    assert screen.box.label.text == "Votre message est vide. Écrivez ou choisissez une réponse."
    from kiosk.ui.a11y_check import check_app

    assert [str(p) for p in check_app(app)] == [], "the keys keep their room"
    type_on_keys(pilot, "o", "k")
    assert screen.box.label.text == " ok|" and screen.flow.error_key is None


def test_a_failed_send_says_so_and_retry_sends_once_without_typing_again(pilot, backend):
    app = pilot.app
    session = open_messages(pilot, backend)
    open_thread(pilot, HOSPITAL)
    before = len(backend.get_thread(session, HOSPITAL).messages)
    pilot.tap(find_button(pilot, "messages.reply"))
    pilot.tap("Pouvez-vous me rappeler ?")
    backend.set_unavailable(True)  # the demo health space stops answering, for real
    pilot.tap("Envoyer")
    assert app.nav.current.name == "messages.confirm"
    assert app.shell.banner.message.text == \
        "Votre message n'est pas parti : touchez Réessayer ou demandez au pharmacien."
    assert "« Pouvez-vous me rappeler ? »" in pilot.texts(), "the text is still there"
    assert "Envoyer" not in [b.text for b in pilot.buttons()]
    pilot.tap("Réessayer")  # still down
    assert app.nav.current.name == "messages.confirm" and app.shell.banner is not None
    backend.set_unavailable(False)
    assert len(backend.get_thread(session, HOSPITAL).messages) == before, "nothing was sent"
    pilot.tap("Réessayer")
    assert app.nav.current.name == "messages.thread"
    after = backend.get_thread(session, HOSPITAL).messages
    assert len(after) == before + 1 and after[-1].body == "Pouvez-vous me rappeler ?"


def test_attachment_opens_in_the_viewer_and_retour_comes_back(pilot, backend):
    app = pilot.app
    session = open_messages(pilot, backend)
    flow = open_thread(pilot, HOSPITAL)
    title = backend.get_document(session, LETTER).title
    button = find_button(pilot, f"messages.attachment.{LETTER}")
    assert button.text == f"Voir le document joint : {title}"
    pilot.tap(button)
    assert app.nav.current.name == "documents.viewer"
    assert flow.viewer is not None and flow.viewer.document.id == LETTER
    pilot.tap("bar.back")
    assert app.nav.current.name == "messages.thread"
    assert flow.viewer is None and flow.step.name == "THREAD"
    assert "Votre sortie de l'hôpital" in pilot.texts()


def test_the_keyboard_fits_at_every_text_size(pilot, backend):
    app = pilot.app
    open_messages(pilot, backend)
    open_thread(pilot, RESULTS)
    pilot.tap(find_button(pilot, "messages.reply"))
    pilot.tap(find_button(pilot, "messages.write"))
    screen = app.nav.current
    pilot.tap("key.b")
    typed_px = {}
    for size, layer in ((1, "letters"), (1, "signs"), (4, "letters"), (4, "signs")):
        app.set_prefs(text_size=size)
        screen.keyboard.set_layer(layer)
        pilot.pump()
        shown = {b.name for b in pilot.buttons()}
        wanted = {f"key.{value}" if action == "char" else f"key.{action}"
                  for row in LAYERS[layer] for action, value, _units in row}
        assert wanted <= shown, wanted - shown
        panel_bottom = screen.panel.to_window(screen.panel.x, screen.panel.y)[1]
        bar_top = app.shell.bottom_bar.to_window(0, app.shell.bottom_bar.top)[1]
        for key in screen.keyboard.keys:
            assert look().to_mm(key.height) >= KEY_MIN_MM - 0.1 and look().to_mm(key.width) >= KEY_MIN_MM
            x, y = key.to_window(key.x, key.y)
            assert y >= bar_top - 1 and y + key.height <= panel_bottom + 1, key.name
        top_bar = app.shell.top_bar
        top_bar_bottom = top_bar.to_window(top_bar.x, top_bar.y)[1]
        done_y = screen.done.to_window(screen.done.x, screen.done.y)[1]
        assert done_y >= bar_top - 1 and done_y + screen.done.height <= top_bar_bottom + 1
        assert screen.box.label.text == "b|"
        typed_px[size] = (screen.box.label.font_size, look().font_px("body"))
    assert typed_px[4][0] > typed_px[1][0] > typed_px[1][1], "bigger than the body text, and growing with it"
    assert screen.done.text == "Continuer"


def test_every_page_passes_the_checker_at_the_largest_text_size(pilot, backend):
    """`kiosk shots` checks the first page only: here every page of the list and of a long conversation."""
    from kiosk.ui.a11y_check import check_app

    app = pilot.app
    open_messages(pilot, backend)
    app.set_prefs(text_size=4)
    pilot.pump()
    problems, seen = [], set()

    def check_every_page(name):
        while True:
            problems.extend(f"{name}: {p}" for p in check_app(app))
            seen.update(b.name for b in pilot.buttons())
            if "pager.next" not in [b.name for b in pilot.buttons()]:
                return
            pilot.tap("pager.next")

    check_every_page("messages")
    assert {f"messages.thread.{t}" for t in (RESULTS, HOSPITAL)} <= seen
    open_thread(pilot, HOSPITAL)
    check_every_page("messages.thread")
    assert f"messages.attachment.{LETTER}" in seen
    pilot.tap(find_button(pilot, "messages.reply"))
    check_every_page("messages.reply")
    assert {"messages.ready.0", "messages.ready.1", "messages.ready.2", "messages.write"} <= seen
    assert problems == [], "\n".join(problems)
