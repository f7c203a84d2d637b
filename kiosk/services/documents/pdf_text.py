"""The words of a PDF as paragraphs, for reading them reflowed at the person's text size (no Kivy here).

A PDF lays its text out in lines of a fixed width. To read it at any size, the lines
of one paragraph are joined again, and each paragraph remembers where it starts on its
page (to show "Voir la page d'origine" at the same place):

    with PdfFile(data) as pdf:
        for paragraph in pdf_paragraphs(pdf):
            paragraph.text, paragraph.page, paragraph.top, paragraph.heading

Lines come from pdfium's text rectangles. A line joins the paragraph above when it
follows it closely, in the same size of letters, and the line above ran to the right
edge without ending a sentence. A scanned page has no text: no paragraph.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass

import pypdfium2
import pypdfium2.raw as pdfium_c

from kiosk.services.documents.pdf_pages import PdfFile

#: A line in letters this much bigger than the usual ones of the page is a heading.
HEADING_RATIO = 1.15
#: The gap between two lines of one paragraph, at most, in line heights.
PARAGRAPH_GAP = 0.8
#: A line that reaches this share of the text's width was wrapped (its paragraph goes on).
FULL_LINE = 0.8
SENTENCE_ENDS = (".", "!", "?", ":", ";")


@dataclass(frozen=True)
class TextLine:
    """One line of a page, in PDF points from the top-left corner of the page."""

    text: str
    left: float
    top: float
    right: float
    bottom: float
    size: float = 0.0  # the font size of its first letter, in points

    @property
    def height(self) -> float:
        return self.bottom - self.top


@dataclass(frozen=True)
class Paragraph:
    """A paragraph of a PDF: its words, its page (from 1) and where it starts there (points from the top)."""

    text: str
    page: int
    top: float
    left: float
    heading: bool = False
    gap_before: bool = True  # space above it on the page (False: the next line of a list)

    def __repr__(self) -> str:  # the words are health data: never in a repr or a log
        return f"Paragraph(page={self.page}, top={self.top:.0f}, heading={self.heading})"


def page_lines(pdf: PdfFile, number: int) -> list[TextLine]:
    """The text lines of one page, top to bottom (pieces of one line are joined left to right)."""
    page = pdf._page(number)
    try:
        _width, height = page.get_size()
        text_page = page.get_textpage()
        try:
            pieces = []
            for index in range(text_page.count_rects()):
                left, bottom, right, top = text_page.get_rect(index)
                words = " ".join(text_page.get_text_bounded(left, bottom, right, top).split())
                if words:
                    first = text_page.get_index(left + 0.5, (top + bottom) / 2, 2, 2)
                    if first is None or first < 0:  # no letter right at the edge: the one in the middle
                        first = text_page.get_index((left + right) / 2, (top + bottom) / 2, 4, 4)
                    size = pdfium_c.FPDFText_GetFontSize(text_page.raw, first) if first is not None and first >= 0 else 0.0
                    pieces.append(TextLine(words, left, height - top, right, height - bottom, float(size)))
        finally:
            text_page.close()
    except pypdfium2.PdfiumError:
        return []
    finally:
        page.close()
    return _join_pieces(pieces)


def _join_pieces(pieces: list[TextLine]) -> list[TextLine]:
    """Pieces side by side (a table's cells, a change of font) make one line."""
    lines: list[list[TextLine]] = []
    for piece in sorted(pieces, key=lambda p: (p.top, p.left)):
        if lines:
            last = lines[-1][0]
            middle = (piece.top + piece.bottom) / 2
            if last.top <= middle <= last.bottom:
                lines[-1].append(piece)
                continue
        lines.append([piece])
    joined = []
    for parts in lines:
        parts.sort(key=lambda p: p.left)
        joined.append(TextLine(" ".join(p.text for p in parts), min(p.left for p in parts),
                               min(p.top for p in parts), max(p.right for p in parts),
                               max(p.bottom for p in parts), max(p.size for p in parts)))
    return joined


def _paragraphs_of_page(lines: list[TextLine], number: int) -> list[Paragraph]:
    if not lines:
        return []
    usual = statistics.median(line.size or line.height for line in lines)
    left_edge = min(line.left for line in lines)
    right_edge = max(line.right for line in lines)
    width = max(1.0, right_edge - left_edge)
    out: list[Paragraph] = []
    current: list[TextLine] = []
    spaced = True

    def close() -> None:
        if current:
            first = current[0]
            heading = all((line.size or line.height) > usual * HEADING_RATIO for line in current)
            out.append(Paragraph(" ".join(line.text for line in current), number, first.top, first.left, heading,
                                 spaced or heading))

    for line in lines:
        if current:
            above = current[-1]
            same_size = abs(line.size - above.size) <= 0.1 * max(line.size, above.size, 0.1)
            close_by = line.top - above.bottom <= PARAGRAPH_GAP * above.height
            wrapped = (above.right - left_edge) >= FULL_LINE * width and not above.text.endswith(SENTENCE_ENDS)
            if same_size and close_by and wrapped:
                current.append(line)
                continue
            close()
            spaced = not close_by
        current = [line]
    close()
    return out


def pdf_paragraphs(pdf: PdfFile) -> list[Paragraph]:
    """Every paragraph of the PDF, page after page."""
    out: list[Paragraph] = []
    for number in range(1, pdf.page_count + 1):
        out.extend(_paragraphs_of_page(page_lines(pdf, number), number))
    return out


def paragraphs_of(data: bytes) -> list[Paragraph]:
    with PdfFile(data) as pdf:
        return pdf_paragraphs(pdf)


__all__ = ["Paragraph", "TextLine", "page_lines", "paragraphs_of", "pdf_paragraphs"]
