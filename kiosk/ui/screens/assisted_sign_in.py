"""Helper sign-in ("Espace accompagnant"): the identifier, then the PIN, on the large number pad,
and for a helper with a second factor, the 6-digit code of their authenticator app, on the same pad.

The PIN and the code are never shown (● ● ○ and "3 chiffres tapés.") and never spoken. The storage
checks them (Argon2id, TOTP, a lockout that escalates) and journals the attempt; a lock is said
with its real duration, or as one for the administrator to lift. What is typed lives in the
session's data (wiped with it) until the helper is signed in.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Callable

from kiosk.ui.look import look
from kiosk.ui.numpad import CodeDots
from kiosk.ui.screen import screen
from kiosk.ui.screens.assisted import (
    ensure_demo_helper,
    start_assisted,
)
from kiosk.ui.screens.sign_in import SignInScreen
from kiosk.ui.widgets import Banner, Button, Text

STATE_KEY = "ui.assisted.helper_sign_in"
IDENTIFIER_MAX = 40
PIN_MIN, PIN_MAX = 6, 12
CODE_DIGITS = 6  # the second factor's code (TOTP)


@dataclass
class Typed:
    identifier: str = ""
    pin: str = field(default="", repr=False)
    code: str = field(default="", repr=False)
    ticket: str | None = field(default=None, repr=False)  # between a right PIN and the code
    error_key: str | None = None
    error_values: dict = field(default_factory=dict)
    last_touch: float = 0.0

    def __repr__(self) -> str:  # nothing typed in logs
        return "Typed()"


def typed(app: Any) -> Typed:
    state = app.session.data.get(STATE_KEY)
    if state is None:
        state = app.session.data[STATE_KEY] = Typed(last_touch=app.clock.monotonic())
    return state


def drop(app: Any) -> None:
    app.session.data.pop(STATE_KEY, None)


def open_helper_sign_in(app: Any) -> None:
    """From Welcome: a fresh helper sign-in (when what it does can be journaled)."""
    if not app.journal_ready():
        return
    drop(app)
    ensure_demo_helper(app)
    app.nav.show("assisted.helper_sign_in", remember=False)


class HelperPadScreen(SignInScreen):
    """The number pad of the patient's sign-in, laid out the same way, for the helper."""

    title_key = "assisted_ui.sign_in.title"
    in_session = False
    can_go_back = False
    max_digits = IDENTIFIER_MAX

    @classmethod
    def prepare(cls, app: Any, params: dict[str, Any]):
        return None  # no backend: the helper's account is in the kiosk's own store

    def build(self) -> None:  # not the patient's sign-in flow: only its pad and its layout
        self.state = typed(self.app)
        self.large = self.roomless
        self.notes: list[Any] = []
        if self.state.error_key:
            self.notes.append(Text(key=self.state.error_key, values=self.state.error_values, style=self.words_style)
                              if self.large else
                              Banner(self.state.error_key, values=self.state.error_values, kind="error"))
        self.words: list[Any] = list(self.notes)
        self.fill()

    def prompt(self, text: Text) -> None:
        """The prompt, unless very large text has a message to show: the message says what to do."""
        if not (self.large and self.notes):
            self.words.append(text)

    def add_secondary(self, button: Button) -> None:
        """Beside the main action; with larger text with the words, so the main action stays alone."""
        if self.large:  # sized to its words: the main action gets the rest of the line
            button.size_hint_x = None
            button.width = button.natural_width()
        self.add_action(button)

    def digits(self) -> str:  # pragma: no cover - overridden
        return ""

    def set_digits(self, value: str) -> None:  # pragma: no cover - overridden
        pass

    def touched(self) -> None:
        self.state.last_touch = self.app.clock.monotonic()

    def press(self, key: str) -> None:
        self.touched()
        if len(self.digits()) < self.max_digits:
            self.set_digits(self.digits() + key)
            self.show_typed()

    def delete(self) -> None:
        self.touched()
        self.set_digits(self.digits()[:-1])
        self.show_typed()

    def clear(self) -> None:
        self.touched()
        self.set_digits("")
        self.show_typed()

    def forget_ticket(self) -> None:
        """Left between PIN and code: that ticket is worth nothing any more."""
        if self.state.ticket is not None:
            self.state.ticket = None
            forget = getattr(getattr(self.app.services.store, "helpers", None), "forget_tickets", None)
            if forget is not None:
                forget()

    def cancel(self) -> None:
        self.forget_ticket()
        drop(self.app)
        self.app.nav.welcome()

    def on_tick(self) -> None:
        # left half-typed: back to Welcome, nothing kept
        if self.app.clock.monotonic() - self.state.last_touch > self.app.settings.inactivity_timeout_s:
            self.cancel()

    def checked(self, field: str, least: int, too_short_key: str, verify: Callable[[str], Any]) -> Any:
        """The typed digits (the PIN or the code) checked by the store, and the field emptied.

        None when that is all: too short (kept, to go on typing), the store could not answer,
        or the helper is signed in. Otherwise the store's answer, for the screen to say why not.
        """
        self.touched()
        typed = getattr(self.state, field)
        if len(typed) < least:
            self.fail(too_short_key)
            self.app.nav.redraw()
            return None
        setattr(self.state, field, "")
        try:
            result = verify(typed)
        except Exception:  # the store cannot answer: said plainly, never raised at the person
            self.fail("assisted_ui.sign_in.unavailable")
            self.app.nav.redraw()
            return None
        if result.ok and result.helper is not None:
            self.signed_in(result.helper)
            return None
        return result

    def fail(self, key: str, **values: Any) -> None:
        self.state.error_key, self.state.error_values = key, values

    def fail_n(self, stem: str, n: int) -> None:
        # a plural stem: n is at least 1 here, where French and English agree (1: one, else other)
        self.fail(f"{stem}.{'one' if n == 1 else 'other'}", n=n)

    def fail_locked(self, result: Any) -> None:
        """The lock as it really is: minutes, hours, or until the administrator lifts it."""
        if getattr(result, "held_for_admin", False) or result.locked_until is None:
            self.fail("assisted_ui.sign_in.locked_admin")
            return
        seconds = (result.locked_until - self.app.clock.now()).total_seconds()
        minutes = max(1, math.ceil(seconds / 60))
        if minutes >= 60:
            self.fail_n("assisted_ui.sign_in.locked_hours", math.ceil(minutes / 60))
        else:
            self.fail_n("assisted_ui.sign_in.locked", minutes)

    def signed_in(self, helper: Any) -> None:
        drop(self.app)
        start_assisted(self.app, helper)
        self.app.nav.start()  # the patient's sign-in


@screen("assisted.helper_sign_in", order=12)
class HelperIdentifierScreen(HelperPadScreen):
    max_digits = IDENTIFIER_MAX

    def fill(self) -> None:
        self.step = (1, 2)
        self.typed_text = Text(raw=self.typed_words(), style=self.words_style if self.large else "heading")
        if not self.large:
            self.words.append(Text(key="assisted_ui.sign_in.who"))
        self.prompt(Text(key="assisted_ui.sign_in.identifier_short" if self.large else "assisted_ui.sign_in.identifier",
                         style=self.words_style if self.large else "strong"))
        self.words.append(self.typed_text)
        self.add_secondary(Button("assisted_ui.sign_in.cancel", "back", kind="secondary", main=True,
                                  name="assisted.cancel", on_activate=self.cancel))
        self.with_pad(self.words)
        self.add_action(Button("assisted_ui.sign_in.next", "forward", kind="primary", name="assisted.next",
                               on_activate=self.submit))

    def digits(self) -> str:
        return self.state.identifier

    def set_digits(self, value: str) -> None:
        self.state.identifier = value

    def typed_words(self) -> str:
        return self.state.identifier or look().tr("assisted_ui.sign_in.nothing_typed")

    def show_typed(self) -> None:
        self.typed_text.set_text(raw=self.typed_words())

    def submit(self) -> None:
        self.touched()
        if not self.state.identifier:
            self.fail("assisted_ui.sign_in.no_identifier")
        else:
            self.state.error_key = None
            self.state.pin = ""
        self.app.nav.show("assisted.helper_pin" if self.state.identifier else self.name, remember=False)


@screen("assisted.helper_pin", order=13)
class HelperPinScreen(HelperPadScreen):
    max_digits = PIN_MAX

    def fill(self) -> None:
        self.step = (2, 2)
        self.dots = CodeDots(len(self.state.pin), self.dots_total())
        self.typed_text = Text(raw=self.typed_words(), style=self.words_style if self.large else "body")
        # with a message beside the pad, it takes the place of the identifier line (all of it fits)
        if not (self.notes or self.large):
            self.words.append(Text(key="assisted_ui.sign_in.identifier_is",
                                   values={"identifier": self.state.identifier}))
        self.prompt(Text(key="assisted_ui.sign_in.pin_short" if self.large else "assisted_ui.sign_in.pin",
                         style=self.words_style if self.large else "strong"))
        self.words += [self.dots, self.typed_text]
        self.add_secondary(Button("assisted_ui.sign_in.change_identifier", "back", kind="secondary", main=True,
                                  name="assisted.change_identifier", on_activate=self.change_identifier))
        self.with_pad(self.words)
        self.add_action(Button("assisted_ui.sign_in.ok", "check", kind="primary", name="assisted.ok",
                               on_activate=self.submit))

    def on_shown(self) -> None:
        super().on_shown()
        # explore-by-touch would say each key aloud: never for a PIN
        voice = getattr(self.app, "voice", None)
        if voice is not None and getattr(voice, "explore", False):
            voice.set_explore(False)

    def dots_total(self) -> int:
        return min(PIN_MAX, max(PIN_MIN, len(self.state.pin)))

    def digits(self) -> str:
        return self.state.pin

    def set_digits(self, value: str) -> None:
        self.state.pin = value

    def typed_words(self) -> str:
        """"3 chiffres tapés.": how many, never which."""
        n = len(self.state.pin)
        return look().catalog.tr_n("assisted_ui.sign_in.typed", n)

    def show_typed(self) -> None:
        self.dots.set_count(len(self.state.pin), self.dots_total())
        self.typed_text.set_text(raw=self.typed_words())

    def change_identifier(self) -> None:
        self.touched()
        self.forget_ticket()
        self.state.pin, self.state.code, self.state.error_key = "", "", None
        self.app.nav.show("assisted.helper_sign_in", remember=False)

    def submit(self) -> None:
        state = self.state
        result = self.checked("pin", PIN_MIN, "assisted_ui.sign_in.too_short",
                              lambda pin: self.app.services.store.helpers.verify_pin(state.identifier, pin))
        if result is None:
            return
        status = result.status.value
        if status == "code_needed":  # a second factor: its code, on the same pad
            state.ticket, state.code, state.error_key = result.ticket, "", None
            self.app.nav.show("assisted.helper_code", remember=False)
            return
        if status == "locked":
            self.fail_locked(result)
        elif status == "disabled":
            self.fail("assisted_ui.sign_in.disabled")
        else:  # a wrong PIN or an unknown identifier: the same sentence, another try
            self.fail("assisted_ui.sign_in.wrong")
        self.app.nav.redraw()


@screen("assisted.helper_code", order=14)
class HelperCodeScreen(HelperPinScreen):
    """The third step, for a helper with a second factor: the code of their authenticator app."""

    max_digits = CODE_DIGITS

    def fill(self) -> None:
        self.step = (3, 3)
        self.dots = CodeDots(len(self.state.code), CODE_DIGITS)
        self.typed_text = Text(raw=self.typed_words(), style=self.words_style if self.large else "body")
        if not (self.notes or self.large):
            self.words.append(Text(key="assisted_ui.sign_in.code_why"))
        self.prompt(Text(key="assisted_ui.sign_in.code_short" if self.large else "assisted_ui.sign_in.code",
                         style=self.words_style if self.large else "strong"))
        self.words += [self.dots, self.typed_text]
        self.add_secondary(Button("assisted_ui.sign_in.change_identifier", "back", kind="secondary", main=True,
                                  name="assisted.change_identifier", on_activate=self.change_identifier))
        self.with_pad(self.words)
        self.add_action(Button("assisted_ui.sign_in.ok", "check", kind="primary", name="assisted.ok",
                               on_activate=self.submit))

    def dots_total(self) -> int:
        return CODE_DIGITS

    def digits(self) -> str:
        return self.state.code

    def set_digits(self, value: str) -> None:
        self.state.code = value

    def typed_words(self) -> str:
        """"3 chiffres tapés.": how many, never which."""
        return look().catalog.tr_n("assisted_ui.sign_in.typed", len(self.state.code))

    def show_typed(self) -> None:
        self.dots.set_count(len(self.state.code), CODE_DIGITS)
        self.typed_text.set_text(raw=self.typed_words())

    def submit(self) -> None:
        state = self.state
        result = self.checked("code", CODE_DIGITS, "assisted_ui.sign_in.code_too_short",
                              lambda code: self.app.services.store.helpers.verify_code(state.ticket, code))
        if result is None:
            return
        status = result.status.value
        if status == "wrong_code":  # another try at the code, the PIN still good
            self.fail("assisted_ui.sign_in.wrong_code")
            self.app.nav.redraw()
            return
        state.ticket, state.pin = None, ""  # anything else: back to the PIN, with what happened
        if status == "locked":
            self.fail_locked(result)
        elif status == "disabled":
            self.fail("assisted_ui.sign_in.disabled")
        else:  # the few minutes between PIN and code are over
            self.fail("assisted_ui.sign_in.code_expired")
        self.app.nav.show("assisted.helper_pin", remember=False)
