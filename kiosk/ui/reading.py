"""Reading a document, a message or a result: full width, reflowed at the person's size, a page at a time.

`ReadingView` takes the text as blocks (`Words` paragraphs, `Inset` widgets such as an
attachment button) and cuts it into pages of whole lines at the current text size:
a word is never cut, and every page but the last is filled (a line that does not fit goes
to the next page, not the whole paragraph). On top of every page, the header ("De
Docteure Martin, le 1er décembre 2026"); at the bottom Précédent, "Page 2 sur 5",
Suivant, and the screen's tools (Voir la page d'origine, Masquer ce document …).

The place is the first word shown: `place` is its number among the counted words, and
`show_word(n)` opens the page that holds it. A screen keeps it across a new text size
(the page that holds the first word that was shown) and across the original page view.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from typing import Any, Callable, Sequence

from kivy.core.text import Label as CoreLabel
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.widget import Widget

from kiosk.ui import theme as th
from kiosk.ui.look import STYLES, look
from kiosk.ui.screen import describe_widgets
from kiosk.ui.widgets import CAPS, Button, Icon, Measured, Row, Stack, Text, measure, text_width

#: Between two paragraphs, in line heights.
PARAGRAPH_GAP = 0.45
#: Words are cut only at ordinary spaces and line ends: a no-break space keeps a number with its unit.
_SPACES = re.compile(r"[ \t\r\n]+")
#: session.data: where each document or conversation was left, so a new screen opens at the same words.
PLACE_KEY = "ui.reading.place"


def capped_font_px(style: str, cap: float) -> int:
    """The style's font size when the text size is at most `cap` (the scale of the body)."""
    lk = look()
    factor, style_cap, _bold = STYLES[style]
    return round(lk.base_px * min(min(lk.scale, cap) * factor, max(style_cap, factor)))


def nav_style() -> str:
    """The words around the text (who wrote, the page, the buttons) grow less than the text itself
    from size 3 on: the room goes to the words being read."""
    return "panel" if look().text_size <= 2 else "snug"


def words_of(text: str) -> list[str]:
    return [w for w in _SPACES.split(text) if w]


@lru_cache(maxsize=8192)
def _width(text: str, font_px: int, bold: bool) -> float:
    label = CoreLabel(text=text, font_size=font_px, font_name=th.FONT_NAME, bold=bold)
    return float(label.get_extents(text)[0])


@lru_cache(maxsize=64)
def line_height(font_px: int, bold: bool) -> float:
    return float(measure("Hg", font_px, bold, 100000)[1])


def wrap(text: str, font_px: int, bold: bool, width: float) -> list[str]:
    """The lines of `text` at `width` pixels, broken between words only.

    A word wider than a whole line (never in a letter of a few words, but a long web
    address at size 4) is the one thing cut, with a hyphen, rather than drawn off the screen.
    """
    lines: list[str] = []
    current = ""
    for word in words_of(text):
        trial = f"{current} {word}" if current else word
        if _width(trial, font_px, bold) <= width:
            current = trial
            continue
        if current:
            lines.append(current)
        current = word
        while _width(current, font_px, bold) > width and len(current) > 1:
            cut = max(1, max(i for i in range(1, len(current) + 1)
                             if i == 1 or _width(current[:i] + "-", font_px, bold) <= width))
            lines.append(current[:cut] + "-")
            current = current[cut:]
    if current:
        lines.append(current)
    return lines


# --- what is read ----------------------------------------------------------------------------

@dataclass
class Words:
    """A paragraph.

    section: the header of the pages this paragraph starts ("De …, le …").
    counted: its words are the document's words (the place counts them); a title is not.
    opens: the paragraph that says who wrote and when, inside a conversation: left out at
      the top of a page, where the header already says it.
    keep_with_next: a heading, never left alone at the bottom of a page.
    keep: all its lines on one page (a lab value with its normal range).
    """

    text: str
    style: str = "body"
    section: str | None = None
    counted: bool = True
    opens: bool = False
    keep_with_next: bool = False
    keep: bool = False
    icon: str | None = None
    #: a little space above it (a new paragraph); the lines of a list follow each other closely
    gap_before: bool = True
    source: Any = None  # where the words come from (a PDF page and place), for the original page
    #: paragraphs with the same value share a page (a lab value and its normal range); when they are
    #: taller than a whole page at the person's size, their words are capped (kiosk.ui.widgets.CAPS)
    together: Any = None


@dataclass
class Inset:
    """A widget set into the text and read in its place (an attachment's button), never cut.

    gap_before=False: right under what comes before (another button), 3 mm apart.

    Not a kiosk.ui.blocks.Block (a group of a screen that the page splitter keeps together):
    an inset lives inside a ReadingView's text, which pages by lines.
    """

    widget: Widget
    section: str | None = None
    keep_with_next: bool = False
    gap_before: bool = True


@dataclass
class Piece:
    """What one page shows of one block: some lines of a paragraph, or a whole widget."""

    index: int
    lines: list[str] = field(default_factory=list)
    first_word: int = 0
    height: float = 0.0
    gap: float = 0.0  # the space above it on its page

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


@dataclass
class Page:
    pieces: list[Piece]
    header: str

    @property
    def first_word(self) -> int | None:
        for piece in self.pieces:
            if piece.lines:
                return piece.first_word
        return None


def short_date(value: date | datetime, lang: str, today: date | None = None) -> str:
    """"1er décembre 2026" (the year left out in the current year): a date to say who wrote when."""
    from babel.dates import format_date as babel_date

    day = value.date() if isinstance(value, datetime) else value
    with_year = today is None or day.year != today.year
    if lang == "fr":
        pattern = ("'1er'" if day.day == 1 else "d") + " MMMM" + (" y" if with_year else "")
        return babel_date(day, pattern, locale="fr_FR")
    return babel_date(day, "d MMMM" + (" y" if with_year else ""), locale="en_GB")


# --- pages ---------------------------------------------------------------------------------------

class Paginator:
    """Cuts blocks into pages of `room` pixels at `width`: whole lines, pages filled."""

    def __init__(self, blocks: Sequence[Words | Inset], width: float, room: float) -> None:
        self.blocks, self.width, self.room = list(blocks), width, room
        #: block index -> the cap of its words (a group taller than a page), see `together`
        self.caps: dict[int, float] = {}
        #: block index of a group's first paragraph -> the index after its last one
        self.groups: dict[int, int] = {}

    def font_px(self, index: int) -> int:
        block = self.blocks[index]
        px = look().font_px(block.style)
        cap = self.caps.get(index)
        return px if cap is None else min(px, capped_font_px(block.style, cap))

    def _style(self, index: int) -> tuple[int, bool]:
        return self.font_px(index), look().bold(self.blocks[index].style)

    def icon_width(self, index: int) -> float:
        return self.font_px(index) * 1.3 if self.blocks[index].icon else 0.0

    def gap(self) -> float:
        return round(line_height(look().font_px("body"), False) * PARAGRAPH_GAP)

    def _lines(self, index: int) -> tuple[list[str], float]:
        font, bold = self._style(index)
        return wrap(self.blocks[index].text, font, bold, self.width - self.icon_width(index) - 2), line_height(font, bold)

    def _group_height(self, start: int, end: int, gap: float) -> float:
        height = 0.0
        for index in range(start, end):
            lines, lh = self._lines(index)
            height += len(lines) * lh + (gap if index > start and self.blocks[index].gap_before else 0)
        return height

    def _find_groups(self, gap: float) -> None:
        """Paragraphs kept together; a group taller than a page gets its words capped until it fits."""
        self.caps, self.groups = {}, {}
        index = 0
        while index < len(self.blocks):
            key = getattr(self.blocks[index], "together", None)
            end = index + 1
            while key is not None and end < len(self.blocks) and getattr(self.blocks[end], "together", None) == key:
                end += 1
            if key is not None:
                self.groups[index] = end
                for cap in CAPS:
                    if cap is not None and cap >= look().scale:
                        continue  # the person's size is already at or under this cap
                    for member in range(index, end):
                        if cap is None:
                            self.caps.pop(member, None)
                        else:
                            self.caps[member] = cap
                    if self._group_height(index, end, gap) <= self.room:
                        break
            index = end

    def pages(self) -> list[Page]:
        gap = self.gap()
        self._find_groups(gap)
        pages: list[Page] = []
        current: list[Piece] = []
        used = 0.0
        section: str = ""
        word = 0

        def close() -> None:
            nonlocal current, used
            carried: list[Piece] = []
            # a heading (or what leads to a widget) never ends a page: it goes over with what follows
            while len(current) > 1 and self._keeps_with_next(current[-1]):
                carried.insert(0, current.pop())
            pages.append(Page(current, self._header(current, section)))
            current, used = [], 0.0
            for piece in carried:
                piece.gap = piece.gap if current else 0.0
                used += piece.height + piece.gap
                current.append(piece)

        for index, block in enumerate(self.blocks):
            if block.section is not None:
                section = block.section
            space = gap if block.gap_before else 0
            if isinstance(block, Inset):
                space = space or look().mm(3)  # two buttons one under the other: 3 mm apart
                height = block.widget.wanted_height(self.width)
                if current and used + space + height > self.room:
                    close()
                piece = Piece(index, [], word, height, space if current else 0)
                used += height + piece.gap
                current.append(piece)
                continue
            lines, lh = self._lines(index)
            counts = [len(words_of(line.rstrip("-"))) if not line.endswith("-") else 0 for line in lines]
            if block.keep and current and len(lines) * lh <= self.room and used + space + len(lines) * lh > self.room:
                close()
            if index in self.groups and current:  # a value and its range: on the next page when they do not fit here
                height = self._group_height(index, self.groups[index], gap)
                if height <= self.room and used + space + height > self.room:
                    close()
            if block.opens and self._header_says(current, block):
                if block.counted:
                    word += sum(counts)
                continue  # the header of this page says it
            start = 0
            while start < len(lines):
                free = self.room - used - (space if current else 0)
                fit = int((free + 0.5) // lh)
                if fit <= 0:
                    if not current:  # a line taller than the page: shown alone rather than lost
                        fit = 1
                    else:
                        close()
                        if block.opens and not current:
                            break
                        continue
                take = lines[start:start + fit]
                piece = Piece(index, take, word, len(take) * lh, space if current else 0)
                used += piece.height + piece.gap
                current.append(piece)
                if block.counted:
                    word += sum(counts[start:start + fit])
                start += fit
                if start < len(lines):
                    close()
        if current or not pages:
            pages.append(Page(current, self._header(current, section)))
        return pages

    def _header_says(self, pieces: list[Piece], block: Words) -> bool:
        """The page's header already says who wrote `block` and when: it is the first thing on the
        page, or only words that are not read as the text (a subject) come before it, under its header."""
        if not pieces:
            return True
        for piece in pieces:
            before = self.blocks[piece.index]
            if not isinstance(before, Words) or before.counted:
                return False
        return block.section is not None and self._header(pieces, "") == block.section

    def _keeps_with_next(self, piece: Piece) -> bool:
        return bool(getattr(self.blocks[piece.index], "keep_with_next", False))

    def _header(self, pieces: list[Piece], last: str) -> str:
        if pieces:
            for index in range(pieces[0].index, -1, -1):
                section = self.blocks[index].section
                if section is not None:
                    return section
        return last


class ReadingView(Measured, BoxLayout):
    """The reading area of a screen: header, the page's words, and the row of Précédent / Suivant."""

    fill = True

    def __init__(self, blocks: Sequence[Words | Inset], *, tools: Sequence[Button] = (),
                 on_place: Callable[[int], Any] | None = None, word: int = 0, **kwargs: Any) -> None:
        super().__init__(orientation="vertical", **kwargs)
        self.blocks = list(blocks)
        self.tools = list(tools)
        self.on_place = on_place
        self.wanted_word = word
        self.page = 0
        self.pages: list[Page] = [Page([], "")]
        self.paginator = Paginator(self.blocks, 1, 1)
        self.header = Text(raw="", style=nav_style(), size_hint_y=None)
        self.body = Widget()
        self.body.bind(pos=self._place_pieces, size=self._place_pieces)
        self.prev = Button("screens.reading.previous", "prev", name="reading.previous", style=nav_style(),
                           on_activate=self.previous)
        self.next = Button("screens.reading.next", "next", name="reading.next", style=nav_style(),
                           on_activate=self.next_page)
        self.where = Text(raw="", style=nav_style(), halign="center", size_hint_y=None)
        self.nav = Stack(size_hint_y=None)
        self.shown: list[tuple[Piece, Widget]] = []
        self.add_widget(self.header)
        self.add_widget(self.body)
        self.add_widget(self.nav)
        self._size_key: tuple | None = None
        self.bind(size=self._laid_out, pos=self._laid_out)

    def wanted_height(self, width: float) -> float:
        return 0

    # -- where we are -----------------------------------------------------------------------
    @property
    def place(self) -> int:
        """The number of the first counted word of the page shown."""
        first = self.pages[self.page].first_word
        return first if first is not None else self._word_before(self.page)

    def _word_before(self, page: int) -> int:
        for index in range(page, -1, -1):
            first = self.pages[index].first_word
            if first is not None:
                return first
        return 0

    def page_of_word(self, word: int) -> int:
        """The page that shows the counted word `word` (the first page for 0: the start)."""
        if word <= 0:
            return 0
        found = 0
        for index, page in enumerate(self.pages):
            first = page.first_word
            if first is None or first > word:
                continue
            if word < first + len(self.page_words(index)):
                return index
            found = index
        return found

    def show_word(self, word: int) -> None:
        self.wanted_word = word
        self.page = self.page_of_word(word)
        self._show()

    # -- layout -------------------------------------------------------------------------------
    def refresh(self) -> None:
        self._size_key = None
        self._laid_out()

    def _laid_out(self, *_: Any) -> None:
        if self.width <= 1 or self.height <= 1:
            return
        key = (round(self.width), round(self.height), look().revision)
        if key == self._size_key:
            self._place_pieces()
            return
        self._size_key = key
        lk = look()
        gap = lk.mm(3)
        self.spacing = gap
        self._arrange_nav(self.width)
        headers = {b.section for b in self.blocks if b.section is not None} or {""}
        self.header.width = self.width
        header_h = max(measure(h, lk.font_px(nav_style()), True, int(self.width))[1] for h in headers)
        self.header.height = header_h
        room = self.height - header_h - self.nav.height - 2 * gap
        self.paginator = Paginator(self.blocks, self.width, room)
        self.pages = self.paginator.pages()
        self.page = self.page_of_word(self.wanted_word)
        self._show()

    def _arrange_nav(self, width: float) -> None:
        arrange_nav(self.nav, self.prev, self.where, self.next, self.tools, width)

    def _show(self) -> None:
        self.page = max(0, min(self.page, len(self.pages) - 1))
        page = self.pages[self.page]
        self.body.clear_widgets()
        self.shown = []
        for piece in page.pieces:
            block = self.blocks[piece.index]
            if isinstance(block, Inset):
                widget = block.widget
                if widget.parent is not None:
                    widget.parent.remove_widget(widget)
            else:
                widget = self._piece_widget(block, piece)
            self.body.add_widget(widget)
            self.shown.append((piece, widget))
        self.header.set_text(raw=page.header)
        several = len(self.pages) > 1
        self.where.set_text(raw=look().tr("screens.reading.page", n=self.page + 1, total=len(self.pages))
                            if several else "")
        self.prev.hidden = self.page == 0
        self.next.hidden = self.page >= len(self.pages) - 1
        self._place_pieces()
        if self.on_place is not None:
            self.on_place(self.place)

    def _piece_widget(self, block: Words, piece: Piece) -> Widget:
        text = Text(raw=piece.text, style=block.style, size_hint=(None, None))
        cap = self.paginator.caps.get(piece.index)
        if cap is not None:  # a group taller than a page at the person's size (see Words.together)
            text.cap = cap  # kept when the look changes
            text.font_size = self.paginator.font_px(piece.index)
            text._wrap()
        if not block.icon:
            return text
        row = Row(spacing_mm=0, size_hint=(None, None))
        size = self.paginator.font_px(piece.index) * 1.3
        icon = Icon(block.icon, size_hint=(None, None), size=(size * 0.85, size * 0.85))
        holder = Widget(size_hint=(None, 1), width=size)
        holder.add_widget(icon)
        holder.bind(pos=lambda h, _p, i=icon: setattr(i, "pos", (h.x, h.top - i.height)))
        row.add_widget(holder)
        row.add_widget(text)
        row.text = text
        return row

    def _place_pieces(self, *_: Any) -> None:
        top = self.body.top
        for piece, widget in self.shown:
            top -= piece.gap
            widget.size_hint = (None, None)
            widget.size = (self.body.width, piece.height)
            text = getattr(widget, "text", None)
            if isinstance(text, Text):
                text.size_hint = (None, None)
                text.size = (self.body.width - widget.children[-1].width, piece.height)
            widget.pos = (self.body.x, top - piece.height)
            top -= piece.height

    # -- turning pages ------------------------------------------------------------------------
    def next_page(self) -> None:
        if self.page < len(self.pages) - 1:
            self.page += 1
            self.wanted_word = self.place
            self._show()

    def previous(self) -> None:
        if self.page > 0:
            self.page -= 1
            self.wanted_word = self.place
            self._show()

    # -- words --------------------------------------------------------------------------------
    def page_words(self, page: int | None = None) -> list[str]:
        """The counted words of a page, in order (to check that nothing is lost or cut)."""
        out: list[str] = []
        for piece in self.pages[self.page if page is None else page].pieces:
            block = self.blocks[piece.index]
            if isinstance(block, Words) and block.counted:
                out += words_of(" ".join(piece.lines))
        return out

    def spoken_lines(self) -> list[str]:
        """The page as it is said: the header, each paragraph's lines as one sentence, where we are."""
        page = self.pages[self.page]
        lines = [page.header] if page.header else []
        for piece, widget in self.shown:
            if piece.lines:
                lines.append(" ".join(piece.lines))
        if self.where.text:
            lines.append(self.where.text)
        return lines

    def buttons(self) -> list[Button]:
        shown = [w for _p, w in self.shown if isinstance(w, Button)]
        nav = [b for b in (self.prev, *self.tools, self.next) if not b.hidden]
        return shown + nav


def arrange_nav(nav: Stack, prev: Button, where: Text, nxt: Button, tools: Sequence[Button], width: float) -> None:
    """Précédent, Page n sur N, the tools, Suivant on one row; the tools on a row above when too wide."""
    lk = look()
    gap = lk.mm(4)
    for w in [prev, where, nxt, *tools]:
        if w.parent is not None:
            w.parent.remove_widget(w)
    nav.clear_widgets()
    nav.spacing = lk.mm(3)
    side = max(prev.natural_width(), nxt.natural_width())
    where_w = text_width(lk.tr("screens.reading.page", n=8, total=8), lk.font_px(nav_style()), True)
    tools_w = sum(t.natural_width() for t in tools) + gap * len(tools)
    one_row = 2 * side + where_w + (2 + len(tools)) * gap <= width - tools_w + gap * len(tools)
    rows: list[Row] = []
    if tools and not one_row:
        rows.append(Row(spacing_mm=4, size_hint_y=None))
        for tool in tools:  # the room shared as the words need it: a long label is not wrapped for a short one
            tool.size_hint_x = max(1.0, tool.natural_width())
            rows[-1].add_widget(tool)
    pager = Row(spacing_mm=4, size_hint_y=None)
    for b in (prev, nxt):
        b.size_hint_x, b.width = None, side
    pager.add_widget(prev)
    where.size_hint_x = 1
    pager.add_widget(where)
    if one_row:
        for tool in tools:
            tool.size_hint_x, tool.width = None, tool.natural_width()
            pager.add_widget(tool)
    pager.add_widget(nxt)
    rows.append(pager)
    for row in rows:
        row.height = row.wanted_height(width)
        nav.add_widget(row)
    nav.height = sum(r.height for r in rows) + nav.spacing * (len(rows) - 1)


def read_in(screen: Any, view: Any) -> Any:
    """The reading view (or a page drawn as it was printed) takes the place of the screen's paged
    content, full width.

    What the screen still adds (the flow's error or notice as a banner) goes above the words.
    """
    screen.remove_widget(screen.content)
    screen.content = view

    def set_items(items: list[Widget]) -> None:
        index = screen.children.index(view)
        for item in items:  # each one right above the view: they keep their order
            screen.add_widget(item, index=index + 1)

    view.set_items = set_items
    screen.add_widget(view)
    return view


def reading_lines(screen: Any, view: ReadingView) -> tuple[list[str], list[str]]:
    """What Écouter says of a reading screen: what is above the words (a banner), then the page
    shown (who wrote and when, its words, where we are), and the buttons in the order shown."""
    lines: list[str] = []
    buttons: list[str] = []
    for child in reversed(screen.children):
        if child is view or child is getattr(screen, "actions", None):
            continue
        more_lines, more_buttons = describe_widgets(child)
        lines += more_lines
        buttons += more_buttons
    lines += view.spoken_lines()
    buttons += [b.text for b in view.buttons()]
    return lines, buttons


def saved_place(app: Any, key: str) -> int:
    return int(app.session.data.get(PLACE_KEY, {}).get(key, 0))


def save_place(app: Any, key: str, word: int) -> None:
    app.session.data.setdefault(PLACE_KEY, {})[key] = int(word)


__all__ = ["Inset", "arrange_nav", "nav_style", "Page", "Paginator", "PLACE_KEY", "ReadingView", "Words", "line_height",
           "read_in", "reading_lines", "save_place", "saved_place", "short_date", "words_of", "wrap"]
