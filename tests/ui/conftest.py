"""Real Kivy under a virtual display, one app for the whole test run.

If DISPLAY is not set, an Xvfb server is started here, so `pytest` works both under
`xvfb-run` and without it. Kivy runs one App per process: the app is built once
(session fixture) and `pilot.reset()` brings it back to a fresh Welcome screen.

`screen_states` builds each registered picture (screen or overlay) once per
(language, theme, text size) in a run and keeps what the checks read from it: the
accessibility problems, the spoken description, the shown words and buttons. The
accessibility passes and the voice check over every screen share those states.
"""

from __future__ import annotations

import os
import select
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from kiosk.settings import Settings

SETTINGS = Settings(fullscreen=False, inactivity_timeout_s=180, warning_s=30)
_XVFB: subprocess.Popen | None = None


def _start_xvfb() -> None:
    global _XVFB
    if shutil.which("Xvfb") is None:
        pytest.exit("Xvfb is needed for the UI tests (apt-get install xvfb)", returncode=3)
    read_fd, write_fd = os.pipe()
    size = f"{SETTINGS.screen_width_px}x{SETTINGS.screen_height_px}x24"
    _XVFB = subprocess.Popen(["Xvfb", "-displayfd", str(write_fd), "-screen", "0", size, "-nolisten", "tcp"],
                             pass_fds=(write_fd,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(write_fd)
    number = b""
    deadline = time.monotonic() + 120  # only against an Xvfb that hangs: it starts in about a second
    while not number.endswith(b"\n"):
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([read_fd], [], [], left)[0]:
            break
        chunk = os.read(read_fd, 16)
        if not chunk:
            break
        number += chunk
    os.close(read_fd)
    if not number.strip():
        pytest.exit("Xvfb did not start", returncode=3)
    os.environ["DISPLAY"] = ":" + number.decode().strip()


def pytest_configure(config: pytest.Config) -> None:
    if not os.environ.get("DISPLAY"):
        _start_xvfb()
    os.environ["KIVY_NO_ARGS"] = "1"
    os.environ["KIVY_NO_CONSOLELOG"] = "1"
    os.environ.setdefault("KIVY_HOME", tempfile.mkdtemp(prefix="kivy-home-"))
    os.environ["KIVY_NO_CONFIG"] = "1"


def pytest_unconfigure(config: pytest.Config) -> None:
    if _XVFB is not None:
        _XVFB.terminate()
        _XVFB.wait(timeout=10)


@pytest.fixture(scope="session")
def kiosk_app():
    from kiosk.app import build_services
    from kiosk.core.clock import FakeClock
    from kiosk.ui.app import start_in_process

    from kiosk.ui import shot_states

    services = build_services(SETTINGS, FakeClock(), with_voice=False)
    app = start_in_process(services)
    shot_states.load()  # the pictures of `kiosk shots`: tests start from them too
    yield app
    services.close()


@pytest.fixture()
def pilot(kiosk_app):
    from kiosk.ui.testing import Pilot

    p = Pilot(kiosk_app)
    p.reset()
    kiosk_app.services.speaker = None
    kiosk_app.speak_hook = None
    yield p
    p.reset()


@pytest.fixture()
def backend(kiosk_app):
    """The demo health space lives for the whole run: start from its first state, and leave it so."""
    space = kiosk_app.services.backend
    space.set_unavailable(False)
    space.reset()
    yield space
    space.set_unavailable(False)
    space.reset()


@pytest.fixture()
def shots_dir(tmp_path: Path) -> Path:
    return tmp_path


@dataclass(frozen=True)
class ScreenState:
    """What was on screen for one picture in one language, theme and text size."""

    name: str
    lang: str
    theme: str
    size: int
    problems: tuple[str, ...]          # kiosk.ui.a11y_check.check_app, as strings
    description: Any                   # the app's ScreenDescription (what Écouter reads)
    title: str                         # the top bar's title as shown
    texts: tuple[str, ...]             # the words shown where the person can touch
    buttons: tuple[tuple[str, str], ...]  # (name, words) of every shown button

    @property
    def button_texts(self) -> set[str]:
        return {text for _name, text in self.buttons if text}


class ScreenStates:
    """Each (picture, language, theme, text size) built once per run, observed once, kept."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.built: dict[tuple[str, str, str, int], ScreenState] = {}

    def get(self, name: str, *, lang: str = "fr", theme: str = "standard", size: int = 1) -> ScreenState:
        key = (name, lang, theme, size)
        if key not in self.built:
            self.built[key] = self._build(*key)
        return self.built[key]

    def _build(self, name: str, lang: str, theme: str, size: int) -> ScreenState:
        from kiosk.ui.a11y_check import check_app
        from kiosk.ui.screen import SHOTS
        from kiosk.ui.testing import Pilot

        app = self.app
        pilot = Pilot(app)
        speaker, hook = app.services.speaker, app.speak_hook
        app.services.speaker = None     # as the pilot fixture leaves it: no voice, no hook
        app.speak_hook = None
        try:
            pilot.reset(pump=False)     # no frames for the Welcome screen the picture replaces
            app.set_prefs(lang=lang, theme=theme, text_size=size)
            SHOTS[name].setup(app)
            app.set_prefs(lang=lang, theme=theme, text_size=size)   # a picture's set-up may not change them
            pilot.pump(3)
            return ScreenState(
                name=name, lang=lang, theme=theme, size=size,
                problems=tuple(str(p) for p in check_app(app)),
                description=app.describe(),
                title=app.shell.top_bar.title.text,
                texts=tuple(pilot.texts()),
                buttons=tuple((b.name, b.text) for b in pilot.buttons()),
            )
        finally:
            app.services.speaker, app.speak_hook = speaker, hook


@pytest.fixture(scope="session")
def screen_states(kiosk_app) -> ScreenStates:
    return ScreenStates(kiosk_app)
