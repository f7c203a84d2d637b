"""Wrong one-time codes counted per identifier, and the lockout that follows.

Shared by every HealthSpace implementation, so the port's sign-in semantics
(MAX_CODE_ATTEMPTS failures, then LOCKOUT for the identifier) live in one place.
"""

from __future__ import annotations

from datetime import datetime
from typing import Callable, NoReturn

from kiosk.core.errors import NotAllowed, SignInFailed
from kiosk.core.ports import LOCKOUT, MAX_CODE_ATTEMPTS


class SignInAttempts:
    def __init__(self, now: Callable[[], datetime]) -> None:
        self._now = now
        self._failures: dict[str, int] = {}
        self._locked_until: dict[str, datetime] = {}

    def check(self, ins: str) -> None:
        """NotAllowed(locked) while the identifier is locked out."""
        until = self._locked_until.get(ins)
        if until is None:
            return
        now = self._now()
        if now < until:
            raise NotAllowed("errors.not_allowed.locked", retry_after=(until - now).total_seconds())
        del self._locked_until[ins]

    def failed(self, ins: str) -> NoReturn:
        """Count a wrong code: SignInFailed with the attempts left, or the lockout on the last one."""
        failures = self._failures.get(ins, 0) + 1
        if failures >= MAX_CODE_ATTEMPTS:
            self._failures.pop(ins, None)
            self._locked_until[ins] = self._now() + LOCKOUT
            raise NotAllowed("errors.not_allowed.locked", retry_after=LOCKOUT.total_seconds())
        self._failures[ins] = failures
        raise SignInFailed(attempts_left=MAX_CODE_ATTEMPTS - failures)

    def succeeded(self, ins: str) -> None:
        self._failures.pop(ins, None)
