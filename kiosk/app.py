"""The composition root: reads settings and picks the implementation of each port.

Nothing else decides which backend, store or voice is in use.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from typing import Any, Callable

from kiosk.core.clock import Clock, SystemClock
from kiosk.core.session import Preferences, Session
from kiosk.settings import Settings


class Lazy:
    """A part built on first use, so the Welcome screen is drawn before the slow parts start.

    It forwards every attribute to the real object; `resolve()` builds it at once
    (from any thread, once), `if_ready()` touches it only when it already exists.
    """

    def __init__(self, factory: Callable[[], Any]) -> None:
        object.__setattr__(self, "_factory", factory)
        object.__setattr__(self, "_value", None)
        object.__setattr__(self, "_lock", threading.Lock())

    def resolve(self) -> Any:
        if self._value is None:
            with self._lock:
                if self._value is None:
                    object.__setattr__(self, "_value", self._factory())
        return self._value

    @property
    def ready(self) -> bool:
        return self._value is not None

    def if_ready(self, action: Callable[[Any], Any]) -> None:
        if self._value is not None:
            action(self._value)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.resolve(), name)

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(self.resolve(), name, value)

    def __repr__(self) -> str:
        return f"Lazy({self._value!r})" if self._value is not None else "Lazy(<not built yet>)"


def real(part: Any) -> Any:
    """The object behind a Lazy part (or the part itself)."""
    return part.resolve() if isinstance(part, Lazy) else part


@dataclass
class Services:
    settings: Settings
    clock: Clock
    session: Session
    backend: Any = None      # kiosk.core.ports.HealthSpace
    store: Any = None        # encrypted store (helpers, journal)
    speaker: Any = None      # kiosk.core.speech.Speaker
    runner: Any = None       # kiosk.core.runner.FlowRunner: backend calls off the UI thread
    journal: Any = None      # kiosk.core.journal_guard.GuardedJournal over the store's journal
    extras: dict[str, Any] = field(default_factory=dict)

    def warm_up(self) -> None:
        """Build every lazy part now (called once the first frame is on screen)."""
        for part in (self.store, self.backend, self.speaker):
            if isinstance(part, Lazy):
                part.resolve()

    def close(self) -> None:
        self.session.wipe()
        for part in (self.speaker, self.backend, self.store):
            if isinstance(part, Lazy):
                if not part.ready:
                    continue
                part = part.resolve()
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


def build_backend(settings: Settings, clock: Clock, store: Any = None):
    """The HealthSpace in use: the demo's fictional patients, or a FHIR server, on the kiosk's clock.

    With `store`, the patients' sign-in lockouts are kept in it, so they survive a restart
    (the demo's throw-away store: for as long as the process runs)."""
    attempts = sign_in_attempts(store, clock) if store is not None else None
    if settings.is_demo:
        from kiosk.services.backend.demo import DemoHealthSpace

        return DemoHealthSpace(clock, attempts=attempts)
    from kiosk.services.backend.fhir import make_fhir_backend

    return make_fhir_backend(settings, clock, attempts=attempts)


def sign_in_attempts(store: Any, clock: Clock):
    """The patients' wrong codes and lockouts, by keyed fingerprint, in the encrypted store;
    in memory (and said in the log) if the store cannot give its fingerprint key."""
    from kiosk.core.sign_in_attempts import SignInAttempts
    from kiosk.services.storage.sign_in_locks import StoredSignInLocks

    locks = StoredSignInLocks(real(store).store, clock)
    try:
        key = locks.key()
    except Exception as error:
        logging.getLogger("kiosk").error("sign-in lockouts kept in memory only: %s", type(error).__name__)
        return SignInAttempts(clock.now)
    return SignInAttempts(clock.now, locks, key=key)


def build_store(settings: Settings, clock: Clock):
    """Demo and training use a throw-away encrypted store; a real kiosk its installed one."""
    from kiosk.services.storage import open_ephemeral, open_installed

    if settings.is_demo:
        return open_ephemeral(clock=clock)
    return open_installed(settings.state_path(), clock=clock, purpose="kiosk")


def _journal_session(session: Session, journal) -> None:
    """Session start and end go to the audit journal (no patient data: none is known here).

    A journal that cannot be written never stops a session from ending: the guard is down,
    the log says why, and no change is made any more.
    """
    from kiosk.core.audit import AuditAction
    from kiosk.core.journal_guard import JournalDown
    from kiosk.core.session import EndReason

    def write(action) -> None:
        try:
            journal.append(action)
        except JournalDown:
            pass

    session.on_start.append(lambda s: write(AuditAction.SESSION_STARTED))
    session.on_end.append(lambda s: write(
        AuditAction.SESSION_TIMED_OUT if s.end_reason is EndReason.TIMEOUT else AuditAction.SESSION_ENDED
    ))


def _witness_session_end(session: Session, store) -> None:
    """At each session end, after its entry, the journal's head also goes outside the store
    (a log line and the witness file: kiosk/services/storage/witness.py). A failed write never
    stops the session from ending: it is logged."""
    log = logging.getLogger("kiosk")

    def record(_session) -> None:
        if isinstance(store, Lazy) and not store.ready:
            return
        write = getattr(real(store), "record_head", None)
        if write is None:
            return
        try:
            write()
        except Exception as error:
            log.error("audit head not written outside the store: %s", type(error).__name__)

    session.on_end.append(record)


def guarded_journal(store):
    """The journal as everything in a session writes it: a change is made only when the store's disk
    can take its entry."""
    from kiosk.core.journal_guard import GuardedJournal

    def probe():
        from kiosk.services.storage.room import check_room  # the storage modules: not before Welcome

        return check_room(real(store).path)

    return GuardedJournal(Lazy(lambda: real(store).journal), probe=probe)


def _forget_on_end(session: Session, backend) -> None:
    """At the end of every session the backend forgets the person: at once in memory, then the
    sign-out, which may talk to the service, on a short-lived thread so the screen never waits."""
    leaving: list = []  # the PatientSession that was open when the session ended (the wipe clears data)

    def keep_leaving(s: Session) -> None:
        from kiosk.core.flows.base import PATIENT_SESSION  # the flows: not before Welcome

        leaving.append(s.data.get(PATIENT_SESSION))

    session.on_end.append(keep_leaving)

    log = logging.getLogger("kiosk")

    def sign_out(space, signed_in: list) -> None:
        for patient_session in signed_in:
            try:
                space.sign_out(patient_session)
            except Exception as error:  # the service may be gone: the token is already dead here
                log.info("sign-out not confirmed by the service: %s", type(error).__name__)

    def forget() -> None:
        signed_in = [p for p in leaving if p is not None]
        leaving.clear()
        if isinstance(backend, Lazy) and not backend.ready:
            return  # never built: it knows nobody
        space = real(backend)
        try:
            space.forget()
        except Exception as error:  # never stop the rest of the wipe
            log.error("the backend could not forget the session: %s", type(error).__name__)
        if signed_in:
            threading.Thread(target=sign_out, args=(space, signed_in), name="kiosk-sign-out", daemon=True).start()

    session.add_cleanup(forget)


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
    # A real kiosk opens its store at once, so a key problem stops start-up with its message.
    store = Lazy(lambda: build_store(settings, clock))
    if not settings.is_demo:
        store.resolve()
    backend = Lazy(lambda: build_backend(settings, backend_clock or clock, store))  # one clock for all
    journal = guarded_journal(store)
    _journal_session(session, journal)
    _witness_session_end(session, store)
    _forget_on_end(session, backend)
    from kiosk.core.runner import FlowRunner

    runner = FlowRunner(clock, deadline_s=settings.action_deadline_s)
    runner.before_write = journal.check
    session.on_end.append(lambda _s: runner.end_session())  # a late answer never reaches the next person
    session.on_reset.append(lambda _s: runner.end_session())
    speaker = None
    if with_voice:
        def make_speaker():
            from kiosk.services.speech import create_speech  # built after Welcome (warm_up)

            return create_speech(settings)

        speaker = Lazy(make_speaker)
        session.add_cleanup(lambda: speaker.if_ready(lambda s: s.reset()))
    return Services(settings=settings, clock=clock, session=session, backend=backend,
                    store=store, speaker=speaker, runner=runner, journal=journal)
