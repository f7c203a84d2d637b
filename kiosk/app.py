"""The composition root: reads settings and picks the implementation of each port.

Nothing else decides which backend, store or voice is in use.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kiosk.core.clock import Clock, SystemClock
from kiosk.core.session import Preferences, Session
from kiosk.settings import Settings


@dataclass
class Services:
    settings: Settings
    clock: Clock
    session: Session
    backend: Any = None      # kiosk.core.ports.HealthSpace
    store: Any = None        # encrypted store (helpers, journal)
    speaker: Any = None      # kiosk.core.speech.Speaker
    extras: dict[str, Any] = field(default_factory=dict)

    def close(self) -> None:
        self.session.wipe()
        for part in (self.speaker, self.store):
            closer = getattr(part, "close", None)
            if closer:
                closer()


def default_preferences(settings: Settings) -> Preferences:
    return Preferences(
        language=settings.default_language,
        text_size=settings.text_size,
        theme=settings.theme,
        speech_rate_wpm=settings.speech_rate_wpm,
    )


def build_services(settings: Settings, clock: Clock | None = None, *, with_voice: bool = True) -> Services:
    clock = clock or SystemClock()
    session = Session(
        clock,
        timeout_s=settings.inactivity_timeout_s,
        warning_s=settings.warning_s,
        defaults=default_preferences(settings),
    )
    return Services(settings=settings, clock=clock, session=session)
