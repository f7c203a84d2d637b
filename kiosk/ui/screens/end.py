"""End of session: first that everything was erased, then what was done (when a journey reports it,
and with a helper: the list and its QR code), then back to Welcome.

The time before Welcome comes back starts again at each touch (`KioskApp.end_touched`): paging
through a long list never loses the screen.
"""

from __future__ import annotations

from kiosk.core.speech import ScreenDescription
from kiosk.ui.blocks import Block
from kiosk.ui.look import look
from kiosk.ui.screen import Screen, screen
from kiosk.ui.widgets import Button, Text

#: Seconds before the Welcome screen comes back by itself.
RETURN_AFTER_S = 20
#: The longest the end screen waits for the patient to page to the helper-session QR code.
QR_HOLD_MAX_S = 180


@screen("end", order=90)
class EndScreen(Screen):
    title_key = "ui.end.title"
    in_session = False

    def build(self) -> None:
        # first, at the top of page 1 at every size: everything is erased
        self.add(Text(key="ui.end.erased", style="heading"))
        lines = [Text(raw=line) for line in self.app.end_summary]
        if lines:  # "Ce que vous avez fait :" never alone: with the first thing done, on one page
            self.add(Block(*lines[:2]), *lines[2:])
        from kiosk.ui.screens.assisted_end import end_section

        end_section(self)  # after an assisted session: what was done, and its QR code to keep
        self.countdown = Text(source=self._countdown_text)
        self.add(Text(key="ui.end.thanks"), self.countdown)
        self.add_action(Button("ui.end.again", "forward", kind="primary", name="end.again",
                               on_activate=self.app.next_person))
        self.shown_at = self.app.clock.monotonic()
        self.qr_seen = getattr(self, "qr", None) is None

    def describe(self) -> ScreenDescription:
        """The words shown; the whole list of an assisted session even when it goes on another page."""
        desc = super().describe()
        missing = [line for line in getattr(self, "assisted_lines", [])
                   if not any(line in shown for shown in desc.lines)]
        if not missing:
            return desc
        return ScreenDescription(title=desc.title, step=desc.step, lines=(*desc.lines, *missing),
                                 buttons=desc.buttons, private=desc.private)

    def _countdown_text(self) -> str:
        return look().catalog.tr_n("ui.end.countdown", self.app.end_seconds_left())

    def _qr_on_page(self) -> bool:
        qr = getattr(self, "qr", None)
        if qr is None:
            return True
        return any(qr is w for item in self.content.pages[self.content.page] for w in item.walk(restrict=True))

    def on_tick(self) -> None:
        if not getattr(self, "qr_seen", True):
            # the list's QR code is on a later page: the screen stays until the patient has seen it,
            # at most QR_HOLD_MAX_S (never a list left on screen for nobody)
            self.qr_seen = self._qr_on_page()
            if not self.qr_seen and self.app.clock.monotonic() - self.shown_at < QR_HOLD_MAX_S:
                self.app.end_touched()
        if self.app.end_seconds_left() <= 0:
            self.app.next_person()
            return
        self.countdown.refresh()

    def on_touch_down(self, touch):  # type: ignore[override]
        self.app.end_touched()  # the person is reading: the full time again
        return super().on_touch_down(touch)

    def on_touch_up(self, touch):  # type: ignore[override]
        self.app.end_touched()  # the finger leaves: the full time from now
        if super().on_touch_up(touch):
            return True
        # a tap on an empty place brings the Welcome screen back, only when all of it is on one page:
        # with Précédent / Suivant, a tap beside them must never lose the screen
        if len(self.content.pages) > 1:
            return False
        if self.collide_point(*touch.pos) and touch.grab_current is None and not touch.grab_list:
            self.app.next_person()
            return True
        return False
