"""What every backend shares to forget the person: an epoch.

(Wrong-code counts and lockouts outlive a session in the encrypted store, under a keyed
fingerprint of the identifier: kiosk.core.sign_in_attempts.)

- :class:`Epoch` is bumped by ``forget()``. A sign-in call that was still running
  when the person left (its answer came late) checks it before storing anything:
  what it brings back for a person who is gone is thrown away.
"""

from __future__ import annotations

import secrets
import threading
from contextlib import contextmanager
from datetime import datetime
from typing import Any, Iterator


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


def keep_challenge(challenges: dict[str, Any], epoch: Epoch, started: int, challenge: Any, now: datetime) -> str:
    """Keep a new sign-in challenge (anything with ``expires``) under a fresh handle; drop those
    that expired. A call that started before ``forget()`` stores nothing: its handle never works."""
    handle = secrets.token_urlsafe(16)
    with epoch.storing(started) as still_here:
        for old in [h for h, c in challenges.items() if now >= c.expires]:
            del challenges[old]
        if still_here:
            challenges[handle] = challenge
    return handle


__all__ = ["Epoch", "keep_challenge"]
