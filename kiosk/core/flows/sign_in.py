"""Sign-in: the 15-digit identifier, then the one-time code, on the kiosk's own number pad.

Steps::

    IDENTIFIER --submit_identifier--> CODE --submit_code--> SIGNED_IN      (final)
                                        |                 \\-> SPACE_CLOSED (final: space closed or refused)
                                        \\--5th wrong code--> PAUSED --try_again (after the wait)--> IDENTIFIER

The identifier is checked before it is sent, each problem with its own message
(``error_text``): too few digits ("Il manque 3 chiffres."), only 14 (the key is
often forgotten), too many, or a control key that does not match. A wrong code
leaves the flow at CODE with ``error_key`` "errors.sign_in_failed" and
``attempts_left`` (said with the message: "Il vous reste 1 essai."); the typed
code is cleared for another try. A locked identifier (the backend's
``NotAllowed(locked)``) goes to PAUSED, which says "Demandez de l'aide au
comptoir" and counts down ``minutes_left(now)``. The lock belongs to the
identifier (kept by the backend): another identifier signs in as usual.
On success the ``PatientSession`` is stored in ``Session.data[PATIENT_SESSION]``.
"""

from __future__ import annotations

import enum
import math
from datetime import datetime, timedelta

from kiosk.core.audit import AuditAction, SubjectKind
from kiosk.core.errors import HealthSpaceError, NotAllowed, SignInFailed, describe
from kiosk.core.flows.base import PATIENT_SESSION, SCOPE_SIGN_IN, Flow, InputProblem, action
from kiosk.core.models import Patient, SignInChallenge, SpaceStatus, ins_is_well_formed

IDENTIFIER_LENGTH = 15
#: How the identifier is grouped on screen, as on the carte Vitale: "2 44 03 99 999 001 68".
IDENTIFIER_GROUPS = (1, 2, 2, 2, 3, 3, 2)
FILLED = "\u25cf"  # ●
EMPTY = "\u25cb"  # ○

TITLE_KEY = "flows.sign_in.title"
IDENTIFIER_PROMPT_KEY = "flows.sign_in.identifier.prompt"
IDENTIFIER_HINT_KEY = "flows.sign_in.identifier.hint"
CODE_PROMPT_KEY = "flows.sign_in.code.prompt"
CODE_INCOMPLETE_KEY = "flows.sign_in.code.incomplete"
NEW_CODE_SENT_KEY = "flows.sign_in.code.new_code_sent"
PAUSED_KEYS = ("flows.sign_in.paused.what", "flows.sign_in.paused.ask_help")
SPACE_CLOSED_KEYS = ("flows.sign_in.space_closed.what", "flows.closure.status.reopen")
#: What is wrong with a typed identifier, each with its own sentence.
MISSING_DIGITS_KEY = "flows.sign_in.identifier.missing"  # .one / .other, with {n}
ONE_DIGIT_MISSING_KEY = "flows.sign_in.identifier.one_missing"  # 14 digits: often the key is cut short
TOO_MANY_DIGITS_KEY = "flows.sign_in.identifier.too_many"
WRONG_KEY_KEY = "flows.sign_in.identifier.wrong_key"  # the last 2 digits do not match the 13 others


class IdentifierProblem(InputProblem):
    """A typed identifier that cannot be sent; ``missing`` is how many digits are still to type."""

    def __init__(self, key: str, missing: int = 0) -> None:
        super().__init__(key)
        self.missing = missing


def identifier_problem(identifier: str) -> IdentifierProblem | None:
    """Why ``identifier`` cannot be sent, or None when it is well formed."""
    missing = IDENTIFIER_LENGTH - len(identifier)
    if missing == 1:
        return IdentifierProblem(ONE_DIGIT_MISSING_KEY, 1)
    if missing > 1:
        return IdentifierProblem(MISSING_DIGITS_KEY, missing)
    if missing < 0:
        return IdentifierProblem(TOO_MANY_DIGITS_KEY)
    if not ins_is_well_formed(identifier):
        return IdentifierProblem(WRONG_KEY_KEY)
    return None


class SignInStep(enum.Enum):
    IDENTIFIER = "identifier"
    CODE = "code"
    PAUSED = "paused"
    SPACE_CLOSED = "space_closed"
    SIGNED_IN = "signed_in"


class SignInFlow(Flow):
    Step = SignInStep
    scope = SCOPE_SIGN_IN
    STEP_NUMBERS = {"IDENTIFIER": 1, "CODE": 2}
    FINAL_STEPS = frozenset({"SIGNED_IN", "SPACE_CLOSED"})

    title_key = TITLE_KEY
    identifier_prompt_key = IDENTIFIER_PROMPT_KEY
    identifier_hint_key = IDENTIFIER_HINT_KEY
    code_prompt_key = CODE_PROMPT_KEY
    paused_keys = PAUSED_KEYS
    space_closed_keys = SPACE_CLOSED_KEYS

    def __init__(self, context, **kw) -> None:
        super().__init__(context, **kw)
        self.identifier = ""
        self._code = ""
        self._challenge: SignInChallenge | None = None
        self.paused_until: datetime | None = None
        self.space_status: SpaceStatus | None = None
        self.patient: Patient | None = None

    # ------------------------------------------------------------ reading
    @property
    def identifier_complete(self) -> bool:
        return len(self.identifier) == IDENTIFIER_LENGTH

    @property
    def identifier_valid(self) -> bool:
        """15 characters with a right control key (the backend checks it again)."""
        return ins_is_well_formed(self.identifier)

    @property
    def identifier_grouped(self) -> str:
        """What was typed so far, grouped like on the card: "2 44 03 99 9"."""
        groups, start = [], 0
        for size in IDENTIFIER_GROUPS:
            part = self.identifier[start : start + size]
            if not part:
                break
            groups.append(part)
            start += size
        return " ".join(groups)

    @property
    def code_length(self) -> int:
        return self._challenge.code_length if self._challenge else 0

    @property
    def code_entered(self) -> int:
        """How many digits of the code were typed (the digits themselves are never exposed)."""
        return len(self._code)

    @property
    def code_complete(self) -> bool:
        return self._challenge is not None and len(self._code) == self.code_length

    @property
    def masked_code(self) -> str:
        """"● ● ● ○ ○ ○": one filled dot per typed digit, one empty dot per missing one."""
        return " ".join([FILLED] * len(self._code) + [EMPTY] * (self.code_length - len(self._code)))

    @property
    def code_sent_key(self) -> str | None:
        """"Nous avons envoyé un code par SMS." (or by e-mail)."""
        if self._challenge is None:
            return None
        channel = "email" if self._challenge.channel == "email" else "sms"
        return f"flows.sign_in.code.sent.{channel}"

    def seconds_left(self, now: datetime) -> int:
        """Seconds until the pause ends (0 when it is over or there is none)."""
        if self.paused_until is None:
            return 0
        return max(0, int((self.paused_until - now).total_seconds() + 0.999))

    def minutes_left(self, now: datetime) -> int:
        """Whole minutes until the pause ends, rounded up (0 when it is over)."""
        return math.ceil(self.seconds_left(now) / 60)

    def error_text(self, catalog) -> str | None:
        """The sentence(s) to show and speak for the error, with its numbers (digits missing,
        attempts left), from ``catalog`` (a kiosk.core.i18n.Catalog)."""
        error = self.error
        if error is None:
            return None
        if isinstance(error, IdentifierProblem) and error.key == MISSING_DIGITS_KEY:
            return catalog.tr_n(error.key, error.missing)
        if isinstance(error, HealthSpaceError):
            return describe(error, catalog)
        return catalog.tr(self.error_key)

    def can_append(self, char: str) -> bool:
        """Whether the pad key ``char`` can be typed now (letters A/B only for Corsica, 7th place)."""
        if self.step is SignInStep.CODE:
            return char.isdigit() and len(char) == 1 and len(self._code) < self.code_length
        if self.step is not SignInStep.IDENTIFIER or len(char) != 1 or len(self.identifier) >= IDENTIFIER_LENGTH:
            return False
        if char in "0123456789":
            return True
        return char in "AB" and len(self.identifier) == 6 and self.identifier[5] == "2"

    # ------------------------------------------------------------ the pad
    @action("IDENTIFIER", "CODE")
    def append_digit(self, char: str) -> bool:
        char = str(char).upper()
        if not self.can_append(char):
            return False
        if self.step is SignInStep.CODE:
            self._code += char
        else:
            self.identifier += char
        return True

    @action("IDENTIFIER", "CODE")
    def delete_digit(self) -> bool:
        if self.step is SignInStep.CODE:
            if not self._code:
                return False
            self._code = self._code[:-1]
        else:
            if not self.identifier:
                return False
            self.identifier = self.identifier[:-1]
        return True

    @action("IDENTIFIER", "CODE")
    def clear(self) -> None:
        if self.step is SignInStep.CODE:
            self._code = ""
        else:
            self.identifier = ""

    # ------------------------------------------------------------ the steps
    @action("IDENTIFIER")
    def submit_identifier(self) -> None:
        problem = identifier_problem(self.identifier)
        if problem is not None:
            raise problem
        self._challenge = self._space.start_sign_in(self.identifier)
        self._code = ""
        self._go(SignInStep.CODE)

    @action("CODE")
    def submit_code(self) -> None:
        if not self.code_complete:
            raise InputProblem(CODE_INCOMPLETE_KEY)
        code, self._code = self._code, ""  # cleared whatever happens: a new try starts empty
        try:
            session = self._space.finish_sign_in(self._challenge.handle, code)
        except SignInFailed:
            self._audit(AuditAction.PATIENT_SIGN_IN_FAILED, SubjectKind.PATIENT, self.identifier)
            raise
        self._challenge = None
        kiosk = self.context.session
        kiosk.if_current(self._generation, lambda: kiosk.data.__setitem__(PATIENT_SESSION, session))
        self.patient = session.patient
        self._audit(AuditAction.PATIENT_SIGNED_IN, SubjectKind.PATIENT, session.patient.ins)
        self.identifier = ""
        try:
            status = self._space.get_space_status(session)
        except Exception:  # the other flows will say it if the space is closed
            status = None
        self.space_status = status
        self._history.clear()  # no way back to the code once signed in
        if status is not None and not status.is_active:
            self.step = SignInStep.SPACE_CLOSED
        else:
            self.step = SignInStep.SIGNED_IN

    @action("CODE")
    def request_new_code(self) -> None:
        """"Recevoir un nouveau code": a new challenge for the same identifier."""
        self._challenge = self._space.start_sign_in(self.identifier)
        self._code = ""
        self.notice_key = NEW_CODE_SENT_KEY

    @action("PAUSED")
    def try_again(self) -> bool:
        """After the pause, back to the identifier (kept) for a new try."""
        if self.seconds_left(self.context.clock.now()) > 0:
            return False
        self.paused_until = None
        self._history.clear()
        self.step = SignInStep.IDENTIFIER
        return True

    # ------------------------------------------------------------- hooks
    def _on_error(self, error: BaseException) -> None:
        if isinstance(error, NotAllowed) and error.key == "errors.not_allowed.locked":
            self._code = ""
            self._challenge = None
            wait = error.retry_after or 0
            self.paused_until = self.context.clock.now() + timedelta(seconds=wait)
            self._audit(AuditAction.PATIENT_SIGN_IN_FAILED, SubjectKind.PATIENT, self.identifier, lock_s=int(wait))
            self._history = [SignInStep.IDENTIFIER]
            self.step = SignInStep.PAUSED
            self.error = None  # the pause screen says it all
            self._retry = None

    def _on_back(self, leaving, to) -> None:
        if leaving is SignInStep.CODE:
            self._code = ""
            self._challenge = None

    def _clear(self) -> None:
        self._code = ""
        self._challenge = None
        self.identifier = ""
        self.patient = None
        self.space_status = None


__all__ = ["IDENTIFIER_LENGTH", "IdentifierProblem", "SignInFlow", "SignInStep", "identifier_problem"]
