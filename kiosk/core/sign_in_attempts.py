"""Wrong one-time codes counted per identifier, and the lockout that follows.

Shared by every HealthSpace implementation, so the port's sign-in semantics
(MAX_CODE_ATTEMPTS failures, then LOCKOUT for the identifier) live in one place.

The counts are kept under a keyed fingerprint of the identifier (HMAC-SHA256), never
the identifier itself, in a :class:`SignInLockStore`: the kiosk's encrypted store on a
real kiosk (so a lockout survives a restart), memory otherwise. The fingerprint key
comes with the store: a store that outlives the process gives a key that does too.
If the store cannot answer, the counts go on in memory (and the log says so): a disk
problem never unlocks an identifier within the process, nor stops a sign-in.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import threading
from dataclasses import dataclass
from datetime import datetime
from typing import Callable, NoReturn, Protocol

from kiosk.core.errors import NotAllowed, SignInFailed
from kiosk.core.ports import LOCKOUT, MAX_CODE_ATTEMPTS

log = logging.getLogger("kiosk")


@dataclass(frozen=True)
class AttemptRecord:
    """What is known of one identifier: wrong codes since the last success, and a lock."""

    failures: int = 0
    locked_until: datetime | None = None


class SignInLockStore(Protocol):
    """Where the counts live, by fingerprint (never an identifier)."""

    def get(self, fingerprint: str) -> AttemptRecord | None:
        """The record, or None when nothing is known."""

    def put(self, fingerprint: str, record: AttemptRecord | None) -> None:
        """Keep the record; None forgets the fingerprint."""

    def clear(self) -> None:
        """Forget every fingerprint (the demo's reset)."""


class MemoryLockStore:
    """The counts in memory, for as long as the process runs."""

    def __init__(self) -> None:
        self._records: dict[str, AttemptRecord] = {}

    def get(self, fingerprint: str) -> AttemptRecord | None:
        return self._records.get(fingerprint)

    def put(self, fingerprint: str, record: AttemptRecord | None) -> None:
        if record is None:
            self._records.pop(fingerprint, None)
        else:
            self._records[fingerprint] = record

    def clear(self) -> None:
        self._records.clear()

    def __repr__(self) -> str:
        return f"MemoryLockStore({len(self._records)} fingerprints)"


class SignInAttempts:
    def __init__(
        self,
        now: Callable[[], datetime],
        store: SignInLockStore | None = None,
        *,
        key: bytes | None = None,
    ) -> None:
        self._now = now
        self._store = store or MemoryLockStore()
        self._key = key or secrets.token_bytes(32)
        self._fallback = MemoryLockStore()  # used only while the store cannot answer
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"SignInAttempts({type(self._store).__name__})"

    def fingerprint(self, identifier: str) -> str:
        """A keyed, one-way stand-in for an identifier: what the counts are kept under."""
        return hmac.new(self._key, identifier.encode("utf-8"), hashlib.sha256).hexdigest()[:32]

    # -- the store, and memory when it fails ---------------------------------------------------
    def _get(self, fingerprint: str) -> AttemptRecord | None:
        try:
            record = self._store.get(fingerprint)
        except Exception as error:
            log.error("sign-in lockouts cannot be read from the store: %s", type(error).__name__)
            return self._fallback.get(fingerprint)
        kept = self._fallback.get(fingerprint)  # a record kept while the store failed still counts
        if kept is not None and (record is None or _stricter(kept, record)):
            return kept
        return record

    def _put(self, fingerprint: str, record: AttemptRecord | None) -> None:
        try:
            self._store.put(fingerprint, record)
        except Exception as error:
            log.error("sign-in lockouts cannot be written to the store: %s", type(error).__name__)
            self._fallback.put(fingerprint, record)
        else:
            self._fallback.put(fingerprint, None)

    # -- the port's semantics ------------------------------------------------------------------
    def check(self, fingerprint: str) -> None:
        """NotAllowed(locked) while the identifier is locked out."""
        with self._lock:
            record = self._get(fingerprint)
            if record is None or record.locked_until is None:
                return
            now = self._now()
            if now < record.locked_until:
                raise NotAllowed("errors.not_allowed.locked", retry_after=(record.locked_until - now).total_seconds())
            self._put(fingerprint, None)  # the lock is over: a fresh count

    def failed(self, fingerprint: str) -> NoReturn:
        """Count a wrong code: SignInFailed with the attempts left, or the lockout on the last one."""
        with self._lock:
            record = self._get(fingerprint)
            now = self._now()
            expired = record is not None and record.locked_until is not None and now >= record.locked_until
            failures = (0 if record is None or expired else record.failures) + 1
            if failures >= MAX_CODE_ATTEMPTS:
                self._put(fingerprint, AttemptRecord(0, now + LOCKOUT))
                raise NotAllowed("errors.not_allowed.locked", retry_after=LOCKOUT.total_seconds())
            self._put(fingerprint, AttemptRecord(failures, None))
        raise SignInFailed(attempts_left=MAX_CODE_ATTEMPTS - failures)

    def succeeded(self, fingerprint: str) -> None:
        with self._lock:
            self._put(fingerprint, None)

    def clear(self) -> None:
        """Forget every count and lock (the demo's reset)."""
        with self._lock:
            self._fallback.clear()
            try:
                self._store.clear()
            except Exception as error:
                log.error("sign-in lockouts cannot be cleared in the store: %s", type(error).__name__)


def _stricter(a: AttemptRecord, b: AttemptRecord) -> bool:
    if (a.locked_until is None) != (b.locked_until is None):
        return a.locked_until is not None
    if a.locked_until is not None and b.locked_until is not None:
        return a.locked_until > b.locked_until
    return a.failures > b.failures
