"""Pictures of "Mes messages": the conversations, one conversation, a reply from choice to sending."""

from __future__ import annotations

from typing import Any

from kiosk.ui.screen import register_shot
from kiosk.ui.shot_states.drive import on_screen, open_tile, press

THREAD = "paulette-fil-hopital"
REPLY_THREAD = "paulette-fil-resultats"
TYPED = "Bonjour docteur, j'ai bien reçu les résultats. Merci"


def conversations(app: Any) -> None:
    open_tile(app, "messages")
    on_screen(app, "messages")


def conversation(thread: str):
    def setup(app: Any) -> None:
        conversations(app)
        press(app, f"messages.thread.{thread}")
        on_screen(app, "messages.thread")

    return setup


def reply(app: Any) -> None:
    conversation(REPLY_THREAD)(app)
    press(app, "messages.reply")
    on_screen(app, "messages.reply")


def sent(app: Any) -> None:
    """The conversation just after a ready-made answer was sent: the notice, then the reply."""
    reply(app)
    press(app, "messages.ready.1", "messages.send")
    on_screen(app, "messages.thread")


def keyboard(app: Any) -> None:
    """A text typed on the kiosk's keyboard (its keys call this same insert, letter by letter)."""
    reply(app)
    press(app, "messages.write")
    on_screen(app, "messages.keyboard")
    app.nav.current.insert(TYPED)


def signs(app: Any) -> None:
    """The keyboard's second layer, with the next letter in capitals."""
    keyboard(app)
    press(app, "key.layer", "key.shift")


def confirm(app: Any) -> None:
    keyboard(app)
    press(app, "messages.typing.done")
    on_screen(app, "messages.confirm")


def not_sent(app: Any) -> None:
    """Envoyer while the health space does not answer (the demo backend's own outage)."""
    confirm(app)
    outage = getattr(app.services.backend, "set_unavailable", None)
    if callable(outage):
        outage(True)
        try:
            press(app, "messages.send")
        finally:
            outage(False)
    on_screen(app, "messages.confirm")


register_shot("messages", conversations, order=45)
register_shot("messages.thread", conversation(THREAD), order=46)
register_shot("messages.thread.sent", sent, order=46)
register_shot("messages.reply", reply, order=47)
register_shot("messages.keyboard", keyboard, order=48)
register_shot("messages.keyboard.signs", signs, order=48)
register_shot("messages.confirm", confirm, order=49)
register_shot("messages.confirm.not_sent", not_sent, order=49)
