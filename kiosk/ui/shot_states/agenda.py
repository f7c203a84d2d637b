"""Pictures of "Mes rendez-vous": the agenda, an appointment, its QR code for a phone, a reminder."""

from __future__ import annotations

from typing import Any

from kiosk.ui.screen import register_shot
from kiosk.ui.shot_states.drive import on_screen, open_tile, press, press_first


def agenda(app: Any) -> None:
    open_tile(app, "agenda")
    on_screen(app, "agenda")


def appointment(app: Any) -> None:
    agenda(app)
    press_first(app, "agenda.appointment.")
    on_screen(app, "agenda.appointment")


def phone(app: Any) -> None:
    appointment(app)
    press(app, "agenda.phone")
    on_screen(app, "agenda.phone")


def reminder(app: Any) -> None:
    agenda(app)
    press_first(app, "agenda.reminder.")
    on_screen(app, "agenda.reminder")


register_shot("agenda", agenda, order=50)
register_shot("agenda.appointment", appointment, order=51)
register_shot("agenda.phone", phone, order=52)
register_shot("agenda.reminder", reminder, order=53)
