"""Messages tapped through under Xvfb on the demo patient Paulette Exemple (she has unread messages).

Every touch goes through the real window (kiosk.ui.testing.Pilot); what was read or sent is
checked in the demo health space itself, not only on screen.
"""

from __future__ import annotations

from kiosk.core.flows.base import PATIENT_SESSION
from kiosk.core.i18n import format_date
from kiosk.services.backend.demo import demo_sign_in_code
from kiosk.ui.keyboard import KEY_MIN_MM, LAYERS
from kiosk.ui.look import look
from kiosk.ui.reading import words_of
from kiosk.ui.widgets import Button, Text, is_shown

RICH = "244039999900168"
RESULTS = "paulette-fil-resultats"
HOSPITAL = "paulette-fil-hopital"
LETTER = "paulette-hospi-2026-10"


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


def turn(pilot, way):
    """Précédent or Suivant of the list's pages or of the reading view, when it is there."""
    shown = [b.name for b in pilot.buttons()]
    for name in (f"pager.{way}", f"reading.{way}"):
        if name in shown:
            pilot.tap(name)
            return True
    return False


def find_button(pilot, name):
    """A button by name: back to the first page, then Suivant until its page shows."""
    for _ in range(40):
        if not turn(pilot, "previous"):
            break
    for _ in range(40):
        found = [b for b in pilot.buttons() if b.name == name]
        if found:
            return found[0]
        if not turn(pilot, "next"):
            break
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
        status = "Non lu" if thread.unread_count else "Lu"
        last = max(thread.messages, key=lambda m: m.date)
        came = "envoyé" if last.from_patient else "reçu"
        # the date the message came (not when the medicines are ready), the day only: one line
        day = format_date(thread.last_date, "fr", with_time=False, weekday=False)
        assert button.text == f"{status} : {thread.subject}, {came} le {day}"
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
    assert first.text.startswith("Not read: ")
    assert format_date(unread[0].last_date, "en", with_time=False, weekday=False) in first.text


def day_of(message):
    return format_date(message.date, "fr", with_time=False, weekday=False)


def header_of(message, new=()):
    """Who wrote a message and when, as it must stand on top of each of its pages."""
    if message.from_patient:
        return f"De vous, envoyé le {day_of(message)}"
    opening = "Nouveau message de" if message.id in new else "De"
    return f"{opening} {message.sender.name}, reçu le {day_of(message)}"


def reading_pages(pilot):
    """Every page of the conversation, from the first, tapping Suivant as a person does.

    For each page: the header, the lines drawn in the reading area (top to bottom), the names
    of the buttons shown, and what Écouter says (the app's description).
    """
    app = pilot.app
    reading = app.nav.current.reading
    for _ in range(40):
        if "reading.previous" not in [b.name for b in pilot.buttons()]:
            break
        pilot.tap("reading.previous")
    heard = []
    app.speak_hook = heard.append
    pages = []
    try:
        for _ in range(40):
            shown = [w for w in reading.body.walk(restrict=True)  # the words, not the buttons' own
                     if isinstance(w, Text) and not isinstance(w.parent, Button) and is_shown(w) and w.text]
            shown.sort(key=lambda w: -w.to_window(w.x, w.top)[1])
            names = [b.name for b in pilot.buttons()]
            pilot.tap("bar.listen")
            pages.append({"header": reading.header.text, "lines": [w.text for w in shown], "buttons": names,
                          "heard": heard[-1], "texts": pilot.texts()})
            if "reading.next" not in names:
                return pages
            pilot.tap("reading.next")
    finally:
        app.speak_hook = None
    raise AssertionError("more than 40 pages")


def test_opening_a_conversation_marks_it_read(pilot, backend):
    app = pilot.app
    session = open_messages(pilot, backend)
    assert backend.get_thread(session, RESULTS).unread_count == 1
    first = backend.get_thread(session, RESULTS).messages[0]
    open_thread(pilot, RESULTS)
    description = app.nav.current.describe()  # the first page, spoken only when private speech is allowed
    assert description.private and "Vos résultats de prise de sang" in description.lines
    pages = reading_pages(pilot)
    assert len(pages) <= 2, "a short letter: its words, then its attachment"
    lines = [line for page in pages for line in page["lines"]]
    assert lines[0] == "Vos résultats de prise de sang"
    assert {page["header"] for page in pages} == {f"Nouveau message de Docteur Henri Fictif, reçu le {day_of(first)}"}
    assert "Le sucre est encore un peu haut, mais il baisse." in lines
    assert "messages.attachment.paulette-bio-2026-11" in pages[-1]["buttons"]
    assert backend.get_thread(session, RESULTS).unread_count == 0, "read in the health space"
    pilot.tap("bar.back")
    assert app.nav.current.name == "messages"
    assert "Vous avez 2 messages non lus." in pilot.texts()
    item = find_button(pilot, f"messages.thread.{RESULTS}")
    assert item.text.startswith("Lu : ") and item.icon.name == "mail_open"


def test_a_conversation_is_read_whole_page_by_page_with_the_sender_on_every_page(pilot, backend):
    """At sizes 1 and 4: every word of every message once, in order (the newest message first),
    whole; on top of each page who wrote the words that start it, and when; Écouter says that page."""
    app = pilot.app
    session = open_messages(pilot, backend)
    thread = backend.get_thread(session, HOSPITAL)
    new = {m.id for m in thread.messages if not m.read and not m.from_patient}
    assert new and len(thread.messages) == 3
    newest_first = sorted(thread.messages, key=lambda m: m.date, reverse=True)
    open_thread(pilot, HOSPITAL)
    # what is not a message's words: the subject, and who wrote each message (where a page does not say it)
    says = {thread.subject}
    for message in newest_first:
        when = format_date(message.date, "fr")
        if message.from_patient:
            says.add(f"Vous avez écrit le {when} :")
        elif message.id in new:
            says.add(f"Nouveau message de {message.sender.name}, le {when} :")
        else:
            says.add(f"{message.sender.name} a écrit le {when} :")
    try:
        for size in (1, 4):
            app.set_prefs(text_size=size)
            pilot.pump()
            pages = reading_pages(pilot)
            assert app.nav.current.name == "messages.thread"
            if size == 4:
                assert len(pages) > 2, "at size 4 the conversation takes several pages"
            else:
                assert len(pages) <= 2, "at size 1 three short messages take at most two pages"
            words, attachments = [], []
            owner = [(message, word) for message in newest_first for word in words_of(message.body)]
            for number, page in enumerate(pages, 1):
                body = [line for line in page["lines"] if line not in says and line != "Votre message est envoyé."]
                # the header names the message the page's first words belong to (or the last one before them)
                at = owner[min(len(words), len(owner) - 1)][0]
                assert page["header"] == header_of(at, new), f"size {size}, page {number}"
                assert page["header"] in page["texts"]
                for line in body:
                    assert not line.endswith("-"), f"size {size}: a word cut: {line!r}"
                    words += words_of(line)
                attachments += [n for n in page["buttons"] if n.startswith("messages.attachment.")]
                assert "messages.reply" in page["buttons"], "Répondre on every page"
                heard = page["heard"]
                assert heard.private, "a message is spoken only on a headset or after a yes"
                assert heard.lines[0] == page["header"]
                assert [" ".join(line.split("\n")) for line in page["lines"]] == list(heard.lines[1:1 + len(page["lines"])])
                if len(pages) > 1:
                    assert heard.lines[-1] == f"Page {number} sur {len(pages)}"
                assert "Répondre" in heard.buttons
            assert words == [word for _message, word in owner], f"size {size}: every word once, in order"
            assert attachments == [f"messages.attachment.{d}" for m in newest_first for d in m.attachments]
    finally:
        app.set_prefs(text_size=1)
        pilot.pump()


def test_a_new_text_size_keeps_the_conversation_at_the_same_words(pilot, backend):
    app = pilot.app
    session = open_messages(pilot, backend)
    open_thread(pilot, HOSPITAL)
    app.set_prefs(text_size=4)
    pilot.pump()
    try:
        for _ in range(3):
            pilot.tap("reading.next")
        reading = app.nav.current.reading
        first = reading.page_words()[0]
        place = reading.place
        app.set_prefs(text_size=3)
        pilot.pump()
        reading = app.nav.current.reading
        assert reading.page > 0 and first in reading.page_words(), "the page that holds the first word shown"
        start = reading.pages[reading.page].first_word
        assert start <= place < start + len(reading.page_words())
        # back to the list and in again: the newest message, from the top
        pilot.tap("bar.back")
        open_thread(pilot, HOSPITAL)
        assert app.nav.current.reading.page == 0
        assert backend.get_thread(session, HOSPITAL).subject in pilot.texts()
    finally:
        app.set_prefs(text_size=1)
        pilot.pump()


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
    texts = pilot.texts()  # the newest first: the reply is on the page shown, under the notice
    assert "Je voudrais un rendez-vous." in texts
    assert f"De vous, envoyé le {day_of(after[-1])}" in texts
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
    # at the same place: the page of the attachment, under who sent it
    assert f"messages.attachment.{LETTER}" in [b.name for b in pilot.buttons()]
    sent = backend.get_thread(session, HOSPITAL).messages[0]
    assert sent.attachments[0] == LETTER and header_of(sent) in pilot.texts()


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
        for _ in range(40):
            problems.extend(f"{name}: {p}" for p in check_app(app))
            seen.update(b.name for b in pilot.buttons())
            shown = [b.name for b in pilot.buttons()]
            turn = next((n for n in ("pager.next", "reading.next") if n in shown), None)
            if turn is None:
                return
            pilot.tap(turn)

    check_every_page("messages")
    assert {f"messages.thread.{t}" for t in (RESULTS, HOSPITAL)} <= seen
    open_thread(pilot, HOSPITAL)
    check_every_page("messages.thread")
    assert f"messages.attachment.{LETTER}" in seen
    pilot.tap(find_button(pilot, "messages.reply"))
    check_every_page("messages.reply")
    assert {"messages.ready.0", "messages.ready.1", "messages.ready.2", "messages.write"} <= seen
    assert problems == [], "\n".join(problems)
