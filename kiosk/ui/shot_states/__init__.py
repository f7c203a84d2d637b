"""The pictures of `kiosk shots`: how to bring the real kiosk to each screen, one module a journey.

Each picture is registered with `kiosk.ui.screen.register_shot(name, setup, order, bands)`.
A set-up starts on Welcome and drives the kiosk the way a person does (kiosk.ui.shot_states.drive):
the same buttons, the same flows, the same way back, so a picture is what the kiosk shows.
The production screens hold none of this.
"""

from __future__ import annotations


def load() -> None:
    """Register every picture (importing the modules registers them)."""
    from kiosk.ui.shot_states import (  # noqa: F401
        access,
        agenda,
        assisted,
        closure,
        documents,
        home,
        messages,
        start,
        training,
    )
