"""Helpers shared by the flow tests (imported by conftest.py and the test modules)."""

from __future__ import annotations

from kiosk.core.errors import Unavailable
from kiosk.services.backend.demo import DEMO_ROLES, load_demo_data

WRITES = frozenset(
    {
        "hide_document", "show_document", "mark_thread_read", "reply", "block_professional",
        "unblock_professional", "set_emergency_access", "create_access_code", "revoke_access_code",
        "close_space", "oppose_space",
    }
)


def ins_of(role: str) -> str:
    return load_demo_data().by_id(DEMO_ROLES[role]).patient.ins


class FailingWrites:
    """Wraps a HealthSpace. ``mode``: None (pass through), "before" (the write is not done and
    Unavailable is raised), "lost" (the write is done but the answer is lost: Unavailable)."""

    def __init__(self, inner) -> None:
        self.inner = inner
        self.mode: str | None = None
        self.calls: list[tuple[str, tuple, dict]] = []

    def __getattr__(self, name):
        target = getattr(self.inner, name)
        if name not in WRITES:
            return target

        def call(*args, **kwargs):
            self.calls.append((name, args, kwargs))
            if self.mode == "before":
                raise Unavailable("errors.unavailable.not_sent")
            result = target(*args, **kwargs)
            if self.mode == "lost":
                raise Unavailable("errors.unavailable.not_sent")
            return result

        return call

    def writes(self, name: str) -> list[tuple[tuple, dict]]:
        return [(a, k) for n, a, k in self.calls if n == name]
