"""Helper sign-in ("Espace accompagnant"): the identifier, then the PIN, on the large number pad,
and for a helper with a second factor, the 6-digit code of their authenticator app, on the same pad.

One screen per step of kiosk.core.flows.helper_sign_in.HelperSignInFlow, which decides what comes
next (the store checks what is typed and journals it; a lock is said with its real duration). The
PIN and the code are never shown (● ● ○ and "3 chiffres tapés.") and never spoken. What is typed
lives in the flow, in the session's data (wiped with it), until the helper is signed in.
"""

from __future__ import annotations

from typing import Any

from kiosk.core.flows.helper_sign_in import (
    CODE_DIGITS,
    PIN_MAX,
    PIN_MIN,
    HelperSignInFlow,
    HelperSignInStep,
)
from kiosk.ui.flow_context import session_flow
from kiosk.ui.look import look
from kiosk.ui.numpad import CodeDots
from kiosk.ui.screen import register_exit, screen, step_screen
from kiosk.ui.screens.assisted import (
    ensure_demo_helper,
    start_assisted,
)
from kiosk.ui.screens.sign_in import SignInScreen
from kiosk.ui.widgets import Banner, Button, Text

FLOW_KEY = "ui.assisted.helper_sign_in"


def flow_for(app: Any, *, fresh: bool = False) -> HelperSignInFlow:
    """The helper's sign-in, kept in the session's data (wiped with it) until the helper is signed in."""
    return session_flow(app, FLOW_KEY, lambda ctx: HelperSignInFlow(ctx, lambda: app.services.store.helpers),
                        fresh=fresh)


def open_helper_sign_in(app: Any) -> None:
    """From Welcome: a fresh helper sign-in (when what it does can be journaled)."""
    if not app.journal_ready():
        return
    ensure_demo_helper(app)
    app.nav.follow(flow_for(app, fresh=True))


def helper_signed_in(app: Any, helper: Any) -> None:
    """Nothing typed is kept; the assisted session and its band, then the patient's sign-in."""
    app.session.data.pop(FLOW_KEY, None)
    start_assisted(app, helper)
    app.nav.start()


def helper_left(app: Any) -> None:
    """Cancelled, or left half-typed: Welcome, nothing kept."""
    app.session.data.pop(FLOW_KEY, None)
    app.nav.welcome()


register_exit(HelperSignInFlow, lambda nav, flow: helper_signed_in(nav.app, flow.helper),
              step=HelperSignInStep.SIGNED_IN)
register_exit(HelperSignInFlow, lambda nav, _flow: helper_left(nav.app))


class HelperPadScreen(SignInScreen):
    """The number pad of the patient's sign-in, laid out the same way, for the helper."""

    title_key = "assisted_ui.sign_in.title"
    in_session = False
    can_go_back = False
    flow_key = FLOW_KEY
    journey_flow = staticmethod(flow_for)

    flow: HelperSignInFlow

    @classmethod
    def prepare(cls, app: Any, params: dict[str, Any]):
        return None  # no backend: the helper's account is in the kiosk's own store

    def build(self) -> None:  # not the patient's sign-in flow: only its pad and its layout
        self.flow = self.get_flow()
        self.step = (self.flow.step_number, self.flow.step_count)
        self.large = self.roomless
        self.notes: list[Any] = []
        error, values = self.flow.error_key, self.flow.error_values
        if error:
            self.notes.append(Text(key=error, values=values, style=self.words_style) if self.large else
                              Banner(error, values=values, kind="error"))
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

    def press(self, key: str) -> None:
        self.flow.type_key(key)
        self.show_typed()

    def delete(self) -> None:
        self.flow.delete_key()
        self.show_typed()

    def clear(self) -> None:
        self.flow.clear_typed()
        self.show_typed()

    def act(self, action: Any) -> None:
        """A step of the flow (the store answers at once), then the screen of its step."""
        action()
        self.follow()

    def cancel(self) -> None:
        self.act(self.flow.cancel)  # left: Welcome, nothing kept

    def on_tick(self) -> None:
        # left half-typed: back to Welcome, nothing kept
        if self.flow.idle_seconds() > self.app.settings.inactivity_timeout_s:
            self.cancel()

    def signed_in(self, helper: Any) -> None:
        """What the flow's end does once the store said yes (the pictures start a visit with it)."""
        helper_signed_in(self.app, helper)


@screen("assisted.helper_sign_in", order=12)
@step_screen(HelperSignInFlow, HelperSignInStep.IDENTIFIER)
class HelperIdentifierScreen(HelperPadScreen):

    def fill(self) -> None:
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
                               on_activate=lambda: self.act(self.flow.submit_identifier)))

    def typed_words(self) -> str:
        return self.flow.identifier or look().tr("assisted_ui.sign_in.nothing_typed")

    def show_typed(self) -> None:
        self.typed_text.set_text(raw=self.typed_words())


@screen("assisted.helper_pin", order=13)
@step_screen(HelperSignInFlow, HelperSignInStep.PIN)
class HelperPinScreen(HelperPadScreen):

    def fill(self) -> None:
        self.dots = CodeDots(self.typed_count(), self.dots_total())
        self.typed_text = Text(raw=self.typed_words(), style=self.words_style if self.large else "body")
        # with a message beside the pad, it takes the place of the identifier line (all of it fits)
        if not (self.notes or self.large):
            self.words.append(Text(key="assisted_ui.sign_in.identifier_is",
                                   values={"identifier": self.flow.identifier}))
        self.prompt(Text(key="assisted_ui.sign_in.pin_short" if self.large else "assisted_ui.sign_in.pin",
                         style=self.words_style if self.large else "strong"))
        self.words += [self.dots, self.typed_text]
        self.add_secondary(Button("assisted_ui.sign_in.change_identifier", "back", kind="secondary", main=True,
                                  name="assisted.change_identifier",
                                  on_activate=lambda: self.act(self.flow.change_identifier)))
        self.with_pad(self.words)
        self.add_action(Button("assisted_ui.sign_in.ok", "check", kind="primary", name="assisted.ok",
                               on_activate=self.submit))

    def on_shown(self) -> None:
        super().on_shown()
        # explore-by-touch would say each key aloud: never for a PIN
        voice = getattr(self.app, "voice", None)
        if voice is not None and getattr(voice, "explore", False):
            voice.set_explore(False)

    def typed_count(self) -> int:
        return self.flow.pin_length

    def dots_total(self) -> int:
        return min(PIN_MAX, max(PIN_MIN, self.typed_count()))

    def typed_words(self) -> str:
        """"3 chiffres tapés.": how many, never which."""
        return look().catalog.tr_n("assisted_ui.sign_in.typed", self.typed_count())

    def show_typed(self) -> None:
        self.dots.set_count(self.typed_count(), self.dots_total())
        self.typed_text.set_text(raw=self.typed_words())

    def submit(self) -> None:
        self.act(self.flow.submit_pin)


@screen("assisted.helper_code", order=14)
@step_screen(HelperSignInFlow, HelperSignInStep.CODE)
class HelperCodeScreen(HelperPinScreen):
    """The third step, for a helper with a second factor: the code of their authenticator app."""

    def fill(self) -> None:
        self.dots = CodeDots(self.typed_count(), CODE_DIGITS)
        self.typed_text = Text(raw=self.typed_words(), style=self.words_style if self.large else "body")
        if not (self.notes or self.large):
            self.words.append(Text(key="assisted_ui.sign_in.code_why"))
        self.prompt(Text(key="assisted_ui.sign_in.code_short" if self.large else "assisted_ui.sign_in.code",
                         style=self.words_style if self.large else "strong"))
        self.words += [self.dots, self.typed_text]
        self.add_secondary(Button("assisted_ui.sign_in.change_identifier", "back", kind="secondary", main=True,
                                  name="assisted.change_identifier",
                                  on_activate=lambda: self.act(self.flow.change_identifier)))
        self.with_pad(self.words)
        self.add_action(Button("assisted_ui.sign_in.ok", "check", kind="primary", name="assisted.ok",
                               on_activate=self.submit))

    def typed_count(self) -> int:
        return self.flow.code_length

    def dots_total(self) -> int:
        return CODE_DIGITS

    def submit(self) -> None:
        self.act(self.flow.submit_code)
