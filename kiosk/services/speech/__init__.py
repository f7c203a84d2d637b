"""Speech adapters: espeak-ng through pyttsx3, and the null speaker.

kiosk/app.py calls `create_speech(settings)` and hands the resulting
`kiosk.core.speech.GuardedSpeaker` to the UI.
"""

from kiosk.services.speech.engine import EngineUnavailable, get_engine
from kiosk.services.speech.espeak import EspeakSpeaker, synthesize, write_wav
from kiosk.services.speech.factory import create_speaker, create_speech
from kiosk.services.speech.null import NullSpeaker
from kiosk.services.speech.player import PlayerConfig

__all__ = [
    "EngineUnavailable", "EspeakSpeaker", "NullSpeaker", "PlayerConfig", "create_speaker",
    "create_speech", "get_engine", "synthesize", "write_wav",
]
