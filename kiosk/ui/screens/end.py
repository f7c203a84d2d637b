"""End of session: what was done (when a journey reports it), the wipe, then back to Welcome."""

from __future__ import annotations

from typing import Any

from kiosk.ui.look import look
from kiosk.ui.screen import Screen, screen
from kiosk.ui.widgets import Button, Text

#: Seconds before the Welcome screen comes back by itself.
RETURN_AFTER_S = 20


@screen("end", order=90)
class EndScreen(Screen):
    title_key = "ui.end.title"
    in_session = False

    def build(self) -> None:
        for line in self.app.end_summary:
            self.add(Text(raw=line))
        self.countdown = Text(source=self._countdown_text)
        self.add(Text(key="ui.end.erased", style="heading"), Text(key="ui.end.thanks"), self.countdown)
        self.add_action(Button("ui.end.again", "forward", kind="primary", name="end.again",
                               on_activate=self.app.next_person))

    def _countdown_text(self) -> str:
        return look().catalog.tr_n("ui.end.countdown", self.app.end_seconds_left())

    def on_tick(self) -> None:
        if self.app.end_seconds_left() <= 0:
            self.app.next_person()
            return
        self.countdown.refresh()

    def on_touch_up(self, touch):  # type: ignore[override]
        # a tap anywhere on this screen also brings the Welcome screen back
        if super().on_touch_up(touch):
            return True
        if self.collide_point(*touch.pos) and touch.grab_current is None:
            self.app.next_person()
            return True
        return False

    @classmethod
    def demo_state(cls, app: Any) -> dict[str, Any]:
        app.session.start()
        app.session.end()
        return {}
