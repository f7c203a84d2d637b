"""No speech engine on the machine: a reported state, and the kiosk keeps working."""

from __future__ import annotations

import sys

from kiosk.core.i18n import Catalog
from kiosk.core.speech import EventKind, GuardedSpeaker, SpeechPolicy, Unavailable
from kiosk.services.speech import EspeakSpeaker, NullSpeaker, create_speaker, create_speech
from kiosk.services.speech.engine import EngineThread
from kiosk.settings import Settings

from speech_helpers import NULL_OUTPUT, Recorder


def test_null_speaker_reports_unavailable():
    speaker = NullSpeaker(Unavailable.NO_ENGINE)
    recorder = Recorder()
    speaker.add_listener(recorder)
    assert speaker.available is False
    assert speaker.reason is Unavailable.NO_ENGINE
    speaker.say("Bonjour.", "fr")
    assert recorder.wait_for(EventKind.UNAVAILABLE).lang == "fr"
    speech = GuardedSpeaker(speaker, SpeechPolicy())
    assert speech.status_text("fr", Catalog.load("fr")) == "La voix n'est pas disponible sur cette borne."
    assert speech.status_text("en", Catalog.load("en")) == "The voice is not available on this kiosk."


def test_missing_engine_gives_the_null_speaker(monkeypatch):
    # pyttsx3 made unimportable for a fresh engine thread: what a machine without it looks like.
    monkeypatch.setitem(sys.modules, "pyttsx3", None)
    engine = EngineThread()
    assert engine.wait_ready() is Unavailable.NO_ENGINE
    speaker = create_speaker(engine=engine)
    assert isinstance(speaker, NullSpeaker)
    assert speaker.reason is Unavailable.NO_ENGINE


def test_factory_gives_espeak_when_it_works(engine):
    speaker = create_speaker(player=NULL_OUTPUT, engine=engine)
    try:
        assert isinstance(speaker, EspeakSpeaker) and speaker.available
    finally:
        speaker.close()


def test_create_speech_reads_headset_and_rate_settings(engine):
    speech = create_speech(Settings(headset=True, speech_rate_wpm=120), player=NULL_OUTPUT, engine=engine)
    try:
        assert speech.policy.private_allowed
        assert speech.rate == 120
        speech.faster()
        speech.reset()
        assert speech.rate == 120
    finally:
        speech.close()
    speech = create_speech(Settings(), player=NULL_OUTPUT, engine=engine)
    try:
        assert not speech.policy.private_allowed and speech.rate == 150
    finally:
        speech.close()
