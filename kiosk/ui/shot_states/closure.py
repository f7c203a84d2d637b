"""Pictures of "Refuser ou fermer mon espace", step by step, up to the space closed.

A helper never sees this journey (closing is not a scope the patient can allow), so there are
no pictures of it under the helper's band.
"""

from __future__ import annotations

from typing import Any

from kiosk.ui.screen import register_shot
from kiosk.ui.shot_states.drive import ALBERT, NOT_WITH_HELPER, on_screen, open_tile, press

#: The buttons from the choice to the space closed, and the screen each one leads to.
STEPS = (
    ("closure.choose.close", "closure.explain"),
    ("closure.next", "closure.documents"),
    ("closure.next", "closure.deletion"),
    ("closure.keep", "closure.confirm_first"),
    ("closure.yes", "closure.confirm_second"),
    ("closure.yes", "closure.status"),
)


def up_to(screen: str):
    def setup(app: Any) -> None:
        open_tile(app, "closure", ALBERT)
        for button, reached in STEPS:
            if app.nav.current.name == screen:
                break
            press(app, button)
            on_screen(app, reached)
        on_screen(app, screen)

    return setup


register_shot("closure", up_to("closure"), order=70, bands=NOT_WITH_HELPER)
for _order, (_button, _screen) in enumerate(STEPS, start=71):
    register_shot(_screen, up_to(_screen), order=_order, bands=NOT_WITH_HELPER)
