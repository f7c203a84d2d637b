"""Speech rules without any engine: privacy, secrets, screen descriptions, steps."""

from __future__ import annotations

import re

import pytest

from kiosk.core import i18n
from kiosk.core.i18n import Catalog
from kiosk.core.speech import (
    DEFAULT_VOLUME_STEP,
    RATE_STEPS_WPM,
    VOLUME_LEVELS,
    AudioOutput,
    ConsentRequired,
    GuardedSpeaker,
    Listeners,
    PrivateSpeech,
    ScreenDescription,
    SecretInText,
    Speaker,
    SpeechPolicy,
    Unavailable,
    Voice,
    chunk_text,
    faster,
    masked_entry_text,
    private_prompt,
    slower,
    status_text,
)

FR = Catalog.load("fr")
EN = Catalog.load("en")


class RecordingSpeaker:
    """A working Speaker that records what it was asked to say (the policy is under test, not audio)."""

    def __init__(self, *, available: bool = True, voices: tuple[str, ...] = ("fr", "en"),
                 output: AudioOutput = AudioOutput.OK) -> None:
        self.said: list[tuple[str, str]] = []
        self.stops = 0
        self.resets = 0
        self._available = available
        self._voices = voices
        self._output = output
        self._rate = 150
        self._volume = DEFAULT_VOLUME_STEP
        self._listeners = Listeners()

    available = property(lambda self: self._available)
    reason = property(lambda self: None if self._available else Unavailable.NO_ENGINE)
    audio_output = property(lambda self: self._output)
    is_speaking = property(lambda self: False)
    rate = property(lambda self: self._rate)
    volume_step = property(lambda self: self._volume)
    can_repeat = property(lambda self: bool(self.said))

    def say(self, text, lang):
        self.said.append((text, lang))

    def stop(self):
        self.stops += 1

    def repeat(self):
        if self.said:
            self.say(*self.said[-1])

    def set_rate(self, wpm):
        self._rate = wpm

    def set_volume(self, step):
        self._volume = step

    def reset(self):
        self.resets += 1
        self._rate, self._volume = 150, DEFAULT_VOLUME_STEP

    def voice_for(self, lang):
        return Voice(lang, f"x/{lang}", lang, lang) if lang in self._voices and self._available else None

    def add_listener(self, listener):
        return self._listeners.add(listener)

    def close(self):
        pass


def guarded(headset: bool = False, **kw) -> tuple[GuardedSpeaker, RecordingSpeaker]:
    inner = RecordingSpeaker(**kw)
    return GuardedSpeaker(inner, SpeechPolicy(headset=headset)), inner


def test_recording_speaker_follows_the_port():
    assert isinstance(RecordingSpeaker(), Speaker)


# --- private content ----------------------------------------------------------------------


def test_private_content_not_spoken_without_consent_or_headset():
    speech, inner = guarded(headset=False)
    assert speech.policy.private_speech is PrivateSpeech.ASK
    with pytest.raises(ConsentRequired):
        speech.say("Résultats de prise de sang : glycémie normale.", "fr", private=True)
    assert inner.said == []


def test_consent_once_per_session_then_reset():
    speech, inner = guarded(headset=False)
    speech.policy.grant_consent()
    speech.say("Ordonnance du docteur Martin.", "fr", private=True)
    speech.say("Un autre document.", "fr", private=True)  # no second question
    assert len(inner.said) == 2
    speech.reset()  # next person
    with pytest.raises(ConsentRequired):
        speech.say("Ordonnance du docteur Martin.", "fr", private=True)
    assert len(inner.said) == 2


def test_headset_allows_private_content_without_asking():
    speech, inner = guarded(headset=True)
    assert speech.policy.private_speech is PrivateSpeech.ALLOWED
    speech.say("Message du docteur Martin.", "fr", private=True)
    speech.reset()
    speech.say("Message du docteur Martin.", "fr", private=True)  # the headset is a setting: it stays
    assert len(inner.said) == 2


def test_screen_with_private_content_withholds_it_until_yes():
    screen = ScreenDescription(title="Ordonnance", step=(2, 3), lines=("Amoxicilline 1 gramme, 3 fois par jour.",),
                               buttons=("Retour", "Accueil"), private=True)
    speech, inner = guarded(headset=False)
    speech.say_screen(screen, FR)
    spoken = inner.said[-1][0]
    assert "Amoxicilline" not in spoken
    assert FR.tr("speech.private.withheld") in spoken
    speech.policy.grant_consent()
    speech.say_screen(screen, FR)
    assert "Amoxicilline 1 gramme" in inner.said[-1][0]


def test_private_prompt_texts():
    assert private_prompt(FR) == ("Voulez-vous que la borne lise ce document à voix haute ? "
                                  "D'autres personnes peuvent entendre.")
    assert "message" in private_prompt(FR, "message")
    assert "aloud" in private_prompt(EN)
    with pytest.raises(ValueError):
        private_prompt(FR, "photo")


# --- secrets ------------------------------------------------------------------------------


@pytest.mark.parametrize("text", [
    "Votre code est 482915.",
    "Code : 48 29 15",
    "Code : 48-29-15",
    "4 8 2 9 1 5",
    "Code\u00a0482\u202f915",
])
def test_registered_secret_is_never_spoken(text):
    speech, inner = guarded()
    speech.policy.register_secret("482915")
    with pytest.raises(SecretInText) as caught:
        speech.say(text, "fr")
    assert "482915" not in str(caught.value)  # the refusal itself carries no secret
    assert inner.said == []


def test_alphanumeric_code_is_matched_whatever_the_case_and_spacing():
    policy = SpeechPolicy()
    policy.register_secret("K7P2-Q9XZ")
    assert policy.contains_secret("le code k7p2 q9xz")
    assert not policy.contains_secret("le code K7P2")


def test_text_without_secret_is_spoken_and_repeat_is_checked_again():
    speech, inner = guarded()
    speech.say("Votre rendez-vous est au bureau 7391.", "fr")
    assert inner.said == [("Votre rendez-vous est au bureau 7391.", "fr")]
    # a secret typed after the message was spoken: Repeat must not say it any more
    speech.policy.register_secret("7391")
    with pytest.raises(SecretInText):
        speech.repeat()
    assert len(inner.said) == 1


def test_masked_entry_never_contains_the_digits():
    policy = SpeechPolicy()
    policy.register_secret("482915")
    text = masked_entry_text(6, FR)
    assert text == "Code saisi : 6 chiffres."
    assert masked_entry_text(1, FR) == "Code saisi : 1 chiffre."
    assert masked_entry_text(0, FR) == "Aucun chiffre saisi."
    assert masked_entry_text(4, EN) == "Code typed: 4 digits."
    assert not policy.contains_secret(text)
    with pytest.raises(ValueError):
        masked_entry_text(-1, FR)


def test_secrets_are_forgotten_with_the_session():
    policy = SpeechPolicy()
    policy.register_secret("482915")
    policy.reset()
    assert not policy.contains_secret("482915")


def test_too_short_secret_is_refused():
    with pytest.raises(ValueError):
        SpeechPolicy().register_secret("12")


# --- screen descriptions ------------------------------------------------------------------


def test_screen_description_names_title_step_content_and_buttons():
    screen = ScreenDescription(
        title="Mes documents", step=(1, 3),
        lines=("Vous avez 4 documents", "Le plus récent est une ordonnance"),
        buttons=("Ouvrir", "Retour", "Accueil", "Aide"))
    text = screen.spoken_text(FR)
    assert text == ("Mes documents. Étape 1 sur 3. Vous avez 4 documents. Le plus récent est une ordonnance. "
                    "4 boutons : Ouvrir, Retour, Accueil et Aide.")
    en = ScreenDescription(title="My documents", step="Step 1 of 3", buttons=("Back",)).spoken_text(EN)
    assert en == "My documents. Step 1 of 3. One button: Back."


def test_screen_description_in_display_language():
    screen = ScreenDescription(title="Home", step=(2, 4), buttons=("Back", "Help"))
    assert "Step 2 of 4." in screen.spoken_text(EN)
    assert "Étape" not in screen.spoken_text(EN)
    assert "and" in screen.spoken_text(EN)


# --- state shown on screen ----------------------------------------------------------------


def test_status_text_says_why_there_is_no_voice():
    assert status_text(RecordingSpeaker(), "fr", FR) is None
    assert status_text(RecordingSpeaker(available=False), "fr", FR) == "La voix n'est pas disponible sur cette borne."
    assert status_text(RecordingSpeaker(voices=("en",)), "fr", FR) == FR.tr("speech.no_voice")
    assert status_text(RecordingSpeaker(output=AudioOutput.NONE), "fr", FR) == FR.tr("speech.no_output")


# --- rate and volume ----------------------------------------------------------------------


def test_rate_steps_and_reset():
    speech, inner = guarded()
    assert speech.rate == 150
    assert speech.slower() == 125
    assert speech.slower() == 100
    assert speech.slower() == 100  # slowest step
    assert speech.faster() == 125
    for _ in range(10):
        speech.faster()
    assert speech.rate == RATE_STEPS_WPM[-1]
    assert slower(160) == 150 and faster(160) == 175
    with pytest.raises(ValueError):
        speech.set_rate(20)
    speech.louder()
    assert speech.volume_step == DEFAULT_VOLUME_STEP + 1
    for _ in range(10):
        speech.quieter()
    assert speech.volume_step == 0
    with pytest.raises(ValueError):
        speech.set_volume(len(VOLUME_LEVELS))
    speech.reset()
    assert (speech.rate, speech.volume_step) == (150, DEFAULT_VOLUME_STEP)
    assert inner.resets == 1


def test_configured_default_rate_is_the_reset_value():
    inner = RecordingSpeaker()
    speech = GuardedSpeaker(inner, SpeechPolicy(), default_rate=120)
    assert speech.rate == 120
    speech.faster()
    speech.reset()
    assert speech.rate == 120


# --- text cutting -------------------------------------------------------------------------


def test_chunk_text_cuts_sentences_and_keeps_every_word():
    text = "Bonjour. Vous avez 3 documents !\nTouchez Ouvrir. " + " ".join(["mot"] * 90)
    chunks = chunk_text(text)
    assert chunks[:3] == ["Bonjour.", "Vous avez 3 documents !", "Touchez Ouvrir."]
    assert all(len(c.split()) <= 40 for c in chunks)
    assert " ".join(chunks).split() == text.split()
    assert chunk_text("   ") == []


# --- the catalogue ------------------------------------------------------------------------


def test_speech_keys_are_in_both_languages_with_the_same_placeholders():
    fr = {k: v for k, v in i18n.read_catalog_files("fr").items() if k.startswith("speech.")}
    en = {k: v for k, v in i18n.read_catalog_files("en").items() if k.startswith("speech.")}
    assert fr and set(fr) == set(en)
    assert all(i18n.placeholders(fr[k]) == i18n.placeholders(en[k]) for k in fr)


def test_french_speech_sentences_are_short():
    fr = {k: v for k, v in i18n.read_catalog_files("fr").items() if k.startswith("speech.")}
    for key, text in fr.items():
        for sentence in re.split(r"(?<=[.!?])\s+", text):
            assert len(sentence.split()) <= 15, key
