"""Fixtures for the store tests: real SQLCipher files in a temporary directory."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from kiosk.core.clock import PARIS, FakeClock
from kiosk.services.storage import initialise, open_installed


@pytest.fixture(autouse=True)
def _no_systemd_credential(monkeypatch):
    monkeypatch.delenv("CREDENTIALS_DIRECTORY", raising=False)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 12, 1, 10, 0, tzinfo=PARIS))


@pytest.fixture
def state(tmp_path, clock) -> Path:
    directory = tmp_path / "state"
    initialise(directory, clock=clock, environ={})  # the first entry is dated by the test's clock too
    return directory


@pytest.fixture
def storage(state, clock):
    opened = open_installed(state, clock=clock, environ={})
    yield opened
    opened.close()
