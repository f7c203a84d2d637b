"""Temporary access code for a professional: choose a duration, show the code, stop it.

Steps::

    DURATION --choose_duration--> CODE --ask_revoke--> CONFIRM_REVOKE --confirm--> REVOKED (final)
             --open_code (an active one)--/

DURATION also lists the codes still active (``active_codes``), so the person can
stop one (at most 3 may be active). The CODE step exposes the code plain and
grouped ("7KQ3M-XP4RA"), the QR payload, the expiry and ``seconds_left(now)``
for the countdown. A code is a secret: it is shown, never spoken.
"""

from __future__ import annotations

import enum
from datetime import datetime, timedelta

from kiosk.core.audit import SubjectKind
from kiosk.core.errors import Unavailable
from kiosk.core.flows.base import SCOPE_ACCESS, Flow, action
from kiosk.core.flows.summary import Activity
from kiosk.core.models import ACCESS_CODE_GROUP, TemporaryAccessCode, format_access_code, normalise_access_code
from kiosk.core.ports import ACCESS_CODE_DURATIONS
from kiosk.core.runner import UNKNOWN_KEY

NOT_SENT_KEY = "errors.unavailable.not_sent"

TITLE_KEY = "flows.access_code.title"
EXPLAIN_KEYS = (
    "flows.access_code.explain.what",
    "flows.access_code.explain.sees",
    "flows.access_code.explain.stop",
)
#: The choices of duration with their label keys, in order (1 hour, 1 day, 1 week).
DURATIONS: tuple[tuple[timedelta, str], ...] = tuple(
    zip(
        ACCESS_CODE_DURATIONS,
        ("flows.access_code.duration.hour", "flows.access_code.duration.day", "flows.access_code.duration.week"),
    )
)
CODE_KEYS = ("flows.access_code.code.give", "flows.access_code.code.until")
EXPIRED_KEY = "flows.access_code.code.expired"
REVOKE_KEYS = ("flows.access_code.revoke.question", "flows.access_code.revoke.what_changes")
REVOKED_KEY = "flows.access_code.revoked"
CHOOSE_KEY = "flows.access_code.choose"
ACTIVE_KEY = "flows.access_code.active"
REVOKE_BUTTON_KEY = "flows.access_code.revoke.button"


class AccessCodeStep(enum.Enum):
    DURATION = "duration"
    CODE = "code"
    CONFIRM_REVOKE = "confirm_revoke"
    REVOKED = "revoked"


class AccessCodeFlow(Flow):
    Step = AccessCodeStep
    scope = SCOPE_ACCESS
    STEP_NUMBERS = {"DURATION": 1, "CODE": 2, "CONFIRM_REVOKE": 3, "REVOKED": 3}
    FINAL_STEPS = frozenset({"REVOKED"})

    title_key = TITLE_KEY
    explain_keys = EXPLAIN_KEYS
    durations = DURATIONS
    code_keys = CODE_KEYS
    revoke_keys = REVOKE_KEYS
    revoked_key = REVOKED_KEY
    choose_key = CHOOSE_KEY
    active_key = ACTIVE_KEY
    revoke_button_key = REVOKE_BUTTON_KEY

    def __init__(self, context, *, guard=None) -> None:
        super().__init__(context, guard=guard)
        self._clear()

    def _clear(self) -> None:
        self.active_codes: list[TemporaryAccessCode] = []
        self.current: TemporaryAccessCode | None = None

    # ------------------------------------------------------------ reading
    @property
    def code(self) -> str | None:
        """The code without dashes ("7KQ3MXP4RA"): what the professional types."""
        return normalise_access_code(self.current.code) if self.current else None

    @property
    def grouped_code(self) -> str | None:
        """The code in groups of 5 for reading: "7KQ3M-XP4RA"."""
        return format_access_code(self.current.code) if self.current else None

    @property
    def code_groups(self) -> tuple[str, ...]:
        code = self.code or ""
        return tuple(code[i : i + ACCESS_CODE_GROUP] for i in range(0, len(code), ACCESS_CODE_GROUP))

    @property
    def qr_payload(self) -> str | None:
        """What the QR code holds: the code exactly as typed by the professional."""
        return self.code

    @property
    def expires(self) -> datetime | None:
        return self.current.expires if self.current else None

    def seconds_left(self, now: datetime) -> int:
        """Whole seconds before the code stops (0 when expired or revoked)."""
        if self.current is None:
            return 0
        return int(self.current.remaining(now).total_seconds())

    def expired_key(self, now: datetime) -> str | None:
        """"Ce code ne marche plus." once the countdown reaches 0."""
        if self.current is not None and not self.current.revoked and self.seconds_left(now) == 0:
            return EXPIRED_KEY
        return None

    # ------------------------------------------------------------ actions
    def _start(self) -> None:
        self.active_codes = self._space.list_access_codes(self._patient)

    @action("DURATION")
    def choose_duration(self, duration: timedelta | int) -> bool:
        """A duration from DURATIONS, or its index (0: 1 hour, 1: 1 day, 2: 1 week)."""
        if isinstance(duration, int) and not isinstance(duration, bool):
            if not 0 <= duration < len(DURATIONS):
                return False
            duration = DURATIONS[duration][0]
        try:
            created = self._space.create_access_code(self._patient, duration)
        except Unavailable as error:
            created = self._made_after_all(error, duration)
        self.current = created
        self.active_codes = [created] + [c for c in self.active_codes if c.code != created.code]
        self._record(
            Activity.CODE_CREATED, SubjectKind.CODE, normalise_access_code(created.code),
            duration_s=int(duration.total_seconds()),
        )
        self._go(AccessCodeStep.CODE)
        return True

    def _made_after_all(self, error: Unavailable, duration: timedelta) -> TemporaryAccessCode:
        """No answer after the code was asked for: read the active codes back. A new one with this
        duration was made; none means it was not; when that cannot be known, the error stands."""
        if error.key != UNKNOWN_KEY:
            raise error
        known = {normalise_access_code(c.code) for c in self.active_codes}
        try:
            now_active = self._space.list_access_codes(self._patient)
        except Unavailable:
            raise error from None
        new = [c for c in now_active if normalise_access_code(c.code) not in known
               and not c.revoked and c.duration == duration]
        if len(new) == 1:
            return new[0]
        if not new:
            raise Unavailable(NOT_SENT_KEY) from None
        raise error

    @action("DURATION")
    def open_code(self, code: str) -> bool:
        """Show again a code that is still active (to stop it, or to read it again)."""
        wanted = normalise_access_code(code)
        found = next((c for c in self.active_codes if normalise_access_code(c.code) == wanted), None)
        if found is None:
            return False
        self.current = found
        self._go(AccessCodeStep.CODE)
        return True

    @action("CODE")
    def ask_revoke(self) -> None:
        """"Arrêter ce code"."""
        self._go(AccessCodeStep.CONFIRM_REVOKE)

    @action("CONFIRM_REVOKE")
    def confirm(self) -> None:
        revoked = self._space.revoke_access_code(self._patient, self.current.code)
        self.current = revoked
        self.active_codes = [c for c in self.active_codes if normalise_access_code(c.code) != self.code]
        self._record(Activity.CODE_REVOKED, SubjectKind.CODE, self.code)
        self._history = [AccessCodeStep.DURATION]
        self.step = AccessCodeStep.REVOKED

    def _on_back(self, leaving, to) -> None:
        if leaving is AccessCodeStep.CODE:
            self.current = None  # the code stays active: it is in active_codes


__all__ = ["AccessCodeFlow", "AccessCodeStep", "DURATIONS"]
