"""Mes documents tapped through under Xvfb on the demo patients: categories, list, viewer, PDF, hide / show."""

from __future__ import annotations

from PIL import Image

from kiosk.core.flows.base import PATIENT_SESSION
from kiosk.core.flows.documents import DocumentsStep
from kiosk.core.flows.messages import MessagesFlow
from kiosk.core.i18n import format_date
from kiosk.core.labels import document_type_of
from kiosk.core.models import Category
from kiosk.services.backend.demo import demo_sign_in_code
from kiosk.ui.flow_context import flow_context
from kiosk.ui.reading import words_of
from kiosk.ui.screens.documents import open_in_viewer
from kiosk.ui.widgets import Icon, Text, is_shown

RICH = "244039999900168"
LARGE = "161029999900541"           # 1,000 documents
BIO = "paulette-bio-2026-11"        # text, 2 pages, 6 lab values
PDF = "paulette-ophtalmo-2026-06"   # a real 2-page PDF
IMAGE = "paulette-radio-2026-09"    # a PNG
PRESCRIPTION = "paulette-ord-2026-11"


def sign_in(app, ins=RICH):
    backend = app.services.backend
    app.session.data[PATIENT_SESSION] = backend.finish_sign_in(backend.start_sign_in(ins).handle,
                                                               demo_sign_in_code(ins))
    return app.session.data[PATIENT_SESSION]


def open_documents(pilot, ins=RICH):
    app = pilot.app
    pilot.tap("Commencer")
    assert "home.feature.documents" not in [b.name for b in pilot.buttons()], "only once signed in"
    patient = sign_in(app, ins)
    app.nav.home()
    pilot.pump()
    pilot.tap("Mes documents")
    assert app.nav.current.name == "documents"
    return app.nav.current.flow, patient


def open_document(pilot, document_id, category=None):
    flow, patient = open_documents(pilot)
    pilot.tap(f"documents.category.{category.value if category else 'all'}")
    for _ in range(10):
        if f"documents.open.{document_id}" in [b.name for b in pilot.buttons()]:
            break
        pilot.tap("pager.next")
    pilot.tap(f"documents.open.{document_id}")
    screen = pilot.app.nav.current
    assert screen.name == "documents.viewer" and flow.step is DocumentsStep.VIEWER
    return screen, flow, patient


def region_pixels(pilot, widget, path):
    """The pixels of `widget` in a real screenshot of the window."""
    shot = Image.open(pilot.screenshot(path)).convert("L")
    x, y = widget.to_window(widget.x, widget.y)
    top = shot.height - (y + widget.height)
    return shot.crop((int(x) + 4, int(top) + 4, int(x + widget.width) - 4, int(top + widget.height) - 4))


def test_tile_categories_with_counts_and_the_list_newest_first(pilot):
    app = pilot.app
    flow, patient = open_documents(pilot)
    counts = app.services.backend.document_counts(patient)
    assert pilot.button("documents.category.ordonnance").text == f"Ordonnances\n{counts[Category.ORDONNANCE]} documents"
    assert pilot.button("documents.category.all").text == "Tous les documents\n17 documents"
    assert pilot.button("documents.category.certificat").text == "Certificats\n1 document"

    pilot.tap("documents.category.all")
    assert app.nav.current.name == "documents.list"
    assert "Tous les documents : 17 documents" in pilot.texts()
    first = flow.documents[0]
    # one line a document: its kind, in the kiosk's words for its code, and its day
    kind = document_type_of(app.look.catalog, first)
    assert kind == "Ordonnance de médicaments"
    assert pilot.button(f"documents.open.{first.id}").text == \
        f"{kind}, {format_date(first.date.date(), 'fr', weekday=False)}"
    # every document, page after page of the screen, newest first
    seen = []
    for _ in range(20):
        seen += [b.name.removeprefix("documents.open.") for b in pilot.buttons() if b.name.startswith("documents.open.")]
        if "pager.next" not in [b.name for b in pilot.buttons()]:
            break
        pilot.tap("pager.next")
    assert seen == [d.id for d in flow.documents] and len(seen) == 17
    dates = [d.date for d in flow.documents]
    assert dates == sorted(dates, reverse=True)
    assert "documents.list.older" not in [b.name for b in pilot.buttons()], "17 documents: one batch"
    # Retour: the categories again, and the flow follows
    pilot.tap("bar.back")
    assert app.nav.current.name == "documents" and app.nav.current.flow.step is DocumentsStep.CATEGORIES


def test_a_thousand_documents_batch_by_batch(pilot):
    app = pilot.app
    flow, _ = open_documents(pilot, LARGE)
    pilot.tap("documents.category.all")
    assert "Tous les documents : 1000 documents" in pilot.texts()
    assert "Documents 1 à 20 sur 1000" in pilot.texts()
    assert "documents.list.newer" not in [b.name for b in pilot.buttons()], "nothing newer than the first"
    first_batch = [d.date for d in flow.documents]
    pilot.tap("Documents plus anciens")
    assert app.nav.current.name == "documents.list" and flow.list_page == 2
    assert "Documents 21 à 40 sur 1000" in pilot.texts()
    assert max(d.date for d in flow.documents) <= min(first_batch), "older ones next"
    pilot.tap("Documents plus récents")
    assert [d.date for d in flow.documents] == first_batch


def every_reading_page(pilot, screen):
    """The counted words and the header of every page, tapping Suivant to the end."""
    reading = screen.reading
    pilot.pump()
    while reading.page > 0:
        pilot.tap("reading.previous")
    words, headers = [], []
    while True:
        words += reading.page_words()
        headers.append(reading.header.text)
        if reading.page >= len(reading.pages) - 1:
            return words, headers
        pilot.tap("reading.next")


def document_words(blocks):
    return [w for b in blocks if b.counted for w in words_of(b.text)]


def test_text_document_read_full_width_every_word_once_the_sender_on_every_page(pilot):
    app = pilot.app
    screen, flow, _ = open_document(pilot, PRESCRIPTION, Category.ORDONNANCE)
    reading = screen.reading
    assert reading is not None and screen.area is None, "a text document is read, not drawn"
    assert reading.width >= app.shell.width * 0.9, "full width: no side panel"
    expected = [w for page in flow.content.pages for w in words_of(page)]
    header = "De Docteur Henri Fictif, le 20 novembre 2026"
    for size in (1, 4):
        app.set_prefs(text_size=size)
        pilot.pump()
        screen = app.nav.current
        words, headers = every_reading_page(pilot, screen)
        assert words == expected, f"size {size}: nothing lost, nothing cut, in order"
        assert set(headers) == {header}, "who wrote it and when, on every page"
        assert header in screen.describe().lines
    app.set_prefs(text_size=1)
    pilot.pump()


def test_at_size_4_every_page_but_the_last_is_filled(pilot):
    app = pilot.app
    open_document(pilot, PRESCRIPTION, Category.ORDONNANCE)
    app.set_prefs(text_size=4)
    pilot.pump()
    try:
        reading = app.nav.current.reading
        room = reading.body.height
        assert len(reading.pages) > 1
        for page in reading.pages[:-1]:
            used = sum(p.height + p.gap for p in page.pieces)
            assert used >= 0.7 * room, f"{used:.0f} of {room:.0f} px"
        assert len(reading.pages) <= 12, "a prescription is not 28 parts of 2 lines"
    finally:
        app.set_prefs(text_size=1)
        pilot.pump()


def test_a_new_text_size_keeps_the_reader_at_the_same_words(pilot):
    app = pilot.app
    screen, flow, _ = open_document(pilot, PRESCRIPTION, Category.ORDONNANCE)
    pilot.tap("reading.next")
    pilot.tap("reading.next")
    first = screen.reading.place
    assert first > 0
    app.set_prefs(text_size=4)
    pilot.pump()
    try:
        reading = app.nav.current.reading
        page = reading.pages[reading.page]
        start = page.first_word
        shown = len(reading.page_words())
        assert start <= first < start + shown, "the page that holds the first word that was shown"
        assert "Précédent" in [b.text for b in pilot.buttons()]
    finally:
        app.set_prefs(text_size=1)
        pilot.pump()


def test_pdf_text_is_read_reflowed_then_the_original_page_and_back_at_the_same_place(pilot, shots_dir):
    app = pilot.app
    screen, flow, _ = open_document(pilot, PDF, Category.COMPTE_RENDU)
    assert flow.media_type == "application/pdf" and flow.page_count == 2
    expected = document_words(screen.paragraphs)
    assert expected[:5] == ["Compte", "rendu", "de", "consultation", "d'ophtalmologie"]
    assert "d'ophtalmologie" in expected and "Ophtalmologue" == expected[-1]
    words, headers = every_reading_page(pilot, screen)
    assert words == expected and set(headers) == {"De Docteure Louise Modèle-Vue, le 18 juin 2026"}
    # from the last page, the original page that holds its first word: page 2 of the PDF
    place = screen.reading.place
    pilot.tap("Voir la page d'origine")
    screen = app.nav.current
    area = screen.area
    assert area is not None and flow.page_number == 2
    pixels = region_pixels(pilot, area, shots_dir / "pdf.png")
    histogram = pixels.histogram()
    total = pixels.width * pixels.height
    assert sum(histogram[:100]) / total > 0.003, "the words of the page are drawn"
    assert sum(histogram[240:]) / total > 0.3, "on a white page"
    assert "Ce qu'il faut faire" in screen.describe().lines, "the page's words are said"
    # zoom keeps the place: the region shown still holds the corner that was shown
    width = area.shown_size[0]
    before = area.shown_region
    pilot.tap("Agrandir")
    assert abs(area.shown_size[0] - width * 1.25) < 0.5, "drawn again at the new size"
    assert area.shown_region.holds(before.left + 0.5, before.top + 0.5), "zooming does not go back to part 1"
    pilot.tap("Suivant")
    assert area.part == 1
    before = area.shown_region
    pilot.tap("Agrandir")
    assert area.part > 0 and area.shown_region.holds(before.left + 0.5, before.top + 0.5), "still at that place"
    pilot.tap("Revenir au texte")
    screen = app.nav.current
    assert screen.reading is not None and screen.reading.place == place, "back at the same words"


def test_zoomed_regions_never_cut_a_word_of_the_pdf():
    """Each word of the page lies whole inside at least one region, at every zoom."""
    from kiosk.services.backend.demo_files import make_pdf
    from kiosk.services.documents.page_regions import InkMap, regions
    from kiosk.services.documents.pdf_pages import PdfFile
    from kiosk.services.documents.pdf_text import page_lines

    with PdfFile(make_pdf()) as pdf:
        ink = InkMap(pdf.render(1, 1.5), 1.5)
        width, height = pdf.page_size(1)
        lines = page_lines(pdf, 1)
        for zoom in (1.0, 1.5, 2.0, 3.0):
            view = (width / zoom, width / zoom * 0.35)
            found = regions(ink, (width, height), view)
            for line in lines:
                inside = [r for r in found if r.top <= line.top and line.bottom <= r.bottom]
                assert inside, f"zoom {zoom}: a line cut between two bands"


def test_an_image_document_is_shown_whole_then_bigger(pilot, shots_dir):
    screen, flow, _ = open_document(pilot, IMAGE, Category.IMAGERIE)
    area = screen.area
    x, y, w, h = area._inner()
    width, height = area.shown_size
    assert abs(height - h) < 1 or abs(width - w) < 1, "the whole picture fits the area"
    pixels = region_pixels(pilot, area, shots_dir / "image.png")
    assert sum(1 for count in pixels.histogram() if count) > 20, "a real picture, not a blank area"
    pilot.tap("Agrandir")
    pilot.tap("Agrandir")
    assert abs(area.shown_size[0] - width * 1.5) < 0.01 and abs(area.shown_size[1] - height * 1.5) < 0.01
    assert area.parts > 1 and any("partie 1 sur" in t for t in pilot.texts())
    assert "Image du document." in screen.describe().lines


def test_hide_with_confirmation_then_show_again(pilot):
    app = pilot.app
    screen, flow, patient = open_document(pilot, PRESCRIPTION, Category.ORDONNANCE)
    backend = app.services.backend
    assert not backend.get_document(patient, PRESCRIPTION).hidden_from_professionals
    pilot.tap("Masquer ce document")
    texts = pilot.texts()
    assert "Voulez-vous masquer ce document ?" in texts
    assert "Le professionnel qui a écrit ce document le voit toujours." in texts
    assert "Votre médecin traitant le voit toujours." in texts
    pilot.tap("confirm.no")
    assert not backend.get_document(patient, PRESCRIPTION).hidden_from_professionals, "Non changes nothing"
    assert flow.step is DocumentsStep.VIEWER
    pilot.tap("Masquer ce document")
    app.set_prefs(text_size=2)  # a new text size while the question is open: the answer still counts
    pilot.pump()
    assert app.nav.current.name == "documents.viewer" and flow.step is DocumentsStep.CONFIRM_HIDE
    pilot.tap("confirm.yes")
    app.set_prefs(text_size=1)
    try:
        assert backend.get_document(patient, PRESCRIPTION).hidden_from_professionals
        app.nav.current.reading.show_word(0)  # the first page says it
        pilot.pump()
        texts = pilot.texts()
        assert "Ce document est maintenant masqué." in texts
        assert "Ce document est masqué aux professionnels." in texts
        assert "documents.show" in [b.name for b in pilot.buttons()]
        # the list says it in words, with the icon
        pilot.tap("bar.back")
        item = pilot.button(f"documents.open.{PRESCRIPTION}")
        assert item.text.endswith("Masqué aux professionnels.") and item.icon.name == "hidden"
        pilot.tap(item)
        pilot.tap("Montrer ce document")
        assert "Les professionnels qui vous soignent pourront à nouveau le voir." in pilot.texts()
        pilot.tap("confirm.yes")
        assert not backend.get_document(patient, PRESCRIPTION).hidden_from_professionals
        assert "Ce document est maintenant visible par les professionnels." in pilot.texts()
        assert app.session.activity_log.counts["document.hidden"] == 1
    finally:
        if backend.get_document(patient, PRESCRIPTION).hidden_from_professionals:  # leave the demo as it was
            backend.show_document(patient, PRESCRIPTION)


def lab_pages(pilot):
    """Every page of the results, from the first, tapping Suivant: the header, the lines drawn
    (top to bottom), the icons beside them, and what Écouter says."""
    app = pilot.app
    reading = app.nav.current.reading
    while "reading.previous" in [b.name for b in pilot.buttons()]:
        pilot.tap("reading.previous")
    heard, pages = [], []
    app.speak_hook = heard.append
    try:
        for _ in range(40):
            shown = [w for w in reading.body.walk(restrict=True) if isinstance(w, Text) and is_shown(w) and w.text]
            shown.sort(key=lambda w: -w.to_window(w.x, w.top)[1])
            icons = {w.name for w in reading.body.walk(restrict=True) if isinstance(w, Icon) and is_shown(w)}
            pilot.tap("bar.listen")
            pages.append({"header": reading.header.text, "lines": [w.text for w in shown], "icons": icons,
                          "heard": heard[-1], "texts": pilot.texts()})
            if "reading.next" not in [b.name for b in pilot.buttons()]:
                return pages
            pilot.tap("reading.next")
    finally:
        app.speak_hook = None
    raise AssertionError("more than 40 pages")


def test_lab_values_are_a_step_of_the_flow_and_retour_is_its_back(pilot):
    app = pilot.app
    screen, flow, _ = open_document(pilot, BIO, Category.RESULTAT)
    pilot.tap("Résultats en clair")
    assert app.nav.current.name == "documents.lab" and flow.step is DocumentsStep.LAB
    assert "Étape 3 sur 4" in pilot.texts(everywhere=True)
    pilot.tap("bar.back")
    assert app.nav.current.name == "documents.viewer" and flow.step is DocumentsStep.VIEWER
    assert flow.document.id == BIO
    pilot.tap("bar.back")
    assert app.nav.current.name == "documents.list" and flow.step is DocumentsStep.LIST


def test_lab_values_in_words_never_apart_from_their_range_the_sender_on_every_page(pilot):
    app = pilot.app
    screen, flow, _ = open_document(pilot, BIO, Category.RESULTAT)
    pilot.tap("Résultats en clair")
    assert app.nav.current.name == "documents.lab"
    document = flow.document
    header = f"De {document.author}, le {format_date(document.date.date(), 'fr', weekday=False)}"
    try:
        for size in (1, 4):
            app.set_prefs(text_size=size)
            pilot.pump()
            pages = lab_pages(pilot)
            if size == 4:
                assert len(pages) > 2, "the header is checked over several pages"
            seen, icons = [], set()
            for number, page in enumerate(pages, 1):
                lines = [" ".join(line.split("\n")) for line in page["lines"]]
                assert page["header"] == header and header in page["texts"], f"size {size}, page {number}"
                # a test's name and value, then (on the same page, right under it) where it sits and the range
                for index, line in enumerate(lines):
                    if " : " in line and not line.startswith("Résultat : ") and line != document.title:
                        assert index + 1 < len(lines) and lines[index + 1].startswith("Résultat : "), \
                            f"size {size}, page {number}: {line!r} without its normal range"
                    if line.startswith("Résultat : "):
                        assert index > 0 and " : " in lines[index - 1], f"size {size}: a range without its value"
                heard = page["heard"]  # Écouter: this page, who wrote it first
                assert heard.private and heard.lines[0] == header
                assert list(heard.lines[1:1 + len(lines)]) == lines
                assert heard.lines[-1] == f"Page {number} sur {len(pages)}"
                seen += lines
                icons |= page["icons"]
            check_lab_words(seen, flow)
            values = [t for t in seen if " : " in t and not t.startswith("Résultat : ") and t != document.title]
            assert len(values) == 6, "each value once"
            assert {"up", "check", "down"} <= icons, "an icon beside the words, never colour alone"
    finally:
        app.set_prefs(text_size=1)
        pilot.pump()
    pilot.tap("bar.back")
    assert app.nav.current.name == "documents.viewer" and flow.step is DocumentsStep.VIEWER


def check_lab_words(seen, flow):
    nbsp = "\u00a0"
    # the test is named in the kiosk's words from its LOINC code, not the laboratory's "(HbA1c)"
    assert f"Sucre dans le sang sur 3 mois (hémoglobine glyquée) : 7,4{nbsp}%." in seen
    assert f"Résultat : au-dessus de la normale. Valeur normale : entre 4{nbsp}% et 6{nbsp}%." in seen
    assert f"Résultat : dans la normale. Valeur normale : entre 3,5{nbsp}mmol/L et 5{nbsp}mmol/L." in seen
    # the kidneys: 58, normal 60 or more
    assert f"Résultat : en dessous de la normale. Valeur normale : 60{nbsp}mL/min ou plus." in seen
    assert f"Résultat : dans la normale. Valeur normale : 1{nbsp}g/L ou moins." in seen
    assert sum(t.startswith("Résultat : au-dessus de la normale.") for t in seen) == 2
    assert len([t for t in seen if t.startswith("Résultat : ")]) == len(flow.lab_lines) == 6


def test_open_in_viewer_for_a_message_attachment(pilot):
    app = pilot.app
    pilot.tap("Commencer")
    sign_in(app)
    app.nav.show("agenda")
    pilot.pump()
    messages = MessagesFlow(flow_context(app)).start()
    assert messages.open_thread("paulette-fil-hopital")
    assert messages.open_attachment("paulette-hospi-2026-10")
    open_in_viewer(app, messages.viewer, "agenda")
    pilot.pump()
    screen = app.nav.current
    assert screen.name == "documents.viewer" and screen.flow is messages.viewer
    # a letter in words: read full width, who wrote it and when on top
    assert screen.reading is not None and screen.area is None
    assert "De Docteure Sophie Essai-Clinique, le 2 octobre 2026" in pilot.texts()
    words, _headers = every_reading_page(pilot, screen)
    assert words == [w for page in messages.viewer.content.pages for w in words_of(page)]
    pilot.tap("bar.back")
    assert app.nav.current.name == "agenda"
