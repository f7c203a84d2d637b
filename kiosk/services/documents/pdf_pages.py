"""PDF and image pages for the document viewer, with pypdfium2 and Pillow (no Kivy here).

The screen asks for a page as pixels and only turns them into a texture:

    with PdfFile(content.data) as pdf:
        pdf.page_count                         # 2
        image = pdf.render(1, scale=1.5)       # PageImage: width, height, rgba (rows top to bottom)
        pdf.page_text(1)                       # the text layer, for the voice (private content)

``count_pages(content)`` is the page counter given to ``DocumentsFlow``; ``open_image``
decodes a PNG or JPEG document the same way. A damaged file raises ``UnreadableDocument``,
whose message never holds any of the content.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

import pypdfium2
from PIL import Image

from kiosk.core.models import DocumentContent

PDF = "application/pdf"
#: PDF points per inch: scale 1 draws one pixel per point (72 dpi).
POINTS_PER_INCH = 72
#: The largest side a page is ever drawn at, in pixels (a zoomed page stays a few MB).
MAX_SIDE_PX = 6000


class UnreadableDocument(Exception):
    """The PDF or image cannot be read. Carries no content: only what kind of file it was."""

    def __init__(self, kind: str) -> None:
        super().__init__(f"unreadable {kind}")
        self.kind = kind


@dataclass(frozen=True)
class PageImage:
    """A page as pixels: RGBA, 4 bytes a pixel, rows from the top of the page down."""

    width: int
    height: int
    rgba: bytes

    def __post_init__(self) -> None:
        if len(self.rgba) != self.width * self.height * 4:
            raise ValueError("rgba size does not match width x height x 4")

    def png(self) -> bytes:
        out = io.BytesIO()
        Image.frombytes("RGBA", (self.width, self.height), self.rgba).save(out, format="PNG")
        return out.getvalue()

    def __repr__(self) -> str:  # the pixels are health data: never in a repr or a log
        return f"PageImage({self.width}x{self.height})"


def _as_image(picture: Image.Image) -> PageImage:
    rgba = picture.convert("RGBA")
    return PageImage(rgba.width, rgba.height, rgba.tobytes())


class PdfFile:
    """An open PDF (from bytes); pages are numbered from 1 like the viewer's "Page 1 sur 2"."""

    def __init__(self, data: bytes) -> None:
        try:
            self._pdf = pypdfium2.PdfDocument(bytes(data))
            self.page_count = len(self._pdf)
        except (pypdfium2.PdfiumError, ValueError, TypeError):
            raise UnreadableDocument("pdf") from None
        if self.page_count < 1:
            self.close()
            raise UnreadableDocument("pdf")

    def __enter__(self) -> "PdfFile":
        return self

    def __exit__(self, *_: Any) -> None:
        self.close()

    def close(self) -> None:
        pdf = getattr(self, "_pdf", None)
        if pdf is not None:
            pdf.close()
            self._pdf = None

    def _page(self, number: int):
        if self._pdf is None:
            raise ValueError("the PDF is closed")
        if not 1 <= number <= self.page_count:
            raise IndexError(f"page {number} of {self.page_count}")
        return self._pdf[number - 1]

    def page_size(self, number: int) -> tuple[float, float]:
        """Width and height of a page in PDF points (1/72 inch)."""
        page = self._page(number)
        try:
            width, height = page.get_size()
        finally:
            page.close()
        return float(width), float(height)

    def render(self, number: int, scale: float = 1.0) -> PageImage:
        """The page drawn at `scale` pixels per point (capped so no side passes MAX_SIDE_PX)."""
        width, height = self.page_size(number)
        scale = max(0.05, min(float(scale), MAX_SIDE_PX / max(width, height, 1.0)))
        page = self._page(number)
        try:
            bitmap = page.render(scale=scale, may_draw_forms=True)
            try:
                return _as_image(bitmap.to_pil())
            finally:
                bitmap.close()
        except pypdfium2.PdfiumError:
            raise UnreadableDocument("pdf") from None
        finally:
            page.close()

    def render_region(self, number: int, scale: float, box: tuple[float, float, float, float]) -> PageImage:
        """Only a part of the page, drawn at `scale`: `box` is (left, top, right, bottom) in points
        from the top-left corner. A zoomed page is drawn a screen at a time, sharp and small."""
        width, height = self.page_size(number)
        left, top, right, bottom = (max(0.0, min(v, lim)) for v, lim in zip(box, (width, height, width, height)))
        scale = max(0.05, min(float(scale), MAX_SIDE_PX / max(right - left, bottom - top, 1.0)))
        page = self._page(number)
        try:
            # pdfium's crop is what is taken off each side: left, bottom, right, top
            bitmap = page.render(scale=scale, may_draw_forms=True,
                                 crop=(left, height - bottom, width - right, top))
            try:
                return _as_image(bitmap.to_pil())
            finally:
                bitmap.close()
        except pypdfium2.PdfiumError:
            raise UnreadableDocument("pdf") from None
        finally:
            page.close()

    def page_text(self, number: int) -> str:
        """The words of the page's text layer ("" for a scanned page), lines kept."""
        page = self._page(number)
        try:
            text_page = page.get_textpage()
            try:
                text = text_page.get_text_range()
            finally:
                text_page.close()
        finally:
            page.close()
        return "\n".join(line.strip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")).strip()


def page_count(data: bytes) -> int:
    with PdfFile(data) as pdf:
        return pdf.page_count


def render_page(data: bytes, number: int, scale: float = 1.0) -> PageImage:
    with PdfFile(data) as pdf:
        return pdf.render(number, scale)


def page_text(data: bytes, number: int) -> str:
    with PdfFile(data) as pdf:
        return pdf.page_text(number)


def open_image(data: bytes) -> PageImage:
    """A PNG or JPEG document as pixels."""
    try:
        with Image.open(io.BytesIO(bytes(data))) as picture:
            picture.load()
            return _as_image(picture)
    except (OSError, ValueError, Image.DecompressionBombError):
        raise UnreadableDocument("image") from None


def crop_image(image: PageImage, box: tuple[float, float, float, float]) -> PageImage:
    """A part of a picture: `box` is (left, top, right, bottom) in its pixels."""
    picture = Image.frombytes("RGBA", (image.width, image.height), image.rgba)
    left, top, right, bottom = (int(round(v)) for v in box)
    return _as_image(picture.crop((max(0, left), max(0, top), max(left + 1, right), max(top + 1, bottom))))


def count_pages(content: DocumentContent) -> int:
    """The page counter of ``DocumentsFlow``: a PDF's pages, 1 for an image, the text pages."""
    if content.is_text:
        return len(content.pages)
    if content.media_type == PDF:
        try:
            return page_count(content.data or b"")
        except UnreadableDocument:
            return 1  # the viewer then shows that the page cannot be read
    return 1


__all__ = ["PDF", "PageImage", "PdfFile", "UnreadableDocument", "count_pages", "crop_image", "open_image",
           "page_count",
           "page_text", "render_page"]
