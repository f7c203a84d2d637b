"""The viewer's PDF and image pages, with the real pypdfium2 on the demo patient's PDF."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from kiosk.core.clock import FakeClock
from kiosk.core.models import DocumentContent
from kiosk.services.backend import demo_files
from kiosk.services.backend.demo import DemoHealthSpace, demo_sign_in_code
from kiosk.services.documents.pdf_pages import (
    PageImage, PdfFile, UnreadableDocument, count_pages, open_image, page_count, page_text, render_page,
)

PAULETTE = "244039999900168"
PDF_DOCUMENT = "paulette-ophtalmo-2026-06"


@pytest.fixture(scope="module")
def pdf_bytes() -> bytes:
    """The PDF as the demo backend gives it to the viewer."""
    space = DemoHealthSpace(FakeClock())
    session = space.finish_sign_in(space.start_sign_in(PAULETTE).handle, demo_sign_in_code(PAULETTE))
    content = space.get_document_content(session, PDF_DOCUMENT)
    assert content.media_type == "application/pdf"
    return content.data


def dark_share(image: PageImage) -> float:
    grey = Image.frombytes("RGBA", (image.width, image.height), image.rgba).convert("L")
    histogram = grey.histogram()
    return sum(histogram[:128]) / (image.width * image.height)


def test_page_count_and_size(pdf_bytes):
    assert page_count(pdf_bytes) == 2
    with PdfFile(pdf_bytes) as pdf:
        assert pdf.page_count == 2
        assert pdf.page_size(1) == pytest.approx((595, 842))  # A4 in points


def test_a_page_is_drawn_at_the_scale_asked(pdf_bytes):
    small = render_page(pdf_bytes, 1, 1.0)
    big = render_page(pdf_bytes, 1, 2.0)
    assert (small.width, small.height) == (595, 842)
    assert (big.width, big.height) == (1190, 1684)
    assert len(big.rgba) == big.width * big.height * 4
    # real words are drawn: some dark pixels on a mostly white page
    assert 0.002 < dark_share(small) < 0.2
    assert 0.002 < dark_share(big) < 0.2
    # the PNG is a real picture of the same size
    picture = Image.open(io.BytesIO(small.png()))
    assert picture.format == "PNG" and picture.size == (595, 842)


def test_the_pages_differ_and_the_text_layer_reads(pdf_bytes):
    assert render_page(pdf_bytes, 1, 0.5).rgba != render_page(pdf_bytes, 2, 0.5).rgba
    first, second = page_text(pdf_bytes, 1), page_text(pdf_bytes, 2)
    assert first.splitlines()[0] == "Compte rendu de consultation d'ophtalmologie"
    assert "Examen du fond de l'œil chaque année, à cause du diabète." in first
    assert second.splitlines()[0] == "Ce qu'il faut faire"
    assert "Revenir dans 6 mois pour un nouvel examen du fond de l'œil." in second
    assert "Ophtalmologue" in second and "ophtalmologie" not in second


def test_pages_outside_the_document_are_refused(pdf_bytes):
    with PdfFile(pdf_bytes) as pdf:
        with pytest.raises(IndexError):
            pdf.render(3)
        with pytest.raises(IndexError):
            pdf.page_text(0)


def test_a_huge_zoom_is_capped(pdf_bytes):
    image = render_page(pdf_bytes, 1, 50)
    assert max(image.width, image.height) <= 6000


def test_the_page_counter_of_the_flow(pdf_bytes):
    assert count_pages(DocumentContent("application/pdf", data=pdf_bytes)) == 2
    assert count_pages(DocumentContent("image/png", data=demo_files.GENERATED["radiographie"]())) == 1
    assert count_pages(DocumentContent("text/plain", pages=("a", "b", "c"))) == 3
    # a damaged PDF is one page the viewer cannot draw, not a crash
    assert count_pages(DocumentContent("application/pdf", data=b"%PDF-1.4 broken")) == 1


def test_an_image_document_as_pixels():
    png = demo_files.GENERATED["radiographie"]()
    image = open_image(png)
    expected = Image.open(io.BytesIO(png))
    assert (image.width, image.height) == expected.size
    assert image.rgba == expected.convert("RGBA").tobytes()


def test_damaged_files_give_a_typed_error_without_content():
    secret = b"%PDF-1.4 Mme Paulette Exemple diabete"
    with pytest.raises(UnreadableDocument) as caught:
        page_count(secret)
    assert str(caught.value) == "unreadable pdf" and "Paulette" not in repr(caught.value)
    with pytest.raises(UnreadableDocument):
        open_image(b"not an image")
    assert "PageImage(2x1)" == repr(PageImage(2, 1, bytes(8)))
    with pytest.raises(ValueError):
        PageImage(2, 2, bytes(8))
