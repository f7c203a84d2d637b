"""Where to cut a zoomed page so that no word is ever cut in half (no Kivy here).

A page shown bigger than the screen is read region by region with Précédent / Suivant.
The edges of the regions are put in the empty space between lines and between words:
a look at the page's ink (any pixel that differs from the page's background) says where
that space is. For a PDF the look is at a fixed small scale; the regions are in page
units (PDF points, or pixels of a picture), from the top-left corner, so the viewer can
draw each one sharp at any zoom.
"""

from __future__ import annotations

from dataclasses import dataclass

from PIL import Image

from kiosk.services.documents.pdf_pages import PageImage

#: A grey level this far from the page's background is ink.
INK_DIFFERENCE = 40
#: A cut is looked for in the last part of a region (in share of its size): regions stay large.
CUT_FROM = 0.5


@dataclass(frozen=True)
class Region:
    """A part of a page, in page units from its top-left corner."""

    left: float
    top: float
    right: float
    bottom: float

    @property
    def width(self) -> float:
        return self.right - self.left

    @property
    def height(self) -> float:
        return self.bottom - self.top

    def holds(self, x: float, y: float) -> bool:
        return self.left <= x < self.right and self.top <= y < self.bottom


class InkMap:
    """The page's ink, as a black and white picture (white = ink), `scale` pixels per page unit."""

    def __init__(self, image: PageImage, scale: float) -> None:
        grey = Image.frombytes("RGBA", (image.width, image.height), image.rgba).convert("L")
        histogram = grey.histogram()
        background = max(range(256), key=histogram.__getitem__)
        table = [255 if abs(v - background) > INK_DIFFERENCE else 0 for v in range(256)]
        self.ink = grey.point(table)
        self.scale = scale

    def _box(self, left: float, top: float, right: float, bottom: float) -> tuple[int, int, int, int]:
        s, (w, h) = self.scale, self.ink.size
        box = (int(left * s), int(top * s), int(right * s + 0.999), int(bottom * s + 0.999))
        return (max(0, min(box[0], w - 1)), max(0, min(box[1], h - 1)),
                max(1, min(box[2], w)), max(1, min(box[3], h)))

    def blank(self, left: float, top: float, right: float, bottom: float, *, rows: bool) -> list[bool]:
        """For each pixel row (rows=True) or column of the box: True when it holds no ink."""
        x0, y0, x1, y1 = self._box(left, top, right, bottom)
        x1, y1 = max(x1, x0 + 1), max(y1, y0 + 1)
        part = self.ink.crop((x0, y0, x1, y1))
        size = (1, y1 - y0) if rows else (x1 - x0, 1)
        return [v == 0 for v in part.resize(size, Image.BOX).tobytes()]

    def cut_rows(self, start: float, end: float, width: float) -> float:
        """The last blank row between `start + CUT_FROM * size` and `end` (else `end`)."""
        lo = start + CUT_FROM * (end - start)
        blank = self.blank(0.0, lo, width, end, rows=True)
        first = int(lo * self.scale)
        for index in range(len(blank) - 1, -1, -1):
            if blank[index]:
                return min(end, max(lo, (first + index + 0.5) / self.scale))
        return end

    def lines(self, top: float, bottom: float, width: float) -> list[tuple[float, float]]:
        """The lines of ink of a band (runs of rows with ink), in page units."""
        blank = self.blank(0.0, top, width, bottom, rows=True)
        first = int(top * self.scale)
        out, start = [], None
        for index, empty in enumerate(blank + [True]):
            if not empty and start is None:
                start = index
            elif empty and start is not None:
                out.append(((first + start) / self.scale, (first + index) / self.scale))
                start = None
        return out

    def cut_columns(self, left: float, right: float, band: tuple[float, float],
                    width: float) -> tuple[float, float]:
        """Where a region of a band ends on the right, and where the next one starts.

        The end is where the fewest lines have ink (between words in every line, when
        there is such a place); a word that still crosses it starts the next region, so
        every word is whole in one region (the regions overlap).
        """
        lo = left + CUT_FROM * (right - left)
        lines = self.lines(band[0], band[1], width)
        if not lines:
            return right, right
        first = int(lo * self.scale)
        profiles = [self.blank(lo, top, right, bottom, rows=False) for top, bottom in lines]
        size = min(len(p) for p in profiles)
        best, best_count = size - 1, len(lines) + 1
        for index in range(size - 1, -1, -1):
            count = sum(not p[index] for p in profiles)
            if count < best_count:
                best, best_count = index, count
                if count == 0:
                    break
        cut = min(right, (first + best + 0.5) / self.scale)
        if best_count == 0:
            return cut, cut
        # the next region starts at the first word cut here (its left edge, a blank column before it)
        start = cut
        for (top, bottom), profile in zip(lines, profiles):
            if profile[best]:
                continue
            row = self.blank(left, top, cut, bottom, rows=False)
            base = int(left * self.scale)
            for index in range(len(row) - 1, -1, -1):
                if row[index]:
                    start = min(start, (base + index + 0.5) / self.scale)
                    break
        if start <= left + 0.25 * (right - left):  # a word as wide as the screen: cut it rather than loop
            start = cut
        return cut, start


def regions(ink: InkMap | None, page_size: tuple[float, float], view: tuple[float, float]) -> list[Region]:
    """The regions of a page of `page_size` seen through a window of `view` (both in page units).

    Bands top to bottom, each band left to right, in reading order. A band ends between
    lines; a region ends between words, or the next one starts again with the word it cut.
    Without ink (nothing known about the page), plain cuts.
    """
    page_w, page_h = page_size
    view_w, view_h = max(1.0, view[0]), max(1.0, view[1])
    out: list[Region] = []
    top = 0.0
    while top < page_h - 0.5:
        bottom = min(page_h, top + view_h)
        if bottom < page_h and ink is not None:
            bottom = ink.cut_rows(top, bottom, page_w)
        left = 0.0
        while True:
            right, after = min(page_w, left + view_w), None
            if right < page_w and ink is not None:
                right, after = ink.cut_columns(left, right, (top, bottom), page_w)
            out.append(Region(left, top, right, bottom))
            if right >= page_w - 0.5:
                break
            left = after if after is not None else right
        top = bottom
    return out or [Region(0.0, 0.0, page_w, page_h)]


def region_at(found: list[Region], x: float, y: float) -> int:
    """The index of the region that holds the point (the nearest one above it otherwise)."""
    for index, region in enumerate(found):
        if region.holds(x, y):
            return index
    before = [i for i, r in enumerate(found) if r.top <= y]
    return before[-1] if before else 0


__all__ = ["InkMap", "Region", "region_at", "regions"]
