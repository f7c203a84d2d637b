"""Real espeak-ng synthesis: rate, voice, volume, measured on the samples."""

from __future__ import annotations

import array
import math

import pytest

from kiosk.services.speech import synthesize

# Plain French as the kiosk speaks it (FALC: short sentences, "vous"). espeak-ng's rate is its
# own words per minute; the real figure depends on the words (about -15 % to +15 % here).
SENTENCE = ("Vous avez un nouveau message. Il vient de votre médecin. Touchez Lire pour le lire. "
            "Touchez Écouter pour l'entendre. Le pharmacien peut vous aider.")
WORDS = len(SENTENCE.split())


def words_per_minute(audio) -> float:
    return WORDS / audio.duration_s * 60


def rms(audio) -> float:
    samples = array.array("h", audio.pcm)
    return math.sqrt(sum(s * s for s in samples) / len(samples))


@pytest.mark.parametrize("rate", [100, 150, 200])
def test_duration_matches_configured_rate(engine, rate):
    audio = synthesize(SENTENCE, "fr", rate=rate, engine=engine)
    assert audio.sample_rate > 8000
    measured = words_per_minute(audio)
    assert rate * 0.8 <= measured <= rate * 1.2, f"{measured:.0f} words a minute at rate {rate}"


def test_default_rate_is_about_150_words_a_minute(engine):
    audio = synthesize(SENTENCE, "fr", engine=engine)
    assert 120 <= words_per_minute(audio) <= 180


def test_changing_the_rate_changes_the_duration(engine):
    slow = synthesize(SENTENCE, "fr", rate=100, engine=engine)
    fast = synthesize(SENTENCE, "fr", rate=200, engine=engine)
    assert slow.duration_s > fast.duration_s * 1.5


def test_french_voice_is_french_from_france(engine):
    voice = engine.voice_for("fr")
    assert voice is not None
    assert voice.language == "fr-fr"
    assert voice.name == "French (France)"
    assert voice.voice_id == "roa/fr"
    assert "be" not in voice.voice_id and "ch" not in voice.voice_id


def test_english_voice_is_english(engine):
    voice = engine.voice_for("en")
    assert voice is not None and voice.language in ("en-gb", "en-us")


def test_language_without_voice_has_none(engine):
    assert engine.voice_for("tlh") is None  # Klingon: no espeak-ng voice


def test_the_voice_asked_for_is_the_voice_used(engine):
    # The same text sounds different in the French and English voices.
    fr = synthesize("Bonjour, ceci est un essai de la voix.", "fr", engine=engine)
    en = synthesize("Bonjour, ceci est un essai de la voix.", "en", engine=engine)
    assert fr.pcm != en.pcm


def test_volume_steps_change_the_loudness(engine):
    quiet = synthesize(SENTENCE, "fr", volume_step=0, engine=engine)
    loud = synthesize(SENTENCE, "fr", volume_step=4, engine=engine)
    assert rms(loud) > rms(quiet) * 2
