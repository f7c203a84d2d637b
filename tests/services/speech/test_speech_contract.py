"""One contract for every Speaker: the espeak-ng one and the null one."""

from __future__ import annotations

import pytest

from kiosk.core.speech import DEFAULT_VOLUME_STEP, EventKind, Speaker, Unavailable
from kiosk.services.speech import EspeakSpeaker, NullSpeaker

from speech_helpers import NULL_OUTPUT, Recorder


@pytest.fixture(params=["espeak", "null"])
def any_speaker(request, engine):
    speaker = EspeakSpeaker(player=NULL_OUTPUT, engine=engine) if request.param == "espeak" else NullSpeaker()
    yield speaker
    speaker.close()


def test_follows_the_port(any_speaker):
    assert isinstance(any_speaker, Speaker)


def test_availability_is_explicit(any_speaker):
    if any_speaker.available:
        assert any_speaker.reason is None
        assert any_speaker.voice_for("fr") is not None
    else:
        assert isinstance(any_speaker.reason, Unavailable)
        assert any_speaker.voice_for("fr") is None


def test_every_say_is_answered_by_an_event(any_speaker):
    recorder = Recorder()
    any_speaker.add_listener(recorder)
    any_speaker.say("Bonjour.", "fr")
    expected = EventKind.FINISHED if any_speaker.available else EventKind.UNAVAILABLE
    assert recorder.wait_for(expected).lang == "fr"


def test_removed_listener_hears_nothing(any_speaker):
    recorder = Recorder()
    remove = any_speaker.add_listener(recorder)
    remove()
    any_speaker.say("Bonjour.", "fr")
    any_speaker.stop()
    assert recorder.events == []


def test_rate_and_volume_are_checked_and_reset(any_speaker):
    any_speaker.set_rate(200)
    any_speaker.set_volume(0)
    assert (any_speaker.rate, any_speaker.volume_step) == (200, 0)
    with pytest.raises(ValueError):
        any_speaker.set_rate(10)
    with pytest.raises(ValueError):
        any_speaker.set_volume(99)
    any_speaker.reset()
    assert (any_speaker.rate, any_speaker.volume_step) == (150, DEFAULT_VOLUME_STEP)


def test_stop_when_silent_is_harmless(any_speaker):
    any_speaker.stop()
    any_speaker.stop()
    assert not any_speaker.is_speaking
