"""A helper signs in ("Espace accompagnant"): the identifier, the PIN, and for a helper with a
second factor the code of their authenticator app, all typed on the kiosk's number pad.

Steps::

    IDENTIFIER --submit_identifier--> PIN --submit_pin--> SIGNED_IN (final)
                                       \\--a second factor--> CODE --submit_code--> SIGNED_IN
                                                               \\--locked, disabled, too late--> PIN

The kiosk's store checks what is typed (the ``HelperAccounts`` port: Argon2id, TOTP, a lockout
that escalates, the journal). A refusal stays at its step with ``error_key`` and ``error_values``;
a lock is said with its real length, or as one for the administrator to lift. What is typed lives
in the flow only until the helper is signed in or leaves, and is never in repr or logs. Typing
keeps the message on screen: it changes with the next Suivant / Valider.
"""

from __future__ import annotations

import enum
import math
from typing import Any, Callable, Protocol

from kiosk.core.flows.base import SCOPE_SIGN_IN, Flow, InputProblem, action

IDENTIFIER_MAX = 40
PIN_MIN, PIN_MAX = 6, 12
CODE_DIGITS = 6  # the second factor's code (TOTP)

NO_IDENTIFIER_KEY = "assisted_ui.sign_in.no_identifier"
TOO_SHORT_KEY = "assisted_ui.sign_in.too_short"
CODE_TOO_SHORT_KEY = "assisted_ui.sign_in.code_too_short"
UNAVAILABLE_KEY = "assisted_ui.sign_in.unavailable"
WRONG_KEY = "assisted_ui.sign_in.wrong"
WRONG_CODE_KEY = "assisted_ui.sign_in.wrong_code"
DISABLED_KEY = "assisted_ui.sign_in.disabled"
CODE_EXPIRED_KEY = "assisted_ui.sign_in.code_expired"
LOCKED_ADMIN_KEY = "assisted_ui.sign_in.locked_admin"
LOCKED_MINUTES_STEM = "assisted_ui.sign_in.locked"  # .one / .other, with {n}
LOCKED_HOURS_STEM = "assisted_ui.sign_in.locked_hours"


class HelperAccounts(Protocol):
    """What the flow asks of the kiosk's store (kiosk.services.storage.helper_accounts)."""

    def verify_pin(self, identifier: str, pin: str) -> Any: ...

    def verify_code(self, ticket: str, code: str) -> Any: ...

    def forget_tickets(self) -> None: ...


class HelperSignInProblem(InputProblem):
    """Why the helper is not signed in yet; ``values`` fill the sentence ({n} minutes)."""

    def __init__(self, key: str, **values: Any) -> None:
        super().__init__(key)
        self.values = values


class HelperSignInStep(enum.Enum):
    IDENTIFIER = "identifier"
    PIN = "pin"
    CODE = "code"
    SIGNED_IN = "signed_in"


_FIELDS = {HelperSignInStep.IDENTIFIER: ("identifier", IDENTIFIER_MAX), HelperSignInStep.PIN: ("_pin", PIN_MAX),
           HelperSignInStep.CODE: ("_code", CODE_DIGITS)}


def _status(result: Any) -> str:
    return getattr(result.status, "value", result.status)


class HelperSignInFlow(Flow):
    Step = HelperSignInStep
    scope = SCOPE_SIGN_IN
    STEP_NUMBERS = {"IDENTIFIER": 1, "PIN": 2, "CODE": 3}
    FINAL_STEPS = frozenset({"SIGNED_IN"})

    def __init__(self, context, accounts: Callable[[], HelperAccounts], *, guard=None) -> None:
        """``accounts()`` reaches the store when it is asked (a store that cannot answer is said then)."""
        super().__init__(context, guard=guard)
        self._accounts = accounts
        self.identifier = ""
        self._pin = ""
        self._code = ""
        self._ticket: str | None = None  # between a right PIN and the code
        self.helper: Any = None  # the account, once signed in
        self.touched()

    # ------------------------------------------------------------ reading
    @property
    def step_count(self) -> int:
        return 3 if self.step is HelperSignInStep.CODE else 2

    @property
    def pin_length(self) -> int:
        """How many digits of the PIN were typed (never which)."""
        return len(self._pin)

    @property
    def code_length(self) -> int:
        return len(self._code)

    @property
    def error_values(self) -> dict[str, Any]:
        return dict(getattr(self.error, "values", {}) or {})

    def idle_seconds(self) -> float:
        """Since the last key: left half-typed, the sign-in is dropped (the UI's timeout)."""
        return self.context.clock.monotonic() - self.last_touch

    def touched(self) -> None:
        self.last_touch = self.context.clock.monotonic()

    # ------------------------------------------------------------ the pad
    # Not flow actions on purpose: a key keeps the message shown until the next submit.
    def type_key(self, key: str) -> bool:
        field = self._field()
        if field is None:
            return False
        self.touched()
        name, most = field
        value = getattr(self, name)
        if len(value) >= most or len(str(key)) != 1:
            return False
        setattr(self, name, value + str(key))
        return True

    def delete_key(self) -> bool:
        return self._set_typed(lambda value: value[:-1])

    def clear_typed(self) -> bool:
        return self._set_typed(lambda value: "")

    def _set_typed(self, change: Callable[[str], str]) -> bool:
        field = self._field()
        if field is None:
            return False
        self.touched()
        setattr(self, field[0], change(getattr(self, field[0])))
        return True

    def _field(self) -> tuple[str, int] | None:
        return None if self.finished else _FIELDS.get(self.step)

    # ------------------------------------------------------------ the steps
    @action("IDENTIFIER")
    def submit_identifier(self) -> None:
        self.touched()
        if not self.identifier:
            raise HelperSignInProblem(NO_IDENTIFIER_KEY)
        self._pin = ""
        self._go(HelperSignInStep.PIN)

    @action("PIN")
    def submit_pin(self) -> None:
        pin = self._take("_pin", PIN_MIN, TOO_SHORT_KEY)
        result = self._ask(lambda accounts: accounts.verify_pin(self.identifier, pin))
        if self.step is HelperSignInStep.SIGNED_IN:
            return
        if _status(result) == "code_needed":  # a second factor: its code, on the same pad
            self._ticket, self._code = result.ticket, ""
            self._go(HelperSignInStep.CODE)
            return
        raise self._refusal(result, WRONG_KEY)  # a wrong PIN or an unknown identifier: one sentence

    @action("CODE")
    def submit_code(self) -> None:
        code = self._take("_code", CODE_DIGITS, CODE_TOO_SHORT_KEY)
        result = self._ask(lambda accounts: accounts.verify_code(self._ticket, code))
        if self.step is HelperSignInStep.SIGNED_IN:
            return
        if _status(result) == "wrong_code":  # another try at the code, the PIN still good
            raise HelperSignInProblem(WRONG_CODE_KEY)
        self._ticket, self._pin = None, ""  # anything else: back to the PIN, with what happened
        self._return_to(HelperSignInStep.PIN)
        raise self._refusal(result, CODE_EXPIRED_KEY)

    @action("PIN", "CODE", guarded=False)
    def change_identifier(self) -> None:
        """Back to the identifier (kept, to correct it); the PIN and the code are typed again."""
        self.touched()
        self._forget_ticket()
        self._pin = self._code = ""
        self._return_to(HelperSignInStep.IDENTIFIER)

    # ------------------------------------------------------------ helpers
    def _take(self, name: str, least: int, too_short_key: str) -> str:
        """The digits typed, emptied for the next try; too few are kept, to go on typing."""
        self.touched()
        typed = getattr(self, name)
        if len(typed) < least:
            raise HelperSignInProblem(too_short_key)
        setattr(self, name, "")
        return typed

    def _ask(self, question: Callable[[HelperAccounts], Any]) -> Any:
        """The store's answer; signed in ends the flow here. A store that cannot answer is said plainly."""
        try:
            result = question(self._accounts())
        except Exception:
            raise HelperSignInProblem(UNAVAILABLE_KEY) from None
        if result.ok and result.helper is not None:
            self.helper = result.helper
            self._ticket = None
            self._pin = self._code = self.identifier = ""
            self._history.clear()
            self.step = HelperSignInStep.SIGNED_IN
        return result

    def _refusal(self, result: Any, otherwise: str) -> HelperSignInProblem:
        status = _status(result)
        if status == "locked":
            return self._locked(result)
        if status == "disabled":
            return HelperSignInProblem(DISABLED_KEY)
        return HelperSignInProblem(otherwise)

    def _locked(self, result: Any) -> HelperSignInProblem:
        """The lock as it really is: minutes, hours, or until the administrator lifts it."""
        if getattr(result, "held_for_admin", False) or result.locked_until is None:
            return HelperSignInProblem(LOCKED_ADMIN_KEY)
        seconds = (result.locked_until - self.context.clock.now()).total_seconds()
        minutes = max(1, math.ceil(seconds / 60))
        if minutes >= 60:
            return _counted(LOCKED_HOURS_STEM, math.ceil(minutes / 60))
        return _counted(LOCKED_MINUTES_STEM, minutes)

    def _forget_ticket(self) -> None:
        """Left between PIN and code: that ticket is worth nothing any more."""
        if self._ticket is None:
            return
        self._ticket = None
        try:
            self._accounts().forget_tickets()
        except Exception:  # a store that cannot answer has no ticket to forget either
            pass

    def _on_back(self, leaving, to) -> None:
        if leaving is HelperSignInStep.CODE:
            self._forget_ticket()
            self._code = ""
        self._pin = ""

    def _clear(self) -> None:
        self._forget_ticket()
        self._pin = self._code = self.identifier = ""
        self.helper = None


def _counted(stem: str, n: int) -> HelperSignInProblem:
    # n is at least 1 here, where French and English agree (1: one, else other)
    return HelperSignInProblem(f"{stem}.{'one' if n == 1 else 'other'}", n=n)


__all__ = ["CODE_DIGITS", "HelperAccounts", "HelperSignInFlow", "HelperSignInProblem", "HelperSignInStep",
           "IDENTIFIER_MAX", "PIN_MAX", "PIN_MIN"]
