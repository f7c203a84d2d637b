"""What a screen may use of the running kiosk: a narrow, typed view of the app.

Screens, overlays and the frame get the app typed as one of these Protocols, never as
`KioskApp`: they see the flow runner, the navigator, the look, the voice, the session, the
services and the few app callbacks they really call. So kiosk.ui.screens never imports
kiosk.ui.app (an import-linter contract checks it), and a screen that reaches for more of the
app is caught by tests/test_architecture.py.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Protocol

if TYPE_CHECKING:  # pragma: no cover
    from kiosk.app import Services
    from kiosk.core.clock import Clock
    from kiosk.core.runner import FlowRunner
    from kiosk.core.session import Session
    from kiosk.settings import Settings
    from kiosk.ui.look import Look
    from kiosk.ui.overlays import Overlay
    from kiosk.ui.screen import Navigator
    from kiosk.ui.shell import Shell


class Voice(Protocol):
    """The part of the voice a screen may touch (a PIN screen turns explore-by-touch off)."""

    explore: bool

    def set_explore(self, on: bool) -> None: ...


class ScreenContext(Protocol):
    """What screens and overlays get: the parts of the kiosk, and the app's few callbacks."""

    services: "Services"
    settings: "Settings"
    session: "Session"
    clock: "Clock"
    look: "Look"
    nav: "Navigator"
    shell: "Shell"
    runner: "FlowRunner | None"
    voice: "Voice | None"
    #: called on every touch anywhere (training mode follows the assisted session with it)
    touch_hooks: list[Callable[[], None]]
    #: the lines of the end screen, asked at the end, before the wipe
    end_summary: list[str]

    # overlays and one-sentence notices
    def open_overlay(self, overlay: "Overlay") -> "Overlay": ...

    def close_overlay(self, overlay: "Overlay") -> None: ...

    def close_all_overlays(self) -> None: ...

    def tell(self, key: str) -> None: ...

    # the session on screen
    def start_session(self) -> None: ...

    def journal_ready(self) -> bool: ...

    def ask_end_session(self) -> None: ...

    def next_person(self) -> None: ...

    def set_prefs(self, *, lang: str | None = None, theme: str | None = None,
                  text_size: int | None = None) -> None: ...

    # the end screen's time
    def end_touched(self) -> None: ...

    def end_seconds_left(self) -> int: ...

    def keep_end_screen(self, seconds: float) -> None: ...


class FrameContext(ScreenContext, Protocol):
    """What the frame around the screens (the bars) calls besides."""

    def go_back(self) -> None: ...

    def go_home(self) -> None: ...

    def open_help(self) -> None: ...

    def open_display(self) -> None: ...

    def listen(self) -> None: ...

    def repeat_speech(self) -> None: ...

    def tick(self) -> None: ...

    def describe(self) -> Any: ...


__all__ = ["FrameContext", "ScreenContext", "Voice"]
