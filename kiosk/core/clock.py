"""The Clock port: wall time for display and journal, monotonic time for timeouts."""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone
from typing import Protocol

PARIS = None
try:  # zoneinfo data may be missing on a bare system: fall back to UTC rather than fail.
    from zoneinfo import ZoneInfo

    PARIS = ZoneInfo("Europe/Paris")
except Exception:  # pragma: no cover - depends on the machine
    PARIS = timezone.utc


class Clock(Protocol):
    def now(self) -> datetime:
        """An aware datetime."""

    def monotonic(self) -> float:
        """Seconds, only for measuring durations."""


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(PARIS)

    def monotonic(self) -> float:
        return time.monotonic()


class FakeClock:
    """A clock that only moves when told: tests never sleep."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime(2026, 12, 1, 10, 0, tzinfo=PARIS)
        self._mono = 1000.0

    def now(self) -> datetime:
        return self._now

    def monotonic(self) -> float:
        return self._mono

    def advance(self, seconds: float) -> None:
        self._now += timedelta(seconds=seconds)
        self._mono += seconds
