"""Real playback through a real player process (aplay on the ALSA null device)."""

from __future__ import annotations

import time

import pytest

from kiosk.core.speech import AudioOutput, EventKind, GuardedSpeaker, SecretInText, SpeechPolicy
from kiosk.services.speech import EspeakSpeaker

from speech_helpers import LONG_FRENCH, MISSING_OUTPUT, Recorder, process_exists, process_name


def test_say_plays_through_a_real_player_process(speaker, recorder):
    speaker.say(LONG_FRENCH, "fr")
    started = recorder.wait_for(EventKind.STARTED)
    assert started.pid is not None
    assert process_exists(started.pid)
    assert process_name(started.pid, ("aplay",)) == "aplay"
    assert speaker.is_speaking


def test_stop_ends_playback_within_200_ms(speaker, recorder):
    speaker.say(LONG_FRENCH, "fr")  # about 1 minute of speech
    started = recorder.wait_for(EventKind.STARTED)
    time.sleep(0.3)  # let it play: the player is receiving real samples
    assert process_exists(started.pid) and speaker.is_speaking
    t0 = time.monotonic()
    speaker.stop()
    elapsed = time.monotonic() - t0
    assert not process_exists(started.pid)
    assert not speaker.is_speaking
    assert elapsed < 0.2, f"stop() took {elapsed * 1000:.0f} ms"
    assert recorder.wait_for(EventKind.STOPPED, started.message_id)
    assert EventKind.FINISHED.value not in recorder.kinds(started.message_id)


def test_a_second_message_replaces_the_first(speaker, recorder):
    speaker.say(LONG_FRENCH, "fr")
    first = recorder.wait_for(EventKind.STARTED)
    speaker.say("Deuxième message.", "fr")
    assert not process_exists(first.pid)  # the first player is gone when say() returns
    assert recorder.wait_for(EventKind.STOPPED, first.message_id)
    second = recorder.wait_for(EventKind.STARTED, first.message_id + 1)
    assert second.pid != first.pid
    assert recorder.wait_for(EventKind.FINISHED, second.message_id)
    # no queue: the first message never comes back
    assert recorder.kinds(first.message_id) == ["started", "stopped"]


def test_short_message_plays_to_the_end(speaker, recorder):
    speaker.say("Bonjour.", "fr")
    started = recorder.wait_for(EventKind.STARTED)
    finished = recorder.wait_for(EventKind.FINISHED, started.message_id)
    assert finished.at - started.at >= 0.3  # paced like real speech, not dumped at once
    assert not speaker.is_speaking
    assert speaker.audio_output is AudioOutput.OK


def test_repeat_says_the_last_message_again(speaker, recorder):
    speaker.say("Bonjour.", "fr")
    first = recorder.wait_for(EventKind.FINISHED)
    speaker.repeat()
    again = recorder.wait_for(EventKind.FINISHED, first.message_id + 1)
    assert again.lang == "fr"


def test_reset_stops_forgets_and_restores_defaults(speaker, recorder):
    speaker.set_rate(200)
    speaker.set_volume(0)
    speaker.say(LONG_FRENCH, "fr")
    started = recorder.wait_for(EventKind.STARTED)
    speaker.reset()
    assert not process_exists(started.pid)
    assert (speaker.rate, speaker.volume_step) == (150, 3)
    speaker.repeat()  # nothing left to repeat from the previous person
    assert [e.message_id for e in recorder.events if e.message_id > started.message_id] == []


def test_no_audio_device_is_not_an_error(engine):
    recorder = Recorder()
    speaker = EspeakSpeaker(player=MISSING_OUTPUT, engine=engine)
    speaker.add_listener(recorder)
    try:
        speaker.say("Bonjour, vous êtes sur la borne.", "fr")
        event = recorder.wait_for(EventKind.NO_AUDIO_OUTPUT)
        assert speaker.audio_output is AudioOutput.NONE
        assert not speaker.is_speaking
        assert speaker.available  # the voice still works: only the sound output is missing
        speaker.say("Encore.", "fr")  # and the kiosk keeps going
        assert recorder.wait_for(EventKind.NO_AUDIO_OUTPUT, event.message_id + 1)
    finally:
        speaker.close()


def test_language_without_voice_is_reported(speaker, recorder):
    speaker.say("nuqneH", "tlh")
    event = recorder.wait_for(EventKind.NO_VOICE)
    assert event.lang == "tlh" and event.pid is None
    assert not speaker.is_speaking


def test_secret_never_reaches_the_player(speaker, recorder):
    speech = GuardedSpeaker(speaker, SpeechPolicy())
    speech.policy.register_secret("482915")
    with pytest.raises(SecretInText):
        speech.say("Votre code est 48 29 15.", "fr")
    assert recorder.events == []
    assert not speaker.is_speaking


def test_sox_play_works_as_player_too(engine):
    pytest.importorskip("shutil").which("sox") or pytest.skip("sox is not installed")
    from kiosk.services.speech import PlayerConfig

    recorder = Recorder()
    speaker = EspeakSpeaker(player=PlayerConfig(program="play", device="null"), engine=engine)
    speaker.add_listener(recorder)
    try:
        speaker.say(LONG_FRENCH, "fr")
        started = recorder.wait_for(EventKind.STARTED)
        assert process_name(started.pid, ("play", "sox")) in ("play", "sox")
        speaker.stop()
        assert not process_exists(started.pid)
    finally:
        speaker.close()
