"""Screens, the registries later journeys plug into, and the navigator.

- `@screen("name")` registers a `Screen` subclass. Each registered screen also
  appears in `kiosk shots` automatically, set up by its `demo_state(app)`.
- `register_feature(Feature(...))` adds a tile on Home (only features that exist).
- `register_shot(name, setup)` adds a picture that is not a plain screen (an overlay,
  a screen in a particular state).
- `register_step(flow, step, screen)` maps a flow step (kiosk/core/flows) to a screen;
  the flow decides what comes next, the navigator only shows it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, ClassVar

from kivy.uix.widget import Widget

from kiosk.core.speech import ScreenDescription
from kiosk.ui.look import look
from kiosk.ui.widgets import Button, PagedList, Row, Stack, Text, is_shown

if TYPE_CHECKING:  # pragma: no cover
    from kiosk.ui.app import KioskApp

SCREEN_MARGIN_MM = 6.0


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

    def __init__(self, app: "KioskApp", step: tuple[int, int] | None = None, **params: Any) -> None:
        super().__init__(padding_mm=SCREEN_MARGIN_MM, spacing_mm=5)
        self._items = []
        self.app = app
        self.step = step
        self.params = params
        self.content = PagedList(cols=self.columns, spacing_mm=5)
        self.actions = Row(spacing_mm=6)
        self.add_widget(self.content)
        self.build()
        self.content.set_items(self._items)
        if self.actions.children:
            self.add_widget(self.actions)

    _items: list[Widget]

    def refresh(self) -> None:
        # less margin when the text is very large: the words need the room
        self.padding_mm = SCREEN_MARGIN_MM if look().text_size <= 2 else SCREEN_MARGIN_MM / 2
        self.spacing_mm = 5 if look().text_size <= 2 else 3
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
    def prepare(cls, app: "KioskApp", params: dict[str, Any]) -> Callable[[], Any] | None:
        """Work that calls the backend before the screen can be built (loading its journey's flow).

        The navigator runs it off the UI thread and builds the screen when it is done.
        """
        return None

    @classmethod
    def demo_state(cls, app: "KioskApp") -> dict[str, Any]:
        """Put the app in a deterministic state for `kiosk shots`; return the params for show()."""
        app.session.start()
        return {}

    def on_shown(self) -> None:
        """Called after the screen is on the window."""

    def on_tick(self) -> None:
        """Called every second (the session's tick)."""


def describe_widgets(root: Widget) -> tuple[list[str], list[str]]:
    """Words and button labels shown inside `root`, top to bottom."""
    lines: list[str] = []
    buttons: list[str] = []

    def visit(widget: Widget) -> None:
        if not is_shown(widget) or getattr(widget, "disabled", False) and isinstance(widget, Button):
            return
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
    setup: Callable[["KioskApp"], None]
    order: int = 100


SHOTS: dict[str, Shot] = {}


def register_shot(name: str, setup: Callable[["KioskApp"], None], order: int = 100) -> None:
    def inline_setup(app: "KioskApp") -> None:
        runner = getattr(app, "runner", None)
        if runner is None:
            setup(app)
            return
        with runner.inline():  # a picture's set-up waits for its loads where it stands
            setup(app)

    SHOTS[name] = Shot(name, inline_setup, order)


def screen(name: str, *, order: int = 100, shot: bool = True) -> Callable[[type[Screen]], type[Screen]]:
    """Class decorator: register a screen (and its picture for `kiosk shots`)."""

    def decorate(cls: type[Screen]) -> type[Screen]:
        cls.name = name
        SCREENS[name] = cls
        if shot:
            def setup(app: "KioskApp", cls: type[Screen] = cls) -> None:
                params = cls.demo_state(app) or {}
                app.nav.show(cls.name, remember=False, **params)

            register_shot(name, setup, order)
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


STEPS: dict[tuple[str, str], str] = {}


def register_step(flow: str, step: str, screen_name: str) -> None:
    STEPS[(flow, step)] = screen_name


# --- navigator -------------------------------------------------------------------------------

class Navigator:
    """Shows screens by name and keeps the way back. It never decides what comes next."""

    def __init__(self, app: "KioskApp") -> None:
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

    def show_step(self, flow: str, step: str, *, n: int | None = None, total: int | None = None,
                  **params: Any) -> Screen:
        """Show the screen mapped to a flow step, with "Étape n sur total" when given."""
        position = (n, total) if n is not None and total is not None else None
        return self.show(STEPS[(flow, step)], step=position, **params)

    def back(self) -> None:
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

    def redisplay(self) -> Screen | None:
        """Build the current screen again (after its flow changed, or the words did)."""
        if self.current is None or self._current_args is None:
            return None
        name, params = self._current_args
        return self._display(type(self.current), name, params)

    def reset(self, name: str = "welcome") -> None:
        self.history.clear()
        self._display(SCREENS[name], name, {})

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
        shell.bottom_bar.show(back=bool(self.history) and s.can_go_back,
                              home=s.in_session and s.name != "home")
