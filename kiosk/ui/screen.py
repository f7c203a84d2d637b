"""Screens, the registries later journeys plug into, and the navigator.

- `@screen("name")` registers a `Screen` subclass.
- `register_feature(Feature(...))` adds a tile on Home (only features that exist).
- `register_shot(name, setup)` adds a picture for `kiosk shots`; the set-ups live in
  kiosk/ui/shot_states (they drive the kiosk as a person does), never in the screens.
- `@step_screen(FlowClass, Step.X)` (or `register_step`) maps a flow step (kiosk/core/flows)
  to a screen; `register_exit(FlowClass, ...)` says where a finished flow (or a step that
  leaves it, like a done sign-in) goes. Flows lead, screens follow: after an action a screen
  calls `nav.follow(flow)` and the navigator shows the screen of the flow's new step. Retour
  on a journey screen is the flow's back; no screen names the next one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
import enum
from typing import TYPE_CHECKING, Any, Callable, ClassVar

from kivy.uix.widget import Widget

from kiosk.core.speech import ScreenDescription
from kiosk.ui.look import look
from kiosk.ui.widgets import Button, PagedList, Row, Stack, Text, is_shown

if TYPE_CHECKING:  # pragma: no cover
    from kiosk.ui.context import ScreenContext

SCREEN_MARGIN_MM = 4.0


class Screen(Stack):
    """One thing per screen. Subclasses set `title_key` and fill themselves in `build()`.

    Class attributes:
      name        set by @screen
      title_key   catalogue key of the title in the top bar
      in_session  True for screens of a started session (shows Terminer and Accueil)
      can_go_back False to hide Retour even with a history (e.g. after a confirmed action)
    """

    name: ClassVar[str] = ""
    title_key: ClassVar[str] = ""
    in_session: ClassVar[bool] = True
    can_go_back: ClassVar[bool] = True

    #: columns of the content list (buttons side by side; Text and Row always take a whole row)
    columns: ClassVar[int] = 1
    #: the gap between the items of the content (a list of lines: the smallest that keeps 3 mm)
    list_spacing_mm: ClassVar[float] = 4

    def __init__(self, app: "ScreenContext", step: tuple[int, int] | None = None, **params: Any) -> None:
        super().__init__(padding_mm=SCREEN_MARGIN_MM, spacing_mm=5)
        self._items = []
        self.app = app
        self.step = step
        self.params = params
        self.content = PagedList(cols=self.columns, spacing_mm=self.list_spacing_mm)
        self.actions = Row(spacing_mm=6)
        self.content.foot = self.actions  # the pager sits beside the main actions when it fits
        self.add_widget(self.content)
        self.build()
        mark_leads(self._items)
        self.content.set_items(self._items)
        if self.actions.children:
            self.add_widget(self.actions)

    _items: list[Widget]

    def refresh(self) -> None:
        # less margin when the text is very large: the words need the room
        self.padding_mm = SCREEN_MARGIN_MM if look().text_size <= 2 else SCREEN_MARGIN_MM * 0.6
        self.spacing_mm = 4 if look().text_size <= 2 else 3
        super().refresh()

    def add(self, *widgets: Widget) -> None:
        """Content of the screen, top to bottom; it is paged when it does not fit (large text)."""
        if not hasattr(self, "_items"):
            self._items = []
        self._items.extend(widgets)

    def add_action(self, button: Widget) -> None:
        """A main action, always visible at the bottom of the screen (e.g. Commencer)."""
        self.actions.add_widget(button)

    # -- what subclasses provide -----------------------------------------------------------
    def build(self) -> None:
        """Call self.add(...) with the content and self.add_action(...) with the main action."""

    def title(self) -> str:
        return look().tr(self.title_key)

    def step_text(self) -> str:
        if self.step is None:
            return ""
        n, total = self.step
        return look().tr("ui.step", n=n, total=total)

    def describe(self) -> ScreenDescription:
        """The spoken description: by default the words shown, in order, and the buttons."""
        lines, buttons = describe_widgets(self)
        return ScreenDescription(title=self.title(), step=self.step_text() or None, lines=tuple(lines),
                                 buttons=tuple(buttons))

    @classmethod
    def prepare(cls, app: "ScreenContext", params: dict[str, Any]) -> Callable[[], Any] | None:
        """Work that calls the backend before the screen can be built (loading its journey's flow).

        The navigator runs it off the UI thread and builds the screen when it is done.
        """
        return None

    def on_shown(self) -> None:
        """Called after the screen is on the window."""

    def on_tick(self) -> None:
        """Called every second (the session's tick)."""

    # -- Retour inside a journey (kiosk.ui.journey.JourneyScreen) ------------------------------
    def can_step_back(self) -> bool:
        """True when Retour here moves the screen's flow one step back (not the way back of the history)."""
        return False

    def step_back(self) -> bool:
        """Retour: the flow's back and the screen of its step; False when Retour leaves this screen's journey."""
        return False


def mark_leads(items: list[Widget]) -> None:
    """A text right before a control or a block is its instruction: it keeps with it on a page."""
    for text, after in zip(items, items[1:]):
        if isinstance(text, Text) and not isinstance(after, Text) and not getattr(after, "row", False):
            text.keep_with_next = True  # type: ignore[attr-defined]


def describe_widgets(root: Widget) -> tuple[list[str], list[str]]:
    """Words and button labels shown inside `root`, top to bottom."""
    lines: list[str] = []
    buttons: list[str] = []

    def visit(widget: Widget) -> None:
        if not is_shown(widget) or getattr(widget, "disabled", False) and isinstance(widget, Button):
            return
        if getattr(widget, "pager_part", False):
            return  # said with its list, wherever it sits
        if isinstance(widget, Button):
            buttons.append(widget.text)
            return
        if isinstance(widget, PagedList):
            for page_widget in widget.pages[widget.page]:
                visit(page_widget)
            if len(widget.pages) > 1:
                lines.append(widget.where.text)
                for b in (widget.prev, widget.next):
                    if not b.hidden:
                        buttons.append(b.text)
            return
        if isinstance(widget, Text) and widget.text:
            lines.append(widget.text)
        for child in reversed(widget.children):
            visit(child)

    visit(root)
    return lines, buttons


# --- registries ------------------------------------------------------------------------------

SCREENS: dict[str, type[Screen]] = {}


@dataclass(frozen=True)
class Shot:
    name: str
    setup: Callable[["ScreenContext"], None]
    order: int = 100
    #: the bands (`kiosk shots --band`) this picture is made under; see kiosk.ui.shot_states.drive
    bands: tuple[str, ...] = ("none", "helper", "training")


SHOTS: dict[str, Shot] = {}


def register_shot(name: str, setup: Callable[["ScreenContext"], None], order: int = 100,
                  bands: tuple[str, ...] = Shot.bands) -> None:
    def inline_setup(app: "ScreenContext") -> None:
        runner = getattr(app, "runner", None)
        if runner is None:
            setup(app)
            return
        with runner.inline():  # a picture's set-up waits for its loads where it stands
            setup(app)

    SHOTS[name] = Shot(name, inline_setup, order, tuple(bands))


def screen(name: str, *, order: int = 100) -> Callable[[type[Screen]], type[Screen]]:
    """Class decorator: register a screen. (`order` is the old place of its picture: pictures now
    have theirs in kiosk/ui/shot_states.)"""

    def decorate(cls: type[Screen]) -> type[Screen]:
        cls.name = name
        SCREENS[name] = cls
        return cls

    return decorate


@dataclass(frozen=True)
class Feature:
    """A tile on Home. `available(services)` says whether it exists on this kiosk right now."""

    name: str
    icon: str
    label_key: str
    screen: str
    order: int = 100
    params: dict[str, Any] = field(default_factory=dict)
    available: Callable[[Any], bool] = lambda services: True
    #: The consent scope of the journey (kiosk.core.flows.base.SCOPE_*), or None.
    scope: str | None = None


FEATURES: dict[str, Feature] = {}

#: Checks asked for every tile after `available`: fn(services, feature) -> False hides it
#: (e.g. a scope the patient did not allow in an assisted session).
FEATURE_CHECKS: list[Callable[[Any, Feature], bool]] = []


def register_feature(feature: Feature) -> None:
    FEATURES[feature.name] = feature


def features_for(services: Any) -> list[Feature]:
    return sorted((f for f in FEATURES.values()
                   if f.available(services) and all(check(services, f) for check in FEATURE_CHECKS)),
                  key=lambda f: (f.order, f.name))


#: (flow class, step) -> the screen that shows that step.
STEPS: dict[tuple[type, enum.Enum], type[Screen]] = {}
#: (flow class, step or None) -> where the flow goes when it reaches that step (None: once finished).
EXITS: dict[tuple[type, "enum.Enum | None"], Callable[["Navigator", Any], None]] = {}


def register_step(flow: type, step: enum.Enum, screen_cls: type[Screen]) -> None:
    """The screen `screen_cls` shows `step` of the flows of class `flow`."""
    STEPS[(flow, step)] = screen_cls
    screen_cls.flow_step = step  # type: ignore[attr-defined]


def step_screen(flow: type, step: enum.Enum) -> Callable[[type[Screen]], type[Screen]]:
    """Class decorator: this screen shows `step` of `flow` (use with @screen, which names it)."""

    def decorate(cls: type[Screen]) -> type[Screen]:
        register_step(flow, step, cls)
        return cls

    return decorate


def register_exit(flow: type, go: Callable[["Navigator", Any], None], step: enum.Enum | None = None) -> None:
    """Where `flow` goes when it reaches `step` (a step that leaves the journey), or once it is finished."""
    EXITS[(flow, step)] = go


def _lookup(table: dict, flow: Any, step: Any) -> Any:
    for kind in type(flow).__mro__:
        found = table.get((kind, step))
        if found is not None:
            return found
    return None


def screen_for(flow: Any) -> type[Screen] | None:
    """The screen registered for the flow's current step, or None (a step shown over a screen)."""
    return _lookup(STEPS, flow, flow.step)


def exit_for(flow: Any) -> Callable[["Navigator", Any], None] | None:
    return _lookup(EXITS, flow, None) if flow.finished else _lookup(EXITS, flow, flow.step)


# --- navigator -------------------------------------------------------------------------------

class Navigator:
    """Shows screens and keeps the way back. It never decides what comes next: the flows do."""

    def __init__(self, app: "ScreenContext") -> None:
        self.app = app
        self.current: Screen | None = None
        self.history: list[tuple[str, dict[str, Any]]] = []
        self._current_args: tuple[str, dict[str, Any]] | None = None

    def show(self, name: str, *, remember: bool = True, **params: Any) -> Screen | None:
        """Show a screen; one whose flow must first be loaded is shown when it is (None returned)."""
        cls = SCREENS[name]
        return self._after_prepare(cls, params, lambda: self._show_now(cls, name, remember, params))

    def _show_now(self, cls: type[Screen], name: str, remember: bool, params: dict[str, Any]) -> Screen:
        if remember and self.current is not None and self._current_args and self.current.in_session \
                and cls.in_session:
            self.history.append(self._current_args)
        elif not remember:
            self.history.clear()
        return self._display(cls, name, params)

    def _after_prepare(self, cls: type[Screen], params: dict[str, Any], display: Callable[[], Screen]) -> Screen | None:
        work = cls.prepare(self.app, params)
        if work is None:
            return display()
        shown: list[Screen] = []
        self.app.services.runner.run(work, then=lambda _result: shown.append(display()))
        return shown[0] if shown else None  # at once only when set-up code runs inline

    def follow(self, flow: Any, /, *, remember: bool = False, **params: Any) -> Screen | None:
        """After a flow action: show the screen of the flow's step (flows lead, screens follow).

        The same screen is drawn again (an error, a notice, another page); a step already on the
        way back is returned to; a step shown over the screen (a confirmation) leaves it as it is;
        a finished flow goes where it says (Home when it says nothing). The screens of one journey
        replace each other: Retour there is the flow's back (Screen.step_back). `remember` keeps the
        current screen on the way back (another journey's flow shown from here, e.g. an attachment);
        `params` go to a new screen (e.g. that flow).
        """
        leave = exit_for(flow)
        if leave is not None:
            leave(self, flow)
            return self.current
        if flow.finished:
            self.home()
            return self.current
        cls = screen_for(flow)
        if cls is None:  # a step asked over the screen (a confirmation): the screen under it, again
            return self.redraw()
        if self.current is not None and type(self.current) is cls:
            return self.redraw()
        for index in range(len(self.history) - 1, -1, -1):
            name, earlier = self.history[index]
            if name == cls.name:
                del self.history[index:]
                return self._display(cls, name, earlier)
        if remember and self.current is not None and self._current_args:
            self.history.append(self._current_args)
        return self._display(cls, cls.name, params)

    def open(self, feature: "Feature") -> Screen | None:
        """A Home tile: the first screen of its journey (loaded first when it must be)."""
        return self.show(feature.screen, **feature.params)

    #: The first screen of a person's visit: the sign-in's first step.
    start_screen: ClassVar[str] = "sign_in"

    def start(self) -> Screen | None:
        """The start of a person's visit (Commencer, the helper once signed in): no way back before it."""
        return self.show(self.start_screen, remember=False)

    def back(self) -> None:
        current = self.current
        if current is not None and current.step_back():  # the journey's own back
            return
        if self.history:
            name, params = self.history[-1]
            cls = SCREENS[name]

            def display() -> Screen:
                if self.history and self.history[-1] == (name, params):
                    self.history.pop()
                return self._display(cls, name, params)

            self._after_prepare(cls, params, display)

    def home(self) -> None:
        self.history.clear()
        self._display(SCREENS["home"], "home", {})

    def redraw(self) -> Screen | None:
        """Build the current screen again, with its params (its flow changed, or the text size, words…)."""
        if self.current is None or self._current_args is None:
            return None
        name, params = self._current_args
        return self._display(type(self.current), name, params)

    redisplay = redraw  # the older name

    def reset(self, name: str = "welcome") -> None:
        """A screen with no way back (Welcome, the end, the training menu)."""
        self.history.clear()
        self._display(SCREENS[name], name, {})

    def welcome(self) -> None:
        self.reset("welcome")

    def end(self) -> None:
        self.reset("end")

    def where(self) -> tuple[str, dict[str, Any]] | None:
        """The current screen's name and params, to come back to it later with `show`."""
        return self._current_args

    def return_to(self, name: str) -> Screen | None:
        """Show `name`, dropping what came after it when it is on the way back (else as a new screen)."""
        for index in range(len(self.history) - 1, -1, -1):
            if self.history[index][0] == name:
                params = self.history[index][1]
                del self.history[index:]
                return self._display(SCREENS[name], name, params)
        return self.show(name)

    def remember(self, name: str, **params: Any) -> None:
        """Put `name` on the way back under the current screen (a viewer opened from another journey)."""
        if not self.history or self.history[-1][0] != name:
            self.history.append((name, params))
        self.update_bars()

    def _display(self, cls: type[Screen], name: str, params: dict[str, Any]) -> Screen:
        self.app.shell.clear_banner()
        screen_widget = cls(self.app, **params)
        self.current = screen_widget
        self._current_args = (name, params)
        self.app.shell.set_screen(screen_widget)
        self.update_bars()
        screen_widget.on_shown()
        return screen_widget

    def update_bars(self) -> None:
        s = self.current
        if s is None:
            return
        shell = self.app.shell
        shell.top_bar.set(s.title(), s.step_text(), finish=s.in_session)
        shell.bottom_bar.show(back=s.can_go_back and (bool(self.history) or s.can_step_back()),
                              home=s.in_session and s.name != "home")
