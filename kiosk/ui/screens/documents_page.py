"""The page of the document viewer: words in a large font, or a PDF page / picture, one part at a time.

`PageArea` shows the page the flow is at, `zoom` times the size that makes it readable (a
PDF page as wide as the area, a picture whole). When it does not fit, it is cut into parts
("Partie 2 sur 3") that the viewer's Suivant / Précédent go through. Pixels come from
kiosk.services.documents.pdf_pages; here they only become a texture.
"""

from __future__ import annotations

import re
from typing import Any

from kivy.graphics import Color, Line, Rectangle
from kivy.graphics.texture import Texture
from kivy.uix.stencilview import StencilView

from kiosk.services.documents.page_regions import InkMap, Region, region_at, regions
from kiosk.services.documents.pdf_pages import PDF, PageImage, PdfFile, UnreadableDocument, crop_image, open_image
from kiosk.ui.look import look
from kiosk.ui.widgets import A11y, Measured, Stack, Text, measure, rgb

PAGE_MARGIN_MM = 4.0
#: Pixels per point of the small drawing of a PDF page that says where its ink is.
INK_SCALE = 1.5


# --- pixels to texture -------------------------------------------------------------------

def texture_of(image: PageImage) -> Texture:
    """The only thing the UI does with a page image: put its pixels in a texture."""
    texture = Texture.create(size=(image.width, image.height), colorfmt="rgba")
    texture.blit_buffer(image.rgba, colorfmt="rgba", bufferfmt="ubyte")
    texture.flip_vertical()  # the image's rows go top down, OpenGL's bottom up
    texture.mag_filter = "linear"
    texture.min_filter = "linear"
    return texture


class ZoomText(Text):
    """Words of a text page, in the body font times the zoom."""

    def __init__(self, raw: str, zoom: float, **kwargs: Any) -> None:
        self.zoom = zoom
        super().__init__(raw=raw, style="body", on="surface", **kwargs)

    def refresh(self) -> None:
        super().refresh()
        self.font_size = round(look().font_px("body") * self.zoom)
        self._wrap()


_TOKENS = re.compile(r"\n|[^\s]+")


def _join(tokens: list[str]) -> str:
    out = ""
    for token in tokens:
        if token == "\n":
            out += "\n"
        else:
            out += ("" if not out or out.endswith("\n") else " ") + token
    return out.strip("\n")


def split_text(text: str, font_px: int, width: int, height: float) -> list[str]:
    """Cut a page's text, between words, into parts that each fit `width` x `height` pixels."""
    tokens = _TOKENS.findall(text)
    parts: list[str] = []
    start = 0
    while start < len(tokens):
        while start < len(tokens) and tokens[start] == "\n":
            start += 1
        if start >= len(tokens):
            break
        lo, hi = start + 1, len(tokens)
        while lo < hi:  # the most words that still fit
            mid = (lo + hi + 1) // 2
            if measure(_join(tokens[start:mid]), font_px, False, width)[1] <= height:
                lo = mid
            else:
                hi = mid - 1
        parts.append(_join(tokens[start:lo]))
        start = lo
    return parts or [""]


class PageArea(Measured, StencilView):
    """One page of the document, or one part of it when it does not fit at this size.

    Text pages are words in a large font; PDF pages and images are pictures drawn at
    `zoom` times the size that shows the whole page. Nothing is drawn outside the area.
    """

    fill = True

    def __init__(self, viewer: "ViewerScreen", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.viewer = viewer
        self.flow = viewer.flow
        self.part, self.parts = 0, 1
        self.want_last_part = False
        self.text: ZoomText | None = None
        self.message: Text | None = None
        self.shown_size: tuple[float, float] = (0, 0)  # the page (picture) as drawn, in pixels
        self._pdf: PdfFile | None = None
        self._image: PageImage | None = None
        self._texture: Texture | None = None
        self._texture_key: tuple | None = None
        self._ink_map: InkMap | None = None
        self._ink_key: tuple | None = None
        self.regions: list[Region] = []
        self.shown_region: Region | None = None
        #: the place on the page, in page units (its top-left corner): zoom keeps it in view
        self.anchor: tuple[float, float] | None = None
        self._shown_part = 0
        with self.canvas.before:
            self._bg_colour = Color()
            self._bg = Rectangle()
        with self.canvas:
            self._page_colour = Color(1, 1, 1, 1)
            self._page = Rectangle()
        with self.canvas.after:
            self._edge_colour = Color()
            self._edge = Line(width=1)
        self.bind(pos=self.layout_page, size=self.layout_page)

    def wanted_height(self, width: float) -> float:
        return 0

    # -- what is shown ------------------------------------------------------------------------
    def open_content(self) -> None:
        """Read the binary content once (a PDF is kept open while the page is on screen)."""
        self.close()
        data = self.flow.data
        if data is None:
            return
        try:
            if self.flow.media_type == PDF:
                self._pdf = PdfFile(data)
                if self.flow.page_count != self._pdf.page_count:
                    self.flow.set_page_count(self._pdf.page_count)
            else:
                self._image = open_image(data)
        except UnreadableDocument:
            self._pdf, self._image = None, None

    def close(self) -> None:
        if self._pdf is not None:
            self._pdf.close()
        self._pdf, self._image, self._texture, self._texture_key = None, None, None, None
        self._ink_map, self._ink_key = None, None

    @property
    def unreadable(self) -> bool:
        return not self.flow.is_text and self._pdf is None and self._image is None

    def page_text(self) -> str | None:
        """The words of the page for the voice: a text page, or a PDF's text layer."""
        if self.flow.is_text:
            return self.flow.page_text
        if self._pdf is not None:
            try:
                return self._pdf.page_text(self.flow.page_number) or None
            except (IndexError, ValueError):
                return None
        return None

    # -- geometry -------------------------------------------------------------------------------
    def _inner(self) -> tuple[float, float, float, float]:
        m = look().mm(PAGE_MARGIN_MM)
        return self.x + m, self.y + m, max(1.0, self.width - 2 * m), max(1.0, self.height - 2 * m)

    def layout_page(self, *_: Any) -> None:
        if self.width <= 1 or self.height <= 1 or self.flow.content is None:
            return
        lk = look()
        self._bg_colour.rgba = lk.rgba("surface" if self.flow.is_text else "bg")
        self._bg.pos, self._bg.size = self.pos, self.size
        self._edge_colour.rgba = lk.rgba("surface_edge")
        self._edge.width = lk.line_px() / 2
        self._edge.rectangle = (self.x + 1, self.y + 1, self.width - 2, self.height - 2)
        for child in list(self.children):
            self.remove_widget(child)
        self.text = self.message = None
        self._page.texture, self._page.size = None, (0, 0)
        if self.flow.is_text:
            self._layout_text()
        elif self.unreadable:
            self._layout_message("screens.documents.viewer.unreadable")
        else:
            self._layout_picture()
        self.viewer.on_page_laid_out()

    def _settle_part(self, parts: int) -> None:
        self.parts = max(1, parts)
        if self.want_last_part:
            self.part, self.want_last_part = self.parts - 1, False
        self.part = max(0, min(self.part, self.parts - 1))

    def _layout_message(self, key: str) -> None:
        x, y, w, h = self._inner()
        self._settle_part(1)
        self.message = Text(key=key, style="strong", on="surface", size_hint=(None, None))
        self.message.width = w
        self.message._wrap()
        self.message.pos = (x, y + h - self.message.height)
        self.add_widget(self.message)

    def _layout_text(self) -> None:
        x, y, w, h = self._inner()
        font = round(look().font_px("body") * self.flow.zoom)
        parts = split_text(self.flow.page_text or "", font, int(w), h)
        self._settle_part(len(parts))
        self.text = ZoomText(parts[self.part], self.flow.zoom, size_hint=(None, None))
        self.text.width = w
        self.text._wrap()
        self.text.pos = (x, y + h - self.text.height)
        self.add_widget(self.text)
        self.shown_size = (w, self.text.height)

    def _natural_size(self) -> tuple[float, float]:
        if self._pdf is not None:
            return self._pdf.page_size(self.flow.page_number)
        assert self._image is not None
        return float(self._image.width), float(self._image.height)

    def _ink(self) -> InkMap | None:
        """Where the page's ink is (to cut regions between lines and words), once per page."""
        key = ("ink", self.flow.page_number)
        if self._ink_key != key:
            try:
                if self._pdf is not None:
                    self._ink_map = InkMap(self._pdf.render(self.flow.page_number, INK_SCALE), INK_SCALE)
                else:
                    self._ink_map = InkMap(self._image, 1.0)
            except (UnreadableDocument, IndexError, ValueError):
                self._ink_map = None
            self._ink_key = key
        return self._ink_map

    def _layout_picture(self) -> None:
        """The region of the page that holds the place (`anchor`), drawn at `zoom`; its edges between words."""
        x, y, w, h = self._inner()
        nat_w, nat_h = self._natural_size()
        # a PDF page starts as wide as the area (its words readable), a picture whole
        base = w / nat_w if self._pdf is not None else min(w / nat_w, h / nat_h)
        scale = base * self.flow.zoom
        self.regions = regions(self._ink(), (nat_w, nat_h), (w / scale, h / scale))
        if self.want_last_part:
            index, self.want_last_part = len(self.regions) - 1, False
        elif self.part != self._shown_part:  # a caller chose the part itself (Suivant by number)
            index = max(0, min(self.part, len(self.regions) - 1))
        elif self.anchor is not None:
            index = region_at(self.regions, *self.anchor)
        else:
            index = 0
        self.part, self.parts = index, len(self.regions)
        self._shown_part = index
        region = self.regions[index]
        self.anchor = (region.left + 0.5, region.top + 0.5)
        dw, dh = region.width * scale, region.height * scale
        left = x + (w - dw) / 2 if dw < w - 1 else x
        bottom = y + h - dh if dh < h - 1 or self.parts > 1 else y + (h - dh) / 2
        self._page.texture = self._texture_for(scale, region)
        self._page.pos, self._page.size = (left, bottom), (dw, dh)
        self.shown_size = (nat_w * scale, nat_h * scale)
        self.shown_region = region

    def go_to(self, index: int) -> None:
        region = self.regions[max(0, min(index, len(self.regions) - 1))]
        self.anchor = (region.left + 0.5, region.top + 0.5)
        self.layout_page()

    def _texture_for(self, scale: float, region: Region) -> Texture:
        """A PDF region is drawn at the size shown (sharp at every zoom); a picture's is cut from it."""
        key = (self.flow.page_number, round(scale, 3), region)
        if key != self._texture_key:
            if self._pdf is not None:
                image = self._pdf.render_region(self.flow.page_number, scale,
                                                (region.left, region.top, region.right, region.bottom))
            else:
                image = crop_image(self._image, (region.left, region.top, region.right, region.bottom))
            self._texture = texture_of(image)
            self._texture_key = key
        return self._texture

    def a11y(self) -> A11y:
        # the page's frame is a control-like edge around the document
        return A11y("icon", "document_page", fg=rgb("surface_edge"), bg=rgb("bg"))


class FitStack(Stack):
    """A column that leaves out its `optional` children (first ones first) when they do not all fit."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.optional: list[Any] = []

    def do_layout(self, *args: Any) -> None:
        if self.height > 1 and self.optional:
            inner = self._inner_width()
            for child in self.optional:
                child.hidden, child.opacity = False, 1
            for child in self.optional:
                kids = [k for k in self.children if not getattr(k, "hidden", False) and not getattr(k, "fill", False)]
                need = sum(k.wanted_height(inner) for k in kids) + self.spacing * max(0, len(kids) - 1) \
                    + self.padding[1] + self.padding[3]
                if need <= self.height:
                    break
                child.hidden, child.opacity = True, 0
        super().do_layout(*args)


__all__ = ["FitStack", "PageArea", "ZoomText", "split_text", "texture_of"]
