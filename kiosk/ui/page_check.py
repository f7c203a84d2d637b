"""Checks of what shares a page, added to the accessibility checker and `kiosk shots --check`.

Rules:
  block.too_tall   a block (kiosk.ui.blocks) that no arrangement fits on its page: it is drawn cut
  block.split      a part of a block shown outside it, or not shown with it
  qr.alone         a QR code that is not in a block with the words that say what to do with it
  qr.unreadable    a QR code on screen that a reader cannot decode from the screenshot (zxing-cpp)
  page.lonely      a page, among several, that holds only a one-line instruction (a text that leads
                   to a control), the last line of a cut paragraph, or only the answers of a question
                   on the page before
  page.not_filled  a page, among several, that leaves room for the first item of the next page

Every page of every paged list is checked, not only the one on screen.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable

from kivy.uix.widget import Widget

from kiosk.ui.a11y_check import Problem, _name, window_rect
from kiosk.ui.blocks import Block
from kiosk.ui.look import look
from kiosk.ui.widgets import Button, PagedList, Text, _wanted, is_shown, measure


def _pager_lists(roots: Iterable[Widget]) -> list[PagedList]:
    return [w for root in roots for w in root.walk(restrict=True) if isinstance(w, PagedList) and is_shown(w)]


def _blocks(roots: Iterable[Widget]) -> list[Block]:
    return [w for root in roots for w in root.walk(restrict=True) if isinstance(w, Block) and is_shown(w)]


def _qr_codes(roots: Iterable[Widget]) -> list[Widget]:
    from kiosk.ui.qr import QrCode

    return [w for root in roots for w in root.walk(restrict=True) if isinstance(w, QrCode) and is_shown(w)]


def _one_line(text: Text, width: float) -> bool:
    line = measure("Hg", int(text.font_size), bool(text.bold), 10000)[1]
    return text.wanted_height(width) <= line * 1.5


def check_pages(roots: Iterable[Widget]) -> list[Problem]:
    roots = list(roots)
    problems: list[Problem] = []
    for block in _blocks(roots):
        if not block.fits or block.wanted_height(block.width) > block.height + 1.5:
            problems.append(Problem("block.too_tall", _name(block),
                                    f"{block.role} block needs {block.wanted_height(block.width):.0f} px, "
                                    f"has {block.height:.0f} px"))
        for part in block.parts:
            inside = part.parent is not None and any(node is block for node in _ancestors(part))
            if not inside or not is_shown(part):
                problems.append(Problem("block.split", _name(part), f"not shown with its {block.role} block"))
    for qr in _qr_codes(roots):
        if not any(isinstance(node, Block) and node.role == "qr" for node in _ancestors(qr)):
            problems.append(Problem("qr.alone", "QrCode", "a QR code without the words that say what it is for"))
    for paged in _pager_lists(roots):
        problems += _check_paging(paged)
    return problems


def _ancestors(widget: Widget) -> Iterable[Widget]:
    node = widget.parent
    while node is not None and node.parent is not node:
        yield node
        node = node.parent


def _check_paging(paged: PagedList) -> list[Problem]:
    pages = paged._row_pages
    if len(pages) < 2:
        return []
    problems: list[Problem] = []
    width = paged.width
    gap = look().mm(paged.spacing_mm)
    room = paged.height if paged._outside else paged.height - paged.nav.wanted_height(width) - gap
    previous: list[Widget] = []
    for number, rows in enumerate(pages, start=1):
        items = [w for row in rows for w in row]
        where = f"{type(paged).__name__} page {number} of {len(pages)}"
        lonely = len(items) == 1 and isinstance(items[0], Text) and _one_line(items[0], width)
        if lonely and (getattr(items[0], "keep_with_next", False) or getattr(items[0], "piece_of", None)):
            # an instruction away from its object, or the last line of a cut paragraph
            problems.append(Problem("page.lonely", where, f"only the line {items[0].text[:40]!r}"))
        elif (items and previous and isinstance(previous[-1], Text)
              and all(isinstance(w, Button) and not getattr(w, "row", False) and w.kind != "tile" for w in items)):
            # answers on a page of their own, their question on the page before
            problems.append(Problem("page.lonely", where, "only buttons, away from their words"))
        previous = items
        if number < len(pages):
            heights = [max(_wanted(w, paged._item_width(w, width)) for w in row) for row in rows]
            used = sum(heights) + gap * max(0, len(rows) - 1)
            nxt = pages[number][0]
            next_h = max(_wanted(w, paged._item_width(w, width)) for w in nxt)
            if getattr(nxt[-1], "keep_with_next", False) and len(pages[number]) > 1:
                # an instruction moved on with what follows it: both would have to fit here
                follow = pages[number][1]
                next_h += gap + max(_wanted(w, paged._item_width(w, width)) for w in follow)
            if used + gap + next_h <= room + 0.5:
                problems.append(Problem("page.not_filled", where, "the first item of the next page fits here"))
    return problems


def check_qr_screenshot(roots: Iterable[Widget], png: Path) -> list[Problem]:
    """Every QR code on screen is decoded from the picture, in its place, to its own text."""
    codes = _qr_codes(roots)
    if not codes:
        return []
    try:
        import zxingcpp
        from PIL import Image
    except ImportError:  # pragma: no cover - the test extras have them
        return [Problem("qr.unreadable", "QrCode", "zxing-cpp is not installed: pip install zxing-cpp")]
    picture = Image.open(png).convert("L")
    problems: list[Problem] = []
    for qr in codes:
        x, y, right, top = window_rect(qr)
        h = picture.height
        box = (max(0, int(x)), max(0, int(h - top)), min(picture.width, int(right)), min(h, int(h - y)))
        found = [r.text for r in zxingcpp.read_barcodes(picture.crop(box))]
        if getattr(qr, "payload", None) not in found:
            problems.append(Problem("qr.unreadable", _name(qr), "not decoded from the screenshot"))
    return problems


def check_app_pages(app: Any, png: Path | None = None) -> list[Problem]:
    roots = [app.overlays[-1]] if app.overlays else [app.shell]
    problems = check_pages(roots)
    if png is not None:
        problems += check_qr_screenshot(roots, png)
    return problems
