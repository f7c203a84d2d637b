"""Refuse or close the health space: step by step, two confirmations, then the status.

One screen per step of kiosk.core.flows.closure.ClosureFlow. Nothing is sent before the
second confirmation. A space already closed or refused opens at the status screen.
The flow lives in the session's data (wiped with it); a screen brought back by Retour moves
the flow back to its own step.
"""

from __future__ import annotations

from typing import Any

from kiosk.core.flows.closure import ClosureFlow, ClosureKind, ClosureStep
from kiosk.core.i18n import format_date
from kiosk.ui.flow_context import session_flow
from kiosk.ui.journey import JourneyScreen
from kiosk.ui.screen import Feature, register_feature, screen, step_screen
from kiosk.ui.screens.access_code import signed_in
from kiosk.ui.widgets import Button, Text

FLOW_KEY = "ui.flow.closure"


def flow_for(app: Any, *, fresh: bool = False) -> ClosureFlow:
    return session_flow(app, FLOW_KEY, ClosureFlow, fresh=fresh)


class ClosureScreen(JourneyScreen):
    title_key = "flows.closure.title"
    flow_key = FLOW_KEY
    journey_flow = staticmethod(flow_for)

    def move_to_step(self) -> None:
        for _ in range(8):
            if self.flow.step is self.flow_step or self.flow.step is ClosureStep.STATUS or self.flow.finished:
                break
            self.flow.back()

    def build(self) -> None:
        self.flow = self.get_flow()
        self.move_to_step()
        if self.flow.step is ClosureStep.STATUS:  # closed or refused already, or just now
            self.step = None
            self.fill_status()
            return
        self.step = (self.flow.step_number, self.flow.step_count)
        self.add_banners()
        for key in self.flow.explain_keys:
            if self.flow.step is ClosureStep.DELETION and key != self.flow.deletion_keys[0]:
                continue
            if self.flow.step is ClosureStep.CONFIRM_SECOND and key.endswith("_button"):
                continue
            style = "heading" if key.endswith(("question", ".close", ".refuse")) else "body"
            self.add(Text(key=key, style=style))
        self.fill()

    def fill(self) -> None:
        pass

    def fill_status(self) -> None:
        status = self.flow.status
        if status is None:
            return
        self.add(Text(key=self.flow.status_key, style="heading"),
                 Text(key=self.flow.since_key, values={"date": format_date(status.since, self.app.look.lang)}))
        for key in self.flow.status_keys:
            self.add(Text(key=key))

    def act(self, action: Any, *args: Any) -> None:
        self.run(action, *args)  # then the screen of the flow's step (this one again after a failure)


@screen("closure", order=70)
@step_screen(ClosureFlow, ClosureStep.CHOICE)
class ChoiceScreen(ClosureScreen):
    def fill(self) -> None:
        for kind in ClosureKind:
            self.add(Button(kind.label_key, "forward", name=f"closure.choose.{kind.value}",
                            on_activate=lambda k=kind: self.act(self.flow.choose, k)))


class NextScreen(ClosureScreen):
    def fill(self) -> None:
        self.add_action(Button("screens.closure.next", "forward", kind="primary", name="closure.next",
                               on_activate=lambda: self.act(self.flow.next_step)))


@screen("closure.explain", order=71)
@step_screen(ClosureFlow, ClosureStep.EXPLAIN)
class ExplainScreen(NextScreen):
    pass


@screen("closure.documents", order=72)
@step_screen(ClosureFlow, ClosureStep.DOCUMENTS)
class DocumentsScreen(NextScreen):
    pass


@screen("closure.deletion", order=73)
@step_screen(ClosureFlow, ClosureStep.DELETION)
class DeletionScreen(ClosureScreen):

    def fill(self) -> None:
        keep, delete = self.flow.deletion_keys[1:]
        self.add(Button(keep, "check", name="closure.keep", on_activate=lambda: self.act(self.flow.choose_deletion, False)),
                 Button(delete, "close", name="closure.delete",
                        on_activate=lambda: self.act(self.flow.choose_deletion, True)))


class ConfirmScreen(ClosureScreen):
    def fill(self) -> None:
        self.add(Button("screens.closure.no", "back", name="closure.no", main=True, on_activate=self.keep))
        yes = "screens.closure.yes_first" if self.flow_step is ClosureStep.CONFIRM_FIRST else \
            next(k for k in self.flow.explain_keys if k.endswith("_button"))
        self.add_action(Button(yes, "check", kind="primary", name="closure.yes",
                               on_activate=lambda: self.act(self.flow.confirm)))

    def keep(self) -> None:
        self.flow.cancel()
        self.follow()  # a flow left goes Home


@screen("closure.confirm_first", order=74)
@step_screen(ClosureFlow, ClosureStep.CONFIRM_FIRST)
class ConfirmFirstScreen(ConfirmScreen):
    pass


@screen("closure.confirm_second", order=75)
@step_screen(ClosureFlow, ClosureStep.CONFIRM_SECOND)
class ConfirmSecondScreen(ConfirmScreen):
    pass


@screen("closure.status", order=76)
@step_screen(ClosureFlow, ClosureStep.STATUS)
class StatusScreen(ClosureScreen):
    can_go_back = False


def _entry(services: Any) -> bool:
    return signed_in(services)


register_feature(Feature("closure", "close", "screens.closure.tile", "closure", order=70, available=_entry))
