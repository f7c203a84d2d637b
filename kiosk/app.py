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
        for part in (self.speaker, self.backend, self.store):
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


def build_backend(settings: Settings, clock: Clock | None = None):
    """The HealthSpace in use: the demo's fictional patients, or a FHIR server."""
    if settings.is_demo:
        from kiosk.services.backend.demo import DemoHealthSpace

        return DemoHealthSpace(clock) if clock is not None else DemoHealthSpace()
    from kiosk.services.backend.fhir import make_fhir_backend

    return make_fhir_backend(settings, clock or SystemClock())


def build_store(settings: Settings, clock: Clock):
    """Demo and training use a throw-away encrypted store; a real kiosk its installed one."""
    from kiosk.services.storage import open_ephemeral, open_installed

    if settings.is_demo:
        return open_ephemeral(clock=clock)
    return open_installed(settings.state_path(), clock=clock, purpose="kiosk")


def _journal_session(session: Session, journal) -> None:
    """Session start and end go to the audit journal (no patient data: none is known here)."""
    from kiosk.core.audit import AuditAction
    from kiosk.core.session import EndReason

    session.on_start.append(lambda s: journal.append(AuditAction.SESSION_STARTED))
    session.on_end.append(lambda s: journal.append(
        AuditAction.SESSION_TIMED_OUT if s.end_reason is EndReason.TIMEOUT else AuditAction.SESSION_ENDED
    ))


def build_services(
    settings: Settings,
    clock: Clock | None = None,
    *,
    backend_clock: Clock | None = None,
    with_voice: bool = True,
) -> Services:
    clock = clock or SystemClock()
    session = Session(
        clock,
        timeout_s=settings.inactivity_timeout_s,
        warning_s=settings.warning_s,
        defaults=default_preferences(settings),
    )
    store = build_store(settings, clock)
    try:
        backend = build_backend(settings, backend_clock)
    except BaseException:
        store.close()
        raise
    _journal_session(session, store.journal)
    speaker = None
    if with_voice:
        from kiosk.services.speech import create_speech

        speaker = create_speech(settings)
        session.add_cleanup(speaker.reset)
    return Services(settings=settings, clock=clock, session=session, backend=backend,
                    store=store, speaker=speaker)
