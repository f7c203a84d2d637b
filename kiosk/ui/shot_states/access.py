"""Pictures of "Qui voit mes données" and of the temporary code for a professional."""

from __future__ import annotations

from typing import Any

from kiosk.ui.screen import register_shot
from kiosk.ui.shot_states.drive import on_screen, open_tile, press, press_first


def overview(app: Any) -> None:
    open_tile(app, "access")
    on_screen(app, "access")


def then(*names: str, screen: str | None = None):
    def setup(app: Any) -> None:
        overview(app)
        press(app, *names)
        if screen:
            on_screen(app, screen)

    return setup


def confirm_block(app: Any) -> None:
    """Bloquer by the first professional who may see the record: the question."""
    overview(app)
    press_first(app, "access.block.")


def durations(app: Any) -> None:
    open_tile(app, "access_code")
    on_screen(app, "access_code")


def code(app: Any) -> None:
    durations(app)
    press(app, "access_code.duration.1")
    on_screen(app, "access_code.code")


def confirm_revoke(app: Any) -> None:
    code(app)
    press(app, "access_code.revoke")


def revoked(app: Any) -> None:
    confirm_revoke(app)
    press(app, "confirm.yes")
    on_screen(app, "access_code.revoked")


register_shot("access", overview, order=55)
register_shot("access.emergency", then("access.emergency", screen="access.emergency"), order=56)
register_shot("access.history", then("access.history", screen="access.history"), order=57)
register_shot("access.confirm_block", confirm_block, order=58)
register_shot("access_code", durations, order=60)
register_shot("access_code.code", code, order=61)
register_shot("access_code.revoked", revoked, order=62)
register_shot("access_code.confirm_revoke", confirm_revoke, order=63)
