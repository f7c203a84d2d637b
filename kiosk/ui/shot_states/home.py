"""Pictures of Home and of what opens over any screen: help, display, the warning, messages, the end."""

from __future__ import annotations

from typing import Any

from kiosk.ui.screen import register_shot
from kiosk.ui.shot_states.drive import NOT_WITH_HELPER, on_screen, press, signed_in


def home(app: Any) -> None:
    signed_in(app)


def over_home(*names: str):
    """Signed in on Home, then these buttons (of the bars, of an overlay)."""

    def setup(app: Any) -> None:
        signed_in(app)
        press(app, *names)

    return setup


def warning(app: Any) -> None:
    """Nothing touched for a while: 5 seconds into the warning before the end."""
    signed_in(app)
    advance = getattr(app.clock, "advance", None)
    if advance is not None:  # pictures run on a FakeClock
        advance(app.session.timeout_s - app.session.warning_s + 5)
    app.tick()


def voice_failed(app: Any) -> None:
    """The voice engine failed while speaking: what the voice shows then."""
    signed_in(app)
    app.shell.show_banner("ui.voice.failed", kind="error")


def wait(app: Any) -> None:
    """An action that takes more than 300 ms: the waiting message the flow runner shows."""
    from kiosk.ui.overlays import WaitOverlay

    signed_in(app)
    app.open_overlay(WaitOverlay(app))


def crash(app: Any) -> None:
    """After an error nothing caught: the session wiped, Welcome, and one sentence."""
    on_screen(app, "welcome")
    app.tell("ui.crash.line")


def journal_down(app: Any) -> None:
    """Commencer while the audit journal cannot record: the session does not start, one sentence."""
    on_screen(app, "welcome")
    app.tell("errors.journal_down")


def end(app: Any) -> None:
    signed_in(app)
    press(app, "home.finish", "confirm.yes")
    on_screen(app, "end")


register_shot("home", home, order=20)
register_shot("help", over_home("bar.help"), order=30)
register_shot("display", over_home("bar.display"), order=31)
register_shot("confirm-finish", over_home("home.finish"), order=32)
register_shot("warning", warning, order=33)
register_shot("banner-info", over_home("bar.listen"), order=34)  # no voice on this kiosk: a banner says so
register_shot("banner-error", voice_failed, order=35)
register_shot("voice", over_home("bar.display", "display.voice"), order=36)
register_shot("wait", wait, order=37)
register_shot("notice-crash", crash, order=38, bands=NOT_WITH_HELPER)
register_shot("notice-journal", journal_down, order=39, bands=NOT_WITH_HELPER)
register_shot("end", end, order=90, bands=NOT_WITH_HELPER)
