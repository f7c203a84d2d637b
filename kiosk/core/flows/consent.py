"""The patient's answer to the helper, before anything of the patient is shown.

Steps::

    WHO --next_step--> CHOOSE --accept (at least one scope)--> ACCEPTED
      \\                   \\
       \\--refuse-----------\\--refuse--> REFUSED

WHO says who helps, for this session only; CHOOSE lets the patient pick what the helper may
see, each scope on its own (kiosk.core.assisted.CHOOSABLE_SCOPES). "Oui" with nothing chosen
leaves the flow at CHOOSE with ``error_key`` (choose first). "Non, merci" at either step
refuses: the AssistedSession then drops every patient object of the kiosk session.

Not a health-space flow (kiosk.core.flows.base.Flow): it holds nothing of the patient, so it is
not wiped with the session's flows by that refusal, and it is the patient's own answer, so the
consent guard does not apply to it. It only follows the AssistedSession, where the rules live.
An action that does not belong to the current step returns False and changes nothing.
"""

from __future__ import annotations

import enum

from kiosk.core.assisted import CHOOSABLE_SCOPES, CONSENT_NONE_CHOSEN_KEY, AssistedSession


class ConsentStep(enum.Enum):
    WHO = "who"
    CHOOSE = "choose"
    ACCEPTED = "accepted"  # leaves for Home
    REFUSED = "refused"  # a neutral screen, nothing of the patient


class ConsentFlow:
    Step = ConsentStep
    STEP_NUMBERS = {ConsentStep.WHO: 1, ConsentStep.CHOOSE: 2}

    def __init__(self, assisted: AssistedSession) -> None:
        self.assisted = assisted
        self.step = ConsentStep.WHO
        self.chosen: set[str] = set()
        self.error_key: str | None = None

    def __repr__(self) -> str:
        return f"ConsentFlow(step={self.step.name}, error={self.error_key})"

    # ------------------------------------------------------------ reading
    @property
    def finished(self) -> bool:
        """Never: each answer is a step of its own (ACCEPTED leaves, REFUSED has its screen)."""
        return False

    @property
    def asking(self) -> bool:
        """True while the question is open (the helper is there and the patient has not answered)."""
        return self.step in (ConsentStep.WHO, ConsentStep.CHOOSE) and self.assisted.consent_pending

    @property
    def step_count(self) -> int:
        return 2

    @property
    def step_number(self) -> int:
        return self.STEP_NUMBERS.get(self.step, 2)

    @property
    def at_first_step(self) -> bool:
        return self.step is not ConsentStep.CHOOSE

    # ------------------------------------------------------------ actions
    def next_step(self) -> bool:
        """Who helps is understood: now what they may see."""
        if self.step is not ConsentStep.WHO or not self.asking:
            return False
        self.step = ConsentStep.CHOOSE
        return True

    def toggle(self, scope: str) -> bool:
        if self.step is not ConsentStep.CHOOSE or not self.asking or scope not in CHOOSABLE_SCOPES:
            return False
        self.chosen ^= {scope}
        self.error_key = None
        return True

    def accept(self) -> bool:
        """"Oui, j'accepte" with the scopes chosen; nothing chosen: say so and stay."""
        if self.step is not ConsentStep.CHOOSE or not self.asking:
            return False
        if not self.chosen:
            self.error_key = CONSENT_NONE_CHOSEN_KEY
            return False
        if not self.assisted.give_consent(self.chosen):
            return False
        self.error_key = None
        self.step = ConsentStep.ACCEPTED
        return True

    def refuse(self) -> bool:
        """"Non, merci": the helper sees nothing, the patient's data leaves the kiosk."""
        if not self.asking:
            return False
        self.assisted.refuse()
        self.error_key = None
        self.step = ConsentStep.REFUSED
        return True

    def back(self) -> bool:
        """From the choices to who helps; before that there is no way around the question."""
        if self.step is not ConsentStep.CHOOSE or not self.asking:
            return False
        self.error_key = None
        self.step = ConsentStep.WHO
        return True


__all__ = ["ConsentFlow", "ConsentStep"]
