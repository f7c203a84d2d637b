"""Mes documents tapped through under Xvfb on the demo patients: categories, list, viewer, PDF, hide / show."""

from __future__ import annotations

from PIL import Image

from kiosk.core.flows.base import PATIENT_SESSION
from kiosk.core.flows.documents import DocumentsStep
from kiosk.core.flows.messages import MessagesFlow
from kiosk.core.i18n import format_date
from kiosk.core.models import Category
from kiosk.services.backend.demo import demo_sign_in_code
from kiosk.ui.flow_context import flow_context
from kiosk.ui.screens.documents import open_in_viewer
from kiosk.ui.widgets import Icon

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
    assert pilot.button(f"documents.open.{first.id}").text == (
        f"{first.type}, le {format_date(first.date.date(), 'fr')}.\nPar {first.author}.")
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


def test_text_document_page_by_page_and_zoom_changes_the_size(pilot):
    screen, flow, _ = open_document(pilot, BIO, Category.RESULTAT)
    assert flow.page_count == 2
    assert any(t.startswith("Page 1 sur 2") for t in pilot.texts())
    assert "viewer.previous" not in [b.name for b in pilot.buttons()], "nothing before the first page"
    words = screen.area.text.text
    assert words and words.split()[0] in flow.page_text
    size = screen.area.text.font_size
    pilot.tap("Agrandir")
    assert flow.zoom == 1.25 and screen.area.text.font_size == round(size * 1.25)
    pilot.tap("Agrandir")
    assert screen.area.text.font_size == round(size * 1.5)
    pilot.tap("Réduire")
    pilot.tap("Réduire")
    assert screen.area.text.font_size == size and "viewer.zoom_out" not in [b.name for b in pilot.buttons()]
    # Suivant reads every part of page 1, then page 2
    for _ in range(40):
        if flow.page_number == 2:
            break
        pilot.tap("Suivant")
    assert flow.page_number == 2 and any(t.startswith("Page 2 sur 2") for t in pilot.texts())
    assert screen.area.text.text.split()[0] in flow.page_text
    pilot.tap("Précédent")
    assert flow.page_number == 1 and screen.area.part == screen.area.parts - 1, "back to the end of page 1"
    description = pilot.app.describe()
    assert description.private and "Page 1 sur 2" in " ".join(description.lines)


def test_pdf_pages_are_drawn_and_zoom_draws_them_bigger(pilot, shots_dir):
    screen, flow, _ = open_document(pilot, PDF, Category.COMPTE_RENDU)
    assert flow.media_type == "application/pdf" and flow.page_count == 2
    area = screen.area
    pixels = region_pixels(pilot, area, shots_dir / "pdf.png")
    histogram = pixels.histogram()
    total = pixels.width * pixels.height
    dark, white = sum(histogram[:100]) / total, sum(histogram[240:]) / total
    assert dark > 0.003, "the words of the page are drawn"
    assert white > 0.3, "on a white page"
    width, height = area.shown_size
    assert abs(width - (area.width - 2 * (area.width - area._inner()[2]) / 2)) < 2, "as wide as the area"
    pilot.tap("Agrandir")
    assert area.shown_size[0] == width * 1.25 and area.shown_size[1] == height * 1.25
    assert area._texture.size[0] == round(width * 1.25) or abs(area._texture.size[0] - width * 1.25) <= 1, \
        "drawn again at the new size, not stretched"
    # the voice gets the text layer of the page (private)
    description = screen.describe()
    assert description.private and "Compte rendu de consultation d'ophtalmologie" in description.lines
    for _ in range(20):
        if flow.page_number == 2:
            break
        pilot.tap("Suivant")
    assert any(t.startswith("Page 2 sur 2") for t in pilot.texts())
    assert "Ce qu'il faut faire" in screen.describe().lines
    pixels = region_pixels(pilot, area, shots_dir / "pdf2.png")
    assert sum(pixels.histogram()[:100]) > 0.003 * pixels.width * pixels.height


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
    assert area.shown_size == (width * 1.5, height * 1.5)
    assert area.parts > 1 and any("Partie 1 sur" in t for t in pilot.texts())
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


def test_lab_values_in_words(pilot):
    app = pilot.app
    screen, flow, _ = open_document(pilot, BIO, Category.RESULTAT)
    pilot.tap("Résultats en clair")
    assert app.nav.current.name == "documents.lab"
    seen, icons = [], set()
    for _ in range(10):
        seen += pilot.texts()
        icons |= {w.name for w in pilot.widgets(Icon)}
        if "pager.next" not in [b.name for b in pilot.buttons()]:
            break
        pilot.tap("pager.next")
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
    assert {"up", "check", "down"} <= icons, "an icon beside the words, never colour alone"
    assert app.describe().private
    pilot.tap("bar.back")
    assert app.nav.current.name == "documents.viewer" and flow.step is DocumentsStep.VIEWER


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
    assert any(t.startswith("Page 1 sur 2") for t in pilot.texts())
    assert "Sortie de l'hôpital après une chute" in pilot.texts()
    pilot.tap("Agrandir")
    assert messages.viewer.zoom == 1.25
    pilot.tap("bar.back")
    assert app.nav.current.name == "agenda"
