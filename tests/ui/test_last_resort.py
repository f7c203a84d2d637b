"""No crash, ever: an error nothing else caught ends the session with the full wipe, returns to
Welcome and says so; the log gets the kind of error and where, never the person's data.

The bug is injected (a screen whose build raises), since a real one cannot be written on purpose;
everything after it is the kiosk's real path: Kivy's ExceptionManager, as its main loop calls it,
and Python's thread hook.
"""

from __future__ import annotations

import logging
import threading

import pytest
from kivy.base import ExceptionManager

from kiosk.ui.app import install_last_resort
from tests.ui.test_access_code_ui import sign_in

CRASH_LINE = "La borne a eu un problème. Vos informations ont été effacées."


@pytest.fixture()
def last_resort(pilot):
    saved_thread_hook = threading.excepthook
    import sys

    saved_main_hook = sys.excepthook
    handler = install_last_resort(pilot.app)
    pilot.app.crashes.clear()
    yield handler
    ExceptionManager.remove_handler(handler)
    threading.excepthook = saved_thread_hook
    sys.excepthook = saved_main_hook


def as_the_main_loop(action) -> None:
    """What Kivy's EventLoop.mainloop does with an error raised in a frame."""
    try:
        action()
    except BaseException as error:  # noqa: BLE001 - handed over exactly as Kivy does
        if ExceptionManager.handle_exception(error) == ExceptionManager.RAISE:
            raise


def test_an_error_in_a_screen_wipes_the_session_and_returns_to_welcome(pilot, last_resort, monkeypatch, caplog):
    from kiosk.ui.screens.agenda import AgendaOverviewScreen

    app = pilot.app
    pilot.tap("Commencer")
    sign_in(app)
    app.nav.home()
    pilot.pump()
    assert app.session.data
    tile = pilot.button("home.feature.agenda")

    def broken(self):
        raise RuntimeError("Paulette Exemple 244039999900168")  # a message that must never reach the log

    monkeypatch.setattr(AgendaOverviewScreen, "build", broken)
    with caplog.at_level(logging.DEBUG):
        as_the_main_loop(lambda: pilot.tap(tile))
        pilot.pump()
    assert app.nav.current.name == "welcome"
    assert CRASH_LINE in pilot.texts(everywhere=True)
    assert app.session.state.value == "idle" and app.session.data == {}
    assert app.crashes == ["RuntimeError"]
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "RuntimeError" in logged and "kiosk/ui/" in logged  # the kind and the place
    assert "Paulette" not in logged and "244039999900168" not in logged
    monkeypatch.undo()
    pilot.tap("J'ai compris")
    pilot.tap("Commencer")  # the next person starts as usual
    assert app.nav.current.name != "welcome"


def test_an_error_in_another_thread_is_handed_to_the_ui_and_wipes_too(pilot, last_resort):
    app = pilot.app
    pilot.tap("Commencer")
    sign_in(app)
    pilot.pump()

    def broken():
        raise ValueError("244039999900168")

    thread = threading.Thread(target=broken, name="kiosk-test")
    thread.start()
    thread.join(30)
    pilot.pump()
    assert app.nav.current.name == "welcome"
    assert CRASH_LINE in pilot.texts(everywhere=True)
    assert app.session.data == {} and app.crashes == ["ValueError"]
