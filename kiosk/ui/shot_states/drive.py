"""Driving the real kiosk into a state, for a picture: the buttons a person presses.

A picture's set-up starts where the kiosk waits for the next person (Welcome) and presses
the buttons a person would, by their names ("welcome.start", "pad.2", "home.feature.documents"):
each press runs the button's own action, so the screens, the flows, the navigator's way back
(Retour) and the bands are exactly those of the kiosk. Buttons are pressed without drawing
frames in between (the kiosk's layout is not needed to act): a set-up costs the screens built
on the way (Welcome, the two sign-in screens, Home, the journey's screens), about 0.25 s. A
button on another page of a list is pressed all the same, as a person would after Suivant.
Each picture starts from fresh demo data; one sign-in is not shared between pictures because
resetting the demo data also forgets the sign-in.

The band around the pictures (`kiosk shots --band`) is chosen here:
- "none": the patient alone;
- "helper": the demo helper signs in first from Welcome, then the patient signs in and allows
  every scope: the band "Accompagné par …" with "Arrêter l'accompagnement" is on every screen;
- "training": the kiosk runs in training mode (the band "Mode formation"), as `kiosk run --training`.
"""

from __future__ import annotations

import contextlib
from typing import Any, Iterator

from kivy.uix.widget import Widget

from kiosk.core.assisted import CHOOSABLE_SCOPES, HelperIdentity
from kiosk.core.flows.base import PATIENT_SESSION
from kiosk.services.backend.demo import demo_sign_in_code
from kiosk.ui.testing import settle_frame
from kiosk.ui.widgets import Button

# The demo patients of the pictures (kiosk/services/backend/demo.py), by their health identifier.
PAULETTE = "244039999900168"  # many documents, unread messages, appointments
ODETTE = "267099999900305"    # a blocked professional, a hidden document
LUCIEN = "150119999900446"    # closed his space
ALBERT = "172049999900717"    # about to close his space
JULES = "190019999900955"     # often types a wrong code

NONE, HELPER, TRAINING = "none", "helper", "training"
BANDS = (NONE, HELPER, TRAINING)
#: The pictures of a screen the helper's band is never on (before or after a visit, the helper's own
#: sign-in, the training menus, closing the space, the end): skipped with --band helper, and
#: `kiosk shots` says so.
NOT_WITH_HELPER = (NONE, TRAINING)
#: The pictures of an assisted session: their helper's band is there under --band none already,
#: so --band helper would only make them again.
OWN_HELPER = (NONE, TRAINING)

_band = NONE


def band() -> str:
    """The band of the pictures being made now."""
    return _band


@contextlib.contextmanager
def with_band(app: Any, name: str) -> Iterator[None]:
    """Make the pictures inside under the band `name`. Call it right after the kiosk is back on Welcome."""
    global _band
    if name not in BANDS:
        raise ValueError(f"unknown band {name!r}")
    _band = name
    try:
        if name == TRAINING:
            from kiosk.ui.screens.training import enable_training

            # as `kiosk run --training`, until the next person (the reset between pictures)
            enable_training(app, for_picture=True)
            app.nav.reset("welcome")
        yield
    finally:
        _band = NONE


# --- pressing --------------------------------------------------------------------------------

def _walk(root: Widget) -> Iterator[Widget]:
    """Every widget under `root`, with the items of a paged list on its other pages."""
    for widget in root.walk(restrict=True):
        yield widget
        items = getattr(widget, "items", None)
        if isinstance(items, list):
            for item in items:
                if isinstance(item, Widget) and item.parent is None:
                    yield from _walk(item)


def buttons(app: Any) -> list[Button]:
    """The buttons the person can press now: the top overlay's, or the whole screen's."""
    root = app.overlays[-1] if app.overlays else app.shell
    return [w for w in _walk(root)
            if isinstance(w, Button) and not w.hidden and not getattr(w, "disabled", False)]


def find(app: Any, name: str) -> Button:
    for attempt in range(2):
        for button in buttons(app):
            if button.name == name:
                return button
        if attempt == 0:  # a screen that lays out part of itself once it has its size (the viewer)
            for _ in range(3):
                settle_frame()
    shown = sorted({b.name for b in buttons(app) if b.name})
    where = app.nav.current.name if app.nav.current is not None else "?"
    raise LookupError(f"no button {name!r} on {where!r}; there are {shown}")


def press(app: Any, *names: str) -> None:
    """Press these buttons one after the other, each with its own action (what a tap does)."""
    for name in names:
        find(app, name).activate()


def press_first(app: Any, prefix: str) -> str:
    """Press the first button whose name starts with `prefix` (the first item of a list); its name."""
    for button in buttons(app):
        if button.name.startswith(prefix):
            button.activate()
            return button.name
    raise LookupError(f"no button named {prefix}… on {app.nav.current.name!r}")


def type_digits(app: Any, digits: str) -> None:
    """Digits on the kiosk's number pad."""
    press(app, *(f"pad.{d}" for d in digits))


def on_screen(app: Any, name: str) -> None:
    """The set-up went where it should: a picture never shows a screen it did not mean to."""
    here = app.nav.current.name if app.nav.current is not None else None
    if here != name:
        raise AssertionError(f"the set-up reached {here!r}, not {name!r}")


# --- the start of a visit ------------------------------------------------------------------------

def fresh_demo_data(app: Any) -> None:
    """The demo health space as it starts (unread messages unread, no code given, no lockout)."""
    reset = getattr(app.services.backend, "reset", None)
    if callable(reset):
        reset()


def helper_signs_in(app: Any) -> None:
    """From Welcome: "Espace accompagnant", and the demo helper is signed in.

    The helper's screens then do what they do once the store said yes to the PIN: the assisted
    session starts, its band shows, and the patient's sign-in opens. (Only the store's Argon2id
    check of the PIN, 0.3 s, is left out: the PIN screens have pictures of their own.)
    """
    from kiosk.ui.screens.assisted import DEMO_HELPER_NAME, DEMO_HELPER_ORGANISATION, ensure_demo_helper

    press(app, "welcome.helper")
    on_screen(app, "assisted.helper_sign_in")
    account = ensure_demo_helper(app)
    if account is None:  # not a demo store: a helper made of plain values
        account = HelperIdentity(DEMO_HELPER_NAME, DEMO_HELPER_ORGANISATION, "hlp-" + "0" * 16)
    app.nav.current.signed_in(account)
    on_screen(app, "sign_in")


def begin(app: Any, *, helper: bool | None = None) -> None:
    """From Welcome to the patient's sign-in: Commencer, or with the helper band the helper first."""
    fresh_demo_data(app)
    if helper if helper is not None else band() == HELPER:
        helper_signs_in(app)
    else:
        press(app, "welcome.start")
    on_screen(app, "sign_in")


def type_identifier(app: Any, ins: str) -> None:
    type_digits(app, ins)
    press(app, "sign_in.next")


def patient_signs_in(app: Any, ins: str = PAULETTE) -> None:
    """On the sign-in screen: the identifier, Suivant, the one-time code, Valider."""
    type_identifier(app, ins)
    on_screen(app, "sign_in.code")
    type_digits(app, demo_sign_in_code(ins))
    press(app, "sign_in.ok")


def consent_to_everything(app: Any) -> None:
    """The patient allows the helper every scope (the consent screens after the patient's sign-in)."""
    on_screen(app, "assisted.consent")
    press(app, "assisted.consent.next")
    chosen = getattr(app.nav.current, "chosen", set())
    for scope in CHOOSABLE_SCOPES:
        if scope not in chosen:
            press(app, f"assisted.scope.{scope}")
    press(app, "assisted.yes")


def signed_in(app: Any, ins: str = PAULETTE, *, helper: bool | None = None) -> None:
    """The patient signed in and on Home, with the band of the pictures (or with a helper when asked)."""
    begin(app, helper=helper)
    patient_signs_in(app, ins)
    if PATIENT_SESSION in app.session.data and app.nav.current.name == "assisted.consent":
        consent_to_everything(app)
    on_screen(app, "home")


def open_tile(app: Any, feature: str, ins: str = PAULETTE) -> None:
    """Signed in, then a tile of Home: the journey's first screen, with Retour to Home."""
    signed_in(app, ins)
    press(app, f"home.feature.{feature}")

