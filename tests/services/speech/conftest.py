"""Fixtures for the speech tests (see speech_helpers.py for why the ALSA null device)."""

from __future__ import annotations

import pytest
from speech_helpers import NULL_OUTPUT, Recorder

from kiosk.services.speech import EspeakSpeaker, get_engine


@pytest.fixture(scope="session")
def engine():
    engine = get_engine()
    reason = engine.wait_ready()
    assert reason is None, f"espeak-ng must be installed for these tests ({reason})"
    return engine


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def speaker(engine, recorder):
    speaker = EspeakSpeaker(player=NULL_OUTPUT, engine=engine)
    speaker.add_listener(recorder)
    yield speaker
    speaker.close()
