"""The patient's consent, in two short screens, shown and spoken, before anything of theirs.

One screen per step of kiosk.core.flows.consent.ConsentFlow, which decides what comes next:

1. WHO: who helps (name, organisation), for this session only.
2. CHOOSE: what the helper may see — documents, messages, agenda, "qui voit mes données" —
   each chosen separately (large toggles that say their state in words), then "Oui, j'accepte"
   (Home) / "Non, merci" (REFUSED: the neutral screen).

Neither is an in-session screen: no Accueil and no Terminer, so nothing of the patient can
be reached before the answer; the band's "Arrêter l'accompagnement" stays. "Non, merci" on
either screen: the helper sees nothing (core drops the patient's data), a neutral screen.
"""

from __future__ import annotations

from typing import Any

from kiosk.core.assisted import (
    CHOOSABLE_SCOPES,
    CONSENT_NO_KEY,
    CONSENT_NONE_CHOSEN_KEY,
    CONSENT_ONLY_NOW_KEY,
    CONSENT_TITLE_KEY,
    CONSENT_WHO_KEY,
    CONSENT_YES_KEY,
    SCOPE_KEYS,
)
from kiosk.core.flows.consent import ConsentFlow, ConsentStep
from kiosk.ui.blocks import ChoiceBlock
from kiosk.ui.flow_context import assisted_session
from kiosk.ui.look import look
from kiosk.ui.screen import Screen, register_exit, register_step, screen, step_screen
from kiosk.ui.screens import sign_in as sign_in_screens
from kiosk.ui.screens.assisted import RefusedScreen, ui_for
from kiosk.ui.widgets import Button, Text

#: The title of the choices: "Que peut voir {name} ?" (CONSENT_WHAT_KEY's sentence, short enough for one line).
QUESTION_KEY = "assisted_ui.consent.question"
#: Colours of a toggle: (fill, text, edge) when chosen and when not (the words and icon say it too).
CHOSEN_LOOK = ("primary_bg", "primary_text", "primary_bg")
NOT_CHOSEN_LOOK = ("btn_bg", "btn_text", "btn_edge")
#: session.data key of the ConsentFlow (wiped with the session; the screens keep theirs after a refusal)
FLOW_KEY = "ui.assisted.consent"


def _after_sign_in(app: Any) -> bool:
    """The patient is signed in: while consent is pending, the consent's first step instead of Home."""
    assisted = assisted_session(app)
    if assisted is not None and assisted.consent_pending:
        flow = app.session.data[FLOW_KEY] = ConsentFlow(assisted)
        app.nav.follow(flow)
        return True
    return False


sign_in_screens.AFTER_SIGN_IN.append(_after_sign_in)
register_exit(ConsentFlow, lambda nav, _flow: nav.home(), step=ConsentStep.ACCEPTED)
register_step(ConsentFlow, ConsentStep.REFUSED, RefusedScreen)


class ConsentBase(Screen):
    title_key = CONSENT_TITLE_KEY
    in_session = False
    can_go_back = False

    flow: ConsentFlow | None

    def build(self) -> None:
        self.flow = self.app.session.data.get(FLOW_KEY)
        self.assisted = self.flow.assisted if self.flow is not None else None
        if self.flow is None or not self.flow.asking:
            return  # a stale screen: nothing to ask (and nothing of the patient to show)
        self.values = self.assisted.band_values()
        if look().text_size >= 3:  # with the band there is little room: closer rows, every word still on a page
            self.content.spacing_mm = 3
        self.fill()

    def fill(self) -> None:  # pragma: no cover - overridden
        pass

    def follow(self) -> None:
        self.app.nav.follow(self.flow)

    def no(self) -> None:
        self.flow.refuse()  # every patient object of the session goes
        ui_for(self.app).sync()
        self.follow()

    def no_button(self) -> Button:
        return Button(CONSENT_NO_KEY, "close", kind="secondary", main=True, name="assisted.no", style="panel",
                      on_activate=self.no)


@screen("assisted.consent", order=19)
@step_screen(ConsentFlow, ConsentStep.WHO)
class ConsentWhoScreen(ConsentBase):
    """Who helps, for this session only."""

    def fill(self) -> None:
        self.step = (1, 2)
        # very large text under the band: the words capped at 1.25 times ("snug"), so each fits a page
        plain = "snug" if look().text_size >= 3 else "body"
        self.add(Text(key=CONSENT_WHO_KEY, values=self.values, style="snug" if plain == "snug" else "strong"),
                 Text(key=CONSENT_ONLY_NOW_KEY, style=plain),
                 Text(key="assisted_ui.consent.next", values=self.values, style=plain))
        self.add_action(self.no_button())
        self.add_action(Button("assisted_ui.continue", "forward", kind="primary", name="assisted.consent.next",
                               style="panel",
                               on_activate=self.next))

    def next(self) -> None:
        self.flow.next_step()
        self.follow()


@screen("assisted.consent.choose", order=19)
@step_screen(ConsentFlow, ConsentStep.CHOOSE)
class ConsentChooseScreen(ConsentBase):
    """What the helper may see, each chosen separately; then yes or no."""

    def fill(self) -> None:
        self.step = (2, 2)
        self.toggles: dict[str, Button] = {}
        # the question is the title (one line); every choice shares one page with the answers below
        # (one block: two columns, or one, with words capped when the text is very large)
        self.question = QUESTION_KEY
        for scope in CHOOSABLE_SCOPES:
            toggle = Button(raw=self._toggle_words(scope), icon="close", kind="secondary", style="panel",
                            name=f"assisted.scope.{scope}", on_activate=lambda s=scope: self.toggle(s))
            self.toggles[scope] = toggle
        self.add(ChoiceBlock(None, list(self.toggles.values()), columns=(2, 1)))
        self.add_action(self.no_button())
        # the answers' words capped like the choices above ("panel"): with the band, all fits a page
        self.add_action(Button(CONSENT_YES_KEY, "check", kind="primary", name="assisted.yes", style="panel",
                               on_activate=self.yes))

    def title(self) -> str:
        if getattr(self, "assisted", None) is None or not hasattr(self, "values"):
            return super().title()
        return look().tr(self.question, **self.values)

    @property
    def chosen(self) -> set[str]:
        return self.flow.chosen if self.flow is not None else set()

    def _toggle_words(self, scope: str) -> str:
        key = "assisted_ui.consent.on" if scope in self.chosen else "assisted_ui.consent.off"
        return look().tr(key, scope=look().tr(SCOPE_KEYS[scope]))

    def _show_toggle(self, scope: str) -> None:
        button = self.toggles[scope]
        chosen = scope in self.chosen
        button.fill_role, button.text_role, button.edge_role = CHOSEN_LOOK if chosen else NOT_CHOSEN_LOOK
        button.label.fg_role, button.label.on = button.text_role, button.fill_role
        button.icon.role, button.icon.on = button.text_role, button.fill_role
        button.set_icon("check" if chosen else "close")
        button.label.set_text(raw=self._toggle_words(scope))
        button.refresh()

    def toggle(self, scope: str) -> None:
        self.flow.toggle(scope)  # the same step: only this toggle changes
        self._show_toggle(scope)
        if self.question != QUESTION_KEY:
            self.question = QUESTION_KEY
            self.app.nav.update_bars()

    def on_prefs(self) -> None:
        if not hasattr(self, "toggles"):
            return
        for scope in self.toggles:
            self._show_toggle(scope)

    def yes(self) -> None:
        if self.flow is None:
            return
        if not self.flow.accept() and self.flow.error_key:
            # said in place of the question (a banner would push the choices to another page)
            self.question = CONSENT_NONE_CHOSEN_KEY if look().text_size <= 2 else "assisted_ui.consent.none_chosen"
            self.app.nav.update_bars()
            return
        self.follow()
