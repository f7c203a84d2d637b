"""Refuse or close the health space: understand step by step, then ask, after two confirmations.

Steps::

    CHOICE --choose(CLOSE | REFUSE)--> EXPLAIN --next_step--> DOCUMENTS --next_step--> DELETION (close only)
           --choose_deletion--> CONFIRM_FIRST --confirm--> CONFIRM_SECOND --confirm--> STATUS (final)

Nothing is sent before the second ``confirm()``. A space that is already
closed or refused starts at STATUS, which says since when and how to reopen.
"""

from __future__ import annotations

import enum

from kiosk.core.flows.base import SCOPE_CLOSURE, Flow, action
from kiosk.core.flows.summary import Activity
from kiosk.core.models import SpaceState, SpaceStatus

TITLE_KEY = "flows.closure.title"
CHOICE_KEYS = ("flows.closure.choice.what", "flows.closure.choice.help")


class ClosureKind(str, enum.Enum):
    CLOSE = "close"  # close the space; documents kept 10 years unless deletion is asked
    REFUSE = "refuse"  # refuse (oppose) the space; documents deleted

    @property
    def label_key(self) -> str:
        return f"flows.closure.kind.{self.value}"


EXPLAIN_KEYS = {
    ClosureKind.CLOSE: (
        "flows.closure.close.what",
        "flows.closure.close.professionals",
        "flows.closure.close.messages",
    ),
    ClosureKind.REFUSE: (
        "flows.closure.refuse.what",
        "flows.closure.refuse.professionals",
        "flows.closure.refuse.messages",
    ),
}
DOCUMENTS_KEYS = {
    ClosureKind.CLOSE: (
        "flows.closure.documents.kept",
        "flows.closure.documents.delete_on_request",
        "flows.closure.documents.reopen",
    ),
    ClosureKind.REFUSE: (
        "flows.closure.documents.deleted",
        "flows.closure.documents.reopen_empty",
    ),
}
DELETION_KEYS = ("flows.closure.deletion.question", "flows.closure.deletion.keep", "flows.closure.deletion.delete")
CONFIRM_FIRST_KEYS = {
    ClosureKind.CLOSE: ("flows.closure.confirm_first.close",),
    ClosureKind.REFUSE: ("flows.closure.confirm_first.refuse",),
}
CONFIRM_SECOND_KEYS = {
    ClosureKind.CLOSE: ("flows.closure.confirm_second.last", "flows.closure.confirm_second.close_button"),
    ClosureKind.REFUSE: ("flows.closure.confirm_second.last", "flows.closure.confirm_second.refuse_button"),
}
REOPEN_KEYS = ("flows.closure.status.reopen", "flows.closure.status.help")
KEPT_KEY = "flows.closure.status.kept"
DELETION_KEY = "flows.closure.status.deletion"
SINCE_KEY = "flows.closure.status.since"  # {date}


class ClosureStep(enum.Enum):
    CHOICE = "choice"
    EXPLAIN = "explain"
    DOCUMENTS = "documents"
    DELETION = "deletion"
    CONFIRM_FIRST = "confirm_first"
    CONFIRM_SECOND = "confirm_second"
    STATUS = "status"


_ORDER = {
    ClosureKind.CLOSE: ("CHOICE", "EXPLAIN", "DOCUMENTS", "DELETION", "CONFIRM_FIRST", "CONFIRM_SECOND"),
    ClosureKind.REFUSE: ("CHOICE", "EXPLAIN", "DOCUMENTS", "CONFIRM_FIRST", "CONFIRM_SECOND"),
}


class ClosureFlow(Flow):
    Step = ClosureStep
    scope = SCOPE_CLOSURE
    FINAL_STEPS = frozenset({"STATUS"})

    title_key = TITLE_KEY
    choice_keys = CHOICE_KEYS
    deletion_keys = DELETION_KEYS
    reopen_keys = REOPEN_KEYS
    since_key = SINCE_KEY

    def __init__(self, context, *, guard=None) -> None:
        super().__init__(context, guard=guard)
        self._clear()

    def _clear(self) -> None:
        self.kind: ClosureKind | None = None
        self.delete_documents: bool | None = None
        self.status: SpaceStatus | None = None

    # ------------------------------------------------------------ reading
    @property
    def step_count(self) -> int:
        return len(_ORDER[self.kind or ClosureKind.CLOSE])

    @property
    def step_number(self) -> int:
        order = _ORDER[self.kind or ClosureKind.CLOSE]
        return order.index(self.step.name) + 1 if self.step.name in order else self.step_count

    @property
    def explain_keys(self) -> tuple[str, ...]:
        """The keys shown at the current step (explanations or confirmations)."""
        if self.kind is None:
            return CHOICE_KEYS if self.step is ClosureStep.CHOICE else ()
        return {
            ClosureStep.CHOICE: CHOICE_KEYS,
            ClosureStep.EXPLAIN: EXPLAIN_KEYS[self.kind],
            ClosureStep.DOCUMENTS: DOCUMENTS_KEYS[self.kind],
            ClosureStep.DELETION: DELETION_KEYS,
            ClosureStep.CONFIRM_FIRST: CONFIRM_FIRST_KEYS[self.kind],
            ClosureStep.CONFIRM_SECOND: CONFIRM_SECOND_KEYS[self.kind],
        }.get(self.step, ())

    @property
    def status_key(self) -> str | None:
        """"Votre espace santé est fermé." (domain.space.*)."""
        return self.status.state.label_key if self.status else None

    @property
    def status_keys(self) -> tuple[str, ...]:
        """What happens to the documents, then how to reopen."""
        if self.status is None or self.status.state is SpaceState.ACTIVE:
            return ()
        documents = DELETION_KEY if self.status.deletion_requested else KEPT_KEY
        return (documents,) + REOPEN_KEYS

    # ------------------------------------------------------------ actions
    def _start(self) -> None:
        status = self._space.get_space_status(self._patient)
        if not status.is_active:
            self.status = status
            self.step = ClosureStep.STATUS

    @action("CHOICE")
    def choose(self, kind: ClosureKind | str) -> None:
        self.kind = ClosureKind(kind)
        self._go(ClosureStep.EXPLAIN)

    @action("EXPLAIN", "DOCUMENTS")
    def next_step(self) -> None:
        if self.step is ClosureStep.EXPLAIN:
            self._go(ClosureStep.DOCUMENTS)
        elif self.kind is ClosureKind.CLOSE:
            self._go(ClosureStep.DELETION)
        else:
            self.delete_documents = True
            self._go(ClosureStep.CONFIRM_FIRST)

    @action("DELETION")
    def choose_deletion(self, delete: bool) -> None:
        """Keep the documents 10 years (False) or ask that they be deleted within 3 months (True)."""
        self.delete_documents = bool(delete)
        self._go(ClosureStep.CONFIRM_FIRST)

    @action("CONFIRM_FIRST", "CONFIRM_SECOND")
    def confirm(self) -> None:
        """First confirmation: go to the second. Second: send the request."""
        if self.step is ClosureStep.CONFIRM_FIRST:
            self._go(ClosureStep.CONFIRM_SECOND)
            return
        if self.kind is ClosureKind.REFUSE:
            self.status = self._space.oppose_space(self._patient)
            self._record(Activity.REFUSAL_REQUESTED, kind="delete")
        else:
            delete = bool(self.delete_documents)
            self.status = self._space.close_space(self._patient, delete_documents=delete)
            self._record(Activity.CLOSURE_REQUESTED, kind="delete" if delete else "keep")
        self._history.clear()
        self.step = ClosureStep.STATUS

    def _on_back(self, leaving, to) -> None:
        if to is ClosureStep.CHOICE:
            self.kind = None
        if leaving in (ClosureStep.CONFIRM_FIRST,) and self.kind is ClosureKind.CLOSE:
            self.delete_documents = None


__all__ = ["ClosureFlow", "ClosureKind", "ClosureStep"]
