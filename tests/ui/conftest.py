"""Real Kivy under a virtual display, one app for the whole test run.

If DISPLAY is not set, an Xvfb server is started here, so `pytest` works both under
`xvfb-run` and without it. Kivy runs one App per process: the app is built once
(session fixture) and `pilot.reset()` brings it back to a fresh Welcome screen.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

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
    deadline = time.monotonic() + 20
    while not number.endswith(b"\n") and time.monotonic() < deadline:
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

    services = build_services(SETTINGS, FakeClock(), with_voice=False)
    app = start_in_process(services)
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
def shots_dir(tmp_path: Path) -> Path:
    return tmp_path
