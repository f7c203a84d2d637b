"""The one base of every journey screen: a screen that shows one step of a flow.

A journey module gives its flow (`flow_key` in the session's data, `make_flow` to build it)
and registers each screen for its step (`@step_screen(Flow, Step.X)`). The base does the rest,
the same way for every journey:

- `prepare`: the flow is loaded off the UI thread the first time (flow_context.load_first);
- `build`: the flow, moved back to this screen's step when Retour brought the screen back, the
  step number in the top bar ("Étape 2 sur 4"), the flow's error or notice as a banner, then
  `fill()` (the screen's own content);
- `run(action)`: a flow action off the UI thread, then `nav.follow(flow)`: the navigator shows
  the screen of the flow's new step. A screen never names the next one;
- Retour is the flow's back (`step_back`); at the flow's first step it leaves the journey the
  way it came (the navigator's history).
"""

from __future__ import annotations

import enum
from typing import Any, Callable, ClassVar

from kiosk.ui.flow_context import act, back_to, load_first, session_flow
from kiosk.ui.screen import Screen
from kiosk.ui.widgets import Banner


class JourneyScreen(Screen):
    """A screen of one step of a flow (see the module docstring)."""

    #: Where the journey's flow is kept in the session's data (wiped with it).
    flow_key: ClassVar[str] = ""
    #: The step this screen shows (set by @step_screen).
    flow_step: ClassVar[enum.Enum | None] = None
    #: The flow's notice ("Le document est masqué.") as a banner above the content.
    shows_notice: ClassVar[bool] = False
    #: The flow's error as a banner above the content (False: the screen says it its own way).
    shows_error_in_content: ClassVar[bool] = True

    flow: Any

    # -- the flow -------------------------------------------------------------------------------
    @classmethod
    def make_flow(cls, context: Any) -> Any:
        """A new flow of this journey, from a kiosk.core FlowContext (override)."""
        raise NotImplementedError

    @classmethod
    def journey_flow(cls, app: Any, *, fresh: bool = False) -> Any:
        """The journey's flow kept in the session's data: a new one when asked or when there is none."""
        return session_flow(app, cls.flow_key, cls.make_flow, fresh=fresh)

    @classmethod
    def prepare(cls, app: Any, params: dict[str, Any]) -> Callable[[], Any] | None:
        return load_first(app, cls.flow_key, lambda a: cls.journey_flow(a))

    def get_flow(self) -> Any:
        return self.journey_flow(self.app)

    def move_to_step(self) -> None:
        """Brought back by Retour or Accueil's way back: the flow goes back to this screen's step."""
        if self.flow_step is not None:
            back_to(self.flow, self.flow_step)

    # -- building -------------------------------------------------------------------------------
    def build(self) -> None:
        self.flow = self.get_flow()
        self.move_to_step()
        self.step = (self.flow.step_number, self.flow.step_count)
        self.add_banners()
        self.fill()

    def add_banners(self) -> None:
        """The flow's error (or, when the screen shows it, its notice), first on the screen."""
        if self.flow.error_key and self.shows_error_in_content:
            self.add(Banner(self.flow.error_key, kind="error"))
        elif self.shows_notice and self.flow.notice_key:
            self.add(Banner(self.flow.notice_key, kind="info"))

    def fill(self) -> None:
        """The screen's own content (override)."""

    # -- moving on ------------------------------------------------------------------------------
    def run(self, action: Callable[[], Any], *args: Any, when_done: Callable[[Any], None] | None = None) -> bool:
        """Run a flow action (off the UI thread when it calls the backend), then follow the flow.

        `when_done(result)` runs first, back on the UI thread (e.g. keep a new code from the voice).
        """
        def then(result: Any) -> None:
            if when_done is not None:
                when_done(result)
            self.follow()

        return act(self.app, (lambda: action(*args)) if args else action, then=then)

    def follow(self) -> None:
        """Show the screen of the flow's step now (this one again when the step did not change)."""
        self.app.nav.follow(self.flow)

    def redraw(self) -> None:
        """This screen again, with its params (a new text size, new words)."""
        self.app.nav.redraw()

    # -- Retour ---------------------------------------------------------------------------------
    def can_step_back(self) -> bool:
        flow = getattr(self, "flow", None)
        return bool(self.can_go_back and flow is not None and not flow.finished and not flow.at_first_step)

    def step_back(self) -> bool:
        if not self.can_step_back():
            return False
        self.flow.back()
        self.follow()
        return True


__all__ = ["JourneyScreen"]
