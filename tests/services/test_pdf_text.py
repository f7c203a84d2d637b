"""PDF text for reading: paragraphs from the demo PDF with the real pypdfium2, and zoom regions cut between words."""

from __future__ import annotations

from pathlib import Path

from kiosk.services.backend.demo_files import OPHTHALMOLOGY_REPORT, make_pdf
from kiosk.services.documents.page_regions import InkMap, region_at, regions
from kiosk.services.documents.pdf_pages import PdfFile
from kiosk.services.documents.pdf_text import page_lines, paragraphs_of

DEMO_PDF = Path(__file__).resolve().parents[2] / "assets" / "demo" / "compte-rendu-ophtalmologie.pdf"


def test_the_demo_pdf_gives_its_words_in_order_with_its_headings():
    found = paragraphs_of(DEMO_PDF.read_bytes())
    source = [line.lstrip("#") for page in OPHTHALMOLOGY_REPORT for line in page if line]
    assert " ".join(p.text for p in found).split() == " ".join(source).split(), "every word, in order"
    headings = [p.text for p in found if p.heading]
    assert headings == [line[1:] for page in OPHTHALMOLOGY_REPORT for line in page if line.startswith("#")]
    assert [p.page for p in found if p.text == "Ce qu'il faut faire"] == [2]
    assert "Compte rendu" not in repr(found[0]), "the words never in a repr"


def test_the_lines_of_one_paragraph_are_joined_again():
    long = ("Le fond de l'oeil montre quelques petites taches de sang du cote gauche qui sont le debut "
            "d'une atteinte par le diabete et il faut")
    pdf = make_pdf(((long[:95], long[95:] + " surveiller.", "Autre phrase."),))
    found = paragraphs_of(pdf)
    assert found[0].text == long + " surveiller."
    assert found[1].text == "Autre phrase."


def test_regions_follow_one_another_and_keep_every_line_whole():
    with PdfFile(DEMO_PDF.read_bytes()) as pdf:
        ink = InkMap(pdf.render(1, 1.5), 1.5)
        width, height = pdf.page_size(1)
        lines = page_lines(pdf, 1)
    for zoom in (1.0, 2.0, 3.0):
        view = (width / zoom, width / zoom * 0.4)
        found = regions(ink, (width, height), view)
        assert found[0].top == 0 and found[-1].bottom == height
        for region in found:
            assert region.width <= view[0] + 0.01 and region.height <= view[1] + 0.01
        for line in lines:
            assert any(r.top <= line.top and line.bottom <= r.bottom for r in found), "no line cut by a band"
        # the point a region starts at is found again in that region
        for index, region in enumerate(found):
            assert region_at(found, region.left + 0.5, region.top + 0.5) in (index, index - 1)
