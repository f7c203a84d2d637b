"""Blocks: parts of a screen that belong together and always share a page.

An instruction and its object (a code, a QR code, a pad), a question and all its answers,
the consent question with every choice: each is one `Block`, one item of the screen's
paged list, so the page splitter can move it to another page but never cut it.

When a block does not fit the page at the person's text size, it changes its arrangement,
in order, until one fits (`fit`): the QR code goes beside the words or below them, answers
go from one column to two or three; last, its words are capped (1.6, then 1.3 times the
default size, never below it), the way the top and bottom bars keep one size. A block
that fits no arrangement keeps the most compact one, and the checker reports it
(`block.too_tall`).
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

from kivy.uix.widget import Widget

from kiosk.ui.look import look
from kiosk.ui.widgets import CAPS, Gap, Row, Stack, cap_words

#: The smallest QR code side a crowded page may use, in millimetres (6 cm when there is room).
SMALLEST_QR_MM = 50.0


def _detach(widget: Widget) -> Widget:
    if widget.parent is not None:
        widget.parent.remove_widget(widget)
    return widget


class Block(Stack):
    """Parts kept together on one page, top to bottom.

    `role` says what the block is ("instruction" for words that point to an object,
    "choice", "qr", "item" for a list item, "group"); the checker reads it.
    """

    keep_together = True
    full_row = True

    def __init__(self, *parts: Widget, role: str = "group", spacing_mm: float = 3,
                 caps: Sequence[float | None] = CAPS, **kwargs: Any) -> None:
        super().__init__(spacing_mm=spacing_mm, **kwargs)
        self.parts: list[Widget] = list(parts)
        self.role = role
        self.caps = tuple(caps)
        self.cap: float | None = None
        self.arrangement = 0
        self.fits = True
        self._arrange(0)

    # -- what subclasses change ----------------------------------------------------------------
    def arrangements(self) -> list[Callable[[], None]]:
        """Ways to lay the parts out, the preferred first."""
        return [self._column]

    def _column(self) -> None:
        for part in self.parts:
            self.add_widget(_detach(part))

    # -- fitting -------------------------------------------------------------------------------
    def _arrange(self, index: int) -> None:
        self.clear_widgets()
        self.arrangement = index
        self.arrangements()[index]()
        self._trigger_layout()

    def _set_cap(self, cap: float | None) -> None:
        if cap == self.cap:
            return
        self.cap = cap
        cap_words([self], cap)

    def reset(self) -> None:
        """Back to the preferred arrangement at the chosen text size."""
        self._set_cap(None)
        if self.arrangement != 0:
            self._arrange(0)
        self.fits = True

    def fit(self, width: float, room: float) -> bool:
        """Take the first arrangement (at the largest words) whose height fits `room`."""
        base = look().scale
        count = len(self.arrangements())
        tried: list[tuple[float, float | None, int]] = []
        for cap in self.caps:
            if cap is not None and cap >= base:
                continue  # the chosen size is already at or under this cap
            self._set_cap(cap)
            for index in range(count):
                if self.arrangement != index:
                    self._arrange(index)
                height = self.wanted_height(width)
                if height <= room + 0.5:
                    self.fits = True
                    return True
                tried.append((height, cap, index))
        # nothing fits: the most compact, and the checker says so
        _height, cap, index = min(tried, key=lambda t: t[0])
        self._set_cap(cap)
        if self.arrangement != index:
            self._arrange(index)
        self.fits = False
        return False

    def refresh(self) -> None:
        super().refresh()


class QrBlock(Block):
    """Words and the QR code they point to: the code beside the words, or below them."""

    def __init__(self, words: Sequence[Widget], qr: Widget, *, after: Sequence[Widget] = (),
                 beside_first: bool | None = None, **kwargs: Any) -> None:
        self.words, self.qr, self.after = list(words), qr, list(after)
        self.beside_first = beside_first
        self.qr_mm = getattr(qr, "min_mm", SMALLEST_QR_MM)
        super().__init__(*self.words, qr, *self.after, role="qr", **kwargs)

    def arrangements(self) -> list[Callable[[], None]]:
        beside_first = self.beside_first if self.beside_first is not None else look().text_size <= 2
        ways = [self._beside, self._below] if beside_first else [self._below, self._beside]
        return ways + [self._smaller_beside]

    def _qr_side(self, min_mm: float) -> None:
        if getattr(self.qr, "min_mm", min_mm) != min_mm:
            self.qr.min_mm = min_mm
            self.qr.refresh()

    def _smaller_beside(self) -> None:
        """Last resort on a crowded page (a band, very large text): the code at 5 cm, still read
        by a phone at arm's length, beside the words."""
        self._qr_side(SMALLEST_QR_MM)
        self._beside(keep_side=True)

    def _below(self) -> None:
        self._qr_side(self.qr_mm)
        self.qr.size_hint_x = 1
        for part in (*self.words, self.qr, *self.after):
            self.add_widget(_detach(part))

    def _beside(self, keep_side: bool = False) -> None:
        if not keep_side:
            self._qr_side(self.qr_mm)
        column = Stack(spacing_mm=3)
        for w in self.words:
            column.add_widget(_detach(w))
        row = Row(spacing_mm=8)
        row.add_widget(column)
        self.qr.size_hint_x = None
        self.qr.width = self.qr.side_px()
        row.add_widget(_detach(self.qr))
        self.add_widget(row)
        for w in self.after:
            self.add_widget(_detach(w))


class ChoiceBlock(Block):
    """A question and all its answers: the answers in one column, else two, else in a row."""

    def __init__(self, question: Widget | None, answers: Sequence[Widget], *,
                 columns: Sequence[int] = (1, 2, 3), **kwargs: Any) -> None:
        self.question, self.answers = question, list(answers)
        self.columns = [c for c in columns if c <= max(1, len(self.answers))] or [1]
        parts = ([question] if question is not None else []) + self.answers
        super().__init__(*parts, role="choice", **kwargs)

    def arrangements(self) -> list[Callable[[], None]]:
        return [lambda c=c: self._grid(c) for c in self.columns]

    def _grid(self, cols: int) -> None:
        self.cols = cols
        if self.question is not None:
            self.add_widget(_detach(self.question))
        for start in range(0, len(self.answers), cols):
            row = Row(spacing_mm=4)
            chunk = self.answers[start:start + cols]
            for answer in chunk:
                answer.size_hint_x = 1
                row.add_widget(_detach(answer))
            for _ in range(cols - len(chunk)):
                row.add_widget(Gap(0, size_hint_x=1))
            self.add_widget(row)


def blocks_in(root: Widget) -> list[Block]:
    return [w for w in root.walk(restrict=True) if isinstance(w, Block)]
