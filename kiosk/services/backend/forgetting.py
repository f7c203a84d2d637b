"""What every backend shares to forget the person: keyed identifier fingerprints and an epoch.

- Wrong-code counts and lockouts must outlive a kiosk session (else leaving and
  coming back would undo a lockout), but not the identifier: they are kept under
  :class:`IdentifierFingerprints`, an HMAC of the identifier with a key drawn at
  random when the backend is built, held in memory only.
- :class:`Epoch` is bumped by ``forget()``. A sign-in call that was still running
  when the person left (its answer came late) checks it before storing anything:
  what it brings back for a person who is gone is thrown away.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
from contextlib import contextmanager
from typing import Iterator


class IdentifierFingerprints:
    """``fingerprint(ins)``: a keyed, one-way stand-in for an identifier (never the identifier)."""

    def __init__(self) -> None:
        self._key = secrets.token_bytes(32)

    def __call__(self, identifier: str) -> str:
        return hmac.new(self._key, identifier.encode("utf-8"), hashlib.sha256).hexdigest()[:32]

    def __repr__(self) -> str:
        return "IdentifierFingerprints()"


class Epoch:
    """A counter bumped by ``forget()``; ``current`` is read when a call starts."""

    def __init__(self) -> None:
        self._value = 0
        self._lock = threading.Lock()

    @property
    def current(self) -> int:
        return self._value

    @contextmanager
    def forgetting(self) -> Iterator[None]:
        """Hold it while dropping everything: no late call can store in between."""
        with self._lock:
            self._value += 1
            yield

    @contextmanager
    def storing(self, started: int) -> Iterator[bool]:
        """``with epoch.storing(started) as still_here:`` store only when ``still_here``."""
        with self._lock:
            yield self._value == started


__all__ = ["Epoch", "IdentifierFingerprints"]
