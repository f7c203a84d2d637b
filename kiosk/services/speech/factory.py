"""Choosing the speaker: espeak-ng when it works, else the null speaker, said plainly."""

from __future__ import annotations

import logging

from kiosk.core.speech import DEFAULT_RATE_WPM, GuardedSpeaker, Speaker, SpeechPolicy
from kiosk.services.speech.engine import EngineThread, EngineUnavailable
from kiosk.services.speech.espeak import EspeakSpeaker
from kiosk.services.speech.null import NullSpeaker
from kiosk.services.speech.player import PlayerConfig

log = logging.getLogger(__name__)


def create_speaker(*, default_rate: int = DEFAULT_RATE_WPM, player: PlayerConfig | None = None,
                   engine: EngineThread | None = None) -> Speaker:
    """The espeak-ng speaker, or a `NullSpeaker` whose `reason` says why there is no voice."""
    try:
        return EspeakSpeaker(player=player, engine=engine, default_rate=default_rate)
    except EngineUnavailable as exc:
        log.warning("speech: no voice on this kiosk (%s)", exc.reason.value)
        return NullSpeaker(exc.reason, default_rate=default_rate)


def create_speech(settings=None, *, player: PlayerConfig | None = None,
                  engine: EngineThread | None = None) -> GuardedSpeaker:
    """What kiosk/app.py gives the UI: the speaker with the privacy policy of this kiosk.

    `settings` is a kiosk.settings.Settings (headset, speech_rate_wpm are read).
    """
    rate = settings.speech_rate_wpm if settings is not None else DEFAULT_RATE_WPM
    headset = bool(settings.headset) if settings is not None else False
    speaker = create_speaker(default_rate=rate, player=player, engine=engine)
    return GuardedSpeaker(speaker, SpeechPolicy(headset=headset), default_rate=rate)
