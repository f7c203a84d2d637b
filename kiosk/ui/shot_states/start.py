"""Pictures of the start of a visit: Welcome and the patient's sign-in."""

from __future__ import annotations

from typing import Any

from kiosk.core.ports import MAX_CODE_ATTEMPTS
from kiosk.ui.screen import register_shot
from kiosk.ui.shot_states.drive import (
    JULES,
    LUCIEN,
    NOT_WITH_HELPER,
    PAULETTE,
    begin,
    on_screen,
    press,
    type_digits,
    type_identifier,
)


def welcome(app: Any) -> None:
    on_screen(app, "welcome")  # where the kiosk waits for the next person


def identifier(app: Any) -> None:
    begin(app)
    type_digits(app, PAULETTE[:8])


def code(app: Any) -> None:
    begin(app)
    type_identifier(app, PAULETTE)
    type_digits(app, "12")
    on_screen(app, "sign_in.code")


def wrong_code(app: Any) -> None:
    begin(app)
    type_identifier(app, PAULETTE)
    type_digits(app, "000000")
    press(app, "sign_in.ok")
    on_screen(app, "sign_in.code")


def paused(app: Any) -> None:
    """A wrong code typed again and again: the sign-in pauses for 15 minutes."""
    begin(app)
    type_identifier(app, JULES)
    for _ in range(MAX_CODE_ATTEMPTS):
        type_digits(app, "000000")
        press(app, "sign_in.ok")
    on_screen(app, "sign_in.paused")


def closed(app: Any) -> None:
    """The patient closed the space: after the code, the screen says so instead of Home."""
    begin(app)
    type_identifier(app, LUCIEN)
    from kiosk.services.backend.demo import demo_sign_in_code

    type_digits(app, demo_sign_in_code(LUCIEN))
    press(app, "sign_in.ok")
    on_screen(app, "sign_in.closed")


register_shot("welcome", welcome, order=10, bands=NOT_WITH_HELPER)
register_shot("sign_in", identifier, order=15)
register_shot("sign_in.code", code, order=16)
register_shot("sign_in.code.wrong", wrong_code, order=16)
register_shot("sign_in.paused", paused, order=17)
register_shot("sign_in.closed", closed, order=18)
