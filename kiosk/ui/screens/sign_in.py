"""Sign-in: the identifier, then the one-time code, on the kiosk's own large number pad.

One screen per step of kiosk.core.flows.sign_in.SignInFlow. The flow lives in the session's
data (wiped with it). Home shows the "Me connecter" tile until a patient is signed in; the
other tiles ask for a signed-in patient (``available=signed_in``), so nothing shows before.
The typed code is never shown (● ● ○) and is registered with the speaker as a secret.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Callable

from kiosk.core.flows.sign_in import SignInFlow, SignInStep
from kiosk.ui import theme as th
from kiosk.ui.flow_context import act, session_flow
from kiosk.ui.journey import JourneyScreen
from kiosk.ui.look import look
from kiosk.ui.numpad import CodeDots
from kiosk.ui.screen import Feature, register_exit, register_feature, screen, step_screen
from kiosk.ui.screens.access_code import signed_in
from kiosk.ui.widgets import Banner, Button, Row, Spacer, Stack, Text

FLOW_KEY = "ui.flow.sign_in"
PAD_KEY_MM = 16  # above the 15 mm of every target: the pad fits under a band or a message too
PAD_KEY_WIDTH_MM = 62  # the last column: holds "Corriger" and "Tout effacer" on one line
PAD_DIGIT_WIDTH_MM = 26
#: The same pad in every mode (with or without a band, at every text size): 3 rows of 4 keys, so it
#: fits beside the words even under a band. "Corriger" takes away the last digit, "Tout effacer" all.
PAD_LAYOUT = (("1", "2", "3", "delete"), ("4", "5", "6", "clear"), ("7", "8", "9", "0"))
PAD_KEYS = ("1", "2", "3", "4", "5", "6", "7", "8", "9")


def flow_for(app: Any, *, fresh: bool = False) -> SignInFlow:
    return session_flow(app, FLOW_KEY, SignInFlow, fresh=fresh)


def _register_secret(app: Any, secret: str) -> None:
    speaker = getattr(app.services, "speaker", None)
    policy = getattr(speaker, "policy", None)
    if policy is not None and len(secret) >= 3:
        policy.register_secret(secret)


# Other parts step in without this module knowing them:
# - AFTER_SIGN_IN: fn(app) -> True when it has shown its own screen instead of Home
#   (the consent screen of an assisted session);
# - CODE_HINTS: fn(app, flow) -> a line of text for the code screen, or None
#   (the demo code, shown in training mode only).
AFTER_SIGN_IN: list[Callable[[Any], bool]] = []
CODE_HINTS: list[Callable[[Any, SignInFlow], "str | None"]] = []


def signed_in_next(nav: Any, flow: SignInFlow) -> None:
    """Signed in: Home, unless another part shows its own screen first (an assisted session's consent).

    Retour is there at every step before: from the code and from the pause it is the flow's back,
    to the identifier; from the identifier it leads to what came before the sign-in.
    """
    if not any(hook(nav.app) for hook in AFTER_SIGN_IN):
        nav.home()


register_exit(SignInFlow, signed_in_next, step=SignInStep.SIGNED_IN)


class _Beside(Row):
    """Takes the room left on the screen; its paged list finds its own height there."""

    fill = True

    def wanted_height(self, width: float) -> float:
        return 0


class SignInScreen(JourneyScreen):
    title_key = "flows.sign_in.title"
    #: the pad keeps its size: a message from the shell is shown alone, until Fermer
    banner_alone = True
    flow_step = SignInStep.IDENTIFIER
    flow_key = FLOW_KEY
    journey_flow = staticmethod(flow_for)
    columns = 1

    def move_to_step(self) -> None:
        if self.flow_step is SignInStep.IDENTIFIER and self.flow.step in (SignInStep.CODE, SignInStep.PAUSED):
            self.flow.back()  # opened again from its start: type the identifier again (or another one)

    def build(self) -> None:
        self.flow = self.get_flow()
        self.move_to_step()
        if self.flow.step_number and self.flow_step in (SignInStep.IDENTIFIER, SignInStep.CODE):
            self.step = (self.flow.step_number, self.flow.step_count)
        # the error or notice goes with the words beside the pad, so the pad never moves to another page
        # (with larger text, plain words: a long sentence can go on over two pages, a banner cannot)
        self.notes: list[Any] = []
        error = self.flow.error_text(look().catalog)
        for words, kind in ((error, "error"), (look().tr(self.flow.notice_key) if self.flow.notice_key else None,
                                               "info")):
            if words:
                # the largest text: a message of three sentences in the pad's size, so it fits beside it
                style = "pad_words" if look().text_size >= 4 else self.words_style
                self.notes.append(Text(raw=words, style=style) if self.roomless
                                  else Banner(raw=words, kind=kind))
        self.fill()

    def fill(self) -> None:  # pragma: no cover - overridden
        pass

    # the number pad (PAD_LAYOUT), the same in every mode. Its keys keep one
    # size at every text size, so it always fits beside the words and never goes to another page.
    def pad_rows(self) -> list[Row]:
        def key(label: str) -> Button:
            # a thin inner margin: the key is its 16 mm, not its words' height, under two bands too
            return Button(raw=label, name=f"pad.{label}", min_mm=self.key_mm, vertical=True, style="key",
                          inner_mm=2.0, on_activate=lambda: self.press(label))

        keys: dict[str, Button] = {k: key(k) for k in (*PAD_KEYS, "0")}
        for k in PAD_KEYS:  # the digits narrower than the last column
            keys[k].size_hint_x, keys[k].width = None, look().mm(PAD_DIGIT_WIDTH_MM)
        keys["delete"] = Button("screens.sign_in.pad.delete", name="pad.delete", min_mm=self.key_mm,
                                vertical=True, style="key", inner_mm=2.0, on_activate=self.delete)
        keys["clear"] = Button("screens.sign_in.pad.clear", name="pad.clear", min_mm=self.key_mm,
                               vertical=True, style="key", inner_mm=2.0, on_activate=self.clear)
        return [self._row([keys[k] for k in row]) for row in PAD_LAYOUT]

    @property
    def key_mm(self) -> float:
        """16 mm keys; under two bands (training and a helper), the 15 mm every target keeps."""
        return PAD_KEY_MM if len(self.app.shell.bands.children) < 2 else th.MIN_TARGET_MM

    @property
    def compact_pad(self) -> bool:
        return bool(self.app.shell.bands.children)

    @property
    def words_style(self) -> str:
        return "pad_words" if self.compact_pad else "panel"

    @property
    def roomless(self) -> bool:
        """Larger text, or a band across the top: only the essential words beside the pad."""
        return look().text_size >= 2 or self.compact_pad

    @staticmethod
    def _row(keys: list[Button]) -> Row:
        row = Row(spacing_mm=3)
        for key in keys:
            row.add_widget(key)
        return row

    def with_pad(self, words: list[Any], typed: list[Any] = ()) -> None:
        """The words (paged if they must be) on the left, what is typed under them on every page,
        the pad on the right of every page: the number and the keys are always shown together."""
        self.add(*words)
        self.typed_widgets = list(typed)
        pad = Stack(spacing_mm=3, size_hint_x=None)
        pad.width = look().mm(3 * PAD_DIGIT_WIDTH_MM + PAD_KEY_WIDTH_MM + 3 * 3)
        for r in self.pad_rows():
            pad.add_widget(r)
        pad.add_widget(Spacer())
        self.pad = pad

    def __init__(self, app: Any, step: tuple[int, int] | None = None, **params: Any) -> None:
        self.pad: Stack | None = None
        self.typed_widgets: list[Any] = []
        super().__init__(app, step, **params)
        if self.compact_pad:
            # under a band, the main actions' words keep the pad's size: the pad keeps its room
            for button in self.actions.children:
                label = getattr(button, "label", None)
                if label is not None:
                    label.cap = 1.0
                    button.refresh()
        if self.pad is not None:
            # the paged words and the pad side by side, in the room the words had alone
            index = self.children.index(self.content)
            self.remove_widget(self.content)
            beside = _Beside(spacing_mm=8)
            left = Stack(spacing_mm=3)
            left.add_widget(self.content)  # takes the height the typed number leaves
            for widget in self.typed_widgets:
                left.add_widget(widget)
            beside.add_widget(left)
            beside.add_widget(self.pad)
            self.add_widget(beside, index=index)

    def press(self, key: str) -> None:
        if self.flow.append_digit(key):
            self.show_typed()

    def delete(self) -> None:
        if self.flow.delete_digit():
            self.show_typed()

    def clear(self) -> None:
        self.flow.clear()
        self.show_typed()

    def show_typed(self) -> None:  # pragma: no cover - overridden
        pass


@screen("sign_in", order=15)
@step_screen(SignInFlow, SignInStep.IDENTIFIER)
class SignInIdentifierScreen(SignInScreen):
    can_go_back = True

    def fill(self) -> None:
        # very large text: what to do and what is typed first, on one line each where possible
        large = self.roomless
        self.typed = Text(raw=self.typed_words(), style="key" if self.compact_pad else "panel")
        words: list[Any] = list(self.notes)
        if not self.notes:  # a message already says what to do
            words.append(Text(key=self.flow.identifier_prompt_key, style=self.words_style if large else "strong"))
        if not (large or self.notes):  # every message already says where the number is
            words.append(Text(key=self.flow.identifier_hint_key))
        self.with_pad(words, typed=[self.typed])
        self.add_action(Button("screens.sign_in.next", "forward", kind="primary", name="sign_in.next",
                               on_activate=self.submit))

    def typed_words(self) -> str:
        return self.flow.identifier_grouped or look().tr("screens.sign_in.nothing_typed")

    def show_typed(self) -> None:
        self.typed.set_text(raw=self.typed_words())

    def submit(self) -> None:
        self.run(self.flow.submit_identifier)


@screen("sign_in.code", order=16)
@step_screen(SignInFlow, SignInStep.CODE)
class SignInCodeScreen(SignInScreen):

    def fill(self) -> None:
        large = self.roomless
        self.dots = CodeDots(self.flow.code_entered, self.flow.code_length)
        self.typed = Text(raw=self.typed_words(), style=self.words_style if large else "body")
        sent = [Text(key=self.flow.code_sent_key, style=self.words_style if large else "body")] \
            if self.flow.code_sent_key and not self.notes else []
        hints = [Text(raw=hint, style=self.words_style if large else "body")
                 for hint in (h(self.app, self.flow) for h in CODE_HINTS) if hint]
        prompt = Text(key=self.flow.code_prompt_key, style=self.words_style if large else "strong")
        new_code = Button("screens.sign_in.new_code", "info", name="sign_in.new_code", on_activate=self.new_code,
                          style="panel")
        if not large:
            # a message already says what to do: the form stays whole on one page
            words: list[Any] = [*self.notes, *hints, self.typed] if self.flow.error is not None \
                else [*self.notes, *sent, *hints, prompt, self.typed]
            self.add_action(new_code)
        else:
            # very large text: only what to do beside the pad and the dots above it (the voice also
            # says how many digits are typed); a shorter "new code" beside the main action
            words = [*(self.notes or [prompt]), *hints]
            short = Button("screens.sign_in.new_code.short", "info", name="sign_in.new_code",
                           on_activate=self.new_code, style="panel", size_hint_x=None)
            short.width = short.natural_width()  # the main action gets the rest of the line
            self.add_action(short)
        self.with_pad(words, typed=[self.dots])
        self.add_action(Button("screens.sign_in.ok", "check", kind="primary", name="sign_in.ok",
                               on_activate=self.submit))

    def describe(self):
        description = super().describe()
        if self.typed.parent is None:  # not shown with very large text: still said
            description = dataclasses.replace(description, lines=(*description.lines, self.typed.text))
        return description

    def typed_words(self) -> str:
        """"2 chiffres tapés sur 6.": how many, never which."""
        return look().catalog.tr_n("screens.sign_in.code.typed", self.flow.code_entered,
                                   count=self.flow.code_entered, total=self.flow.code_length)

    def show_typed(self) -> None:
        self.dots.set_count(self.flow.code_entered, self.flow.code_length)
        self.typed.set_text(raw=self.typed_words())

    def press(self, key: str) -> None:
        super().press(key)
        if self.flow.code_complete:
            # the typed code is a secret: the voice must never say it
            _register_secret(self.app, self.flow._code)

    def new_code(self) -> None:
        self.run(self.flow.request_new_code)

    def submit(self) -> None:
        self.run(self.flow.submit_code)


@screen("sign_in.paused", order=17)
@step_screen(SignInFlow, SignInStep.PAUSED)
class SignInPausedScreen(SignInScreen):
    columns = 1

    def fill(self) -> None:
        self.add(*self.notes)
        style = "panel" if self.roomless else "strong"
        what, *rest = self.flow.paused_keys
        self.wait = Text(raw=self.wait_words(), style=style)
        self.add(Text(key=what, style=style), self.wait, *(Text(key=key, style=style) for key in rest))
        # "Réessayer" only when the wait is over: never a main action that does nothing
        self.waiting = self.seconds_left() > 0
        if not self.waiting:
            self.add_action(Button("screens.sign_in.try_again", "forward", kind="primary",
                                   name="sign_in.try_again", on_activate=self.try_again))

    def seconds_left(self) -> int:
        return self.flow.seconds_left(self.app.clock.now())

    def on_tick(self) -> None:
        if self.waiting and self.seconds_left() <= 0:
            self.redraw()  # the wait is over: "Réessayer" comes
            return
        words = self.wait_words()
        if words != self.wait.text:  # once a minute
            self.wait.set_text(raw=words)

    def wait_words(self) -> str:
        """"Vous pourrez réessayer dans 15 minutes.": whole minutes, rounded up."""
        minutes = self.flow.minutes_left(self.app.clock.now())
        if minutes <= 0:
            return look().tr("screens.sign_in.paused.over")
        return look().catalog.tr_n("screens.sign_in.paused.wait", minutes)

    def try_again(self) -> None:
        act(self.app, self.flow.try_again, then=lambda done: self.follow() if done else None)


@screen("sign_in.closed", order=18)
@step_screen(SignInFlow, SignInStep.SPACE_CLOSED)
class SignInClosedScreen(SignInScreen):
    can_go_back = False
    columns = 1

    def fill(self) -> None:
        self.add(*self.notes)
        for key in self.flow.space_closed_keys:
            self.add(Text(key=key, style="strong"))
        self.add_action(Button("ui.home.finish", "end", kind="primary", name="sign_in.finish",
                               on_activate=self.app.ask_end_session))


def _start_sign_in(services: Any) -> bool:
    return not signed_in(services)


register_feature(Feature("sign_in", "forward", "screens.sign_in.tile", "sign_in", order=1,
                         available=_start_sign_in))
