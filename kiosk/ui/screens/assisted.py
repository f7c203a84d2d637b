"""Assisted session on screen: consent, the band on every screen, stopping, the neutral screens.

The rules live in kiosk.core.assisted (AssistedSession): this module only follows it.

- The helper signs in from Welcome ("Espace accompagnant", kiosk/ui/screens/assisted_sign_in.py);
  `start_assisted` then keeps the AssistedSession in the session's data (`ASSISTED`), starts the
  session and shows the band. The patient signs in next.
- After the patient's sign-in, `AFTER_SIGN_IN` shows the consent screen while consent is pending:
  nothing of the patient is shown before "Oui, j'accepte".
- The band "Accompagné par … (organisation)" with "Arrêter l'accompagnement" is on every screen
  while the helper is there; it goes with a withdrawal, a refusal, the end or the wipe.
- "Arrêter l'accompagnement" asks once; then the helper's part ends, the patient stays signed in
  and Home shows every tile again.
- Home tiles outside the scopes the patient allowed are not offered (`feature_allowed`); a flow
  started anyway is refused by core (the guard of `flow_context`).
- The end screen shows, speaks and gives as a QR code what was done (assisted_end.end_section).
"""

from __future__ import annotations

from typing import Any

from kiosk.core.assisted import (
    BAND_KEY,
    REFUSED_KEYS,
    STOP_KEY,
    AssistedSession,
    HelperIdentity,
)
from kiosk.core.flows.base import (
    SCOPE_ACCESS,
    SCOPE_AGENDA,
    SCOPE_CLOSURE,
    SCOPE_DOCUMENTS,
    SCOPE_MESSAGES,
    SCOPE_SIGN_IN,
)
from kiosk.ui import theme as th
from kiosk.ui.flow_context import ASSISTED
from kiosk.ui.look import look
from kiosk.ui.screen import FEATURE_CHECKS, Feature, Screen, screen
from kiosk.ui.shell import Band
from kiosk.ui.widgets import Button, Text

# --- the demo helper ---------------------------------------------------------------------------
# A fictional helper account for demo and training (throw-away store only). Identifier and PIN
# are typed on the number pad.
DEMO_HELPER_IDENTIFIER = "1001"
DEMO_HELPER_PIN = "135790"
DEMO_HELPER_NAME = "Claire Martin"
DEMO_HELPER_ORGANISATION = "Pharmacie du Marché"


def add_demo_helper(storage: Any) -> Any:
    """Add the demo helper to a demo store if it is not there yet; return the account."""
    helpers = storage.helpers
    account = helpers.get(DEMO_HELPER_IDENTIFIER)
    if account is None:
        account = helpers.add(DEMO_HELPER_IDENTIFIER, DEMO_HELPER_NAME, DEMO_HELPER_ORGANISATION, DEMO_HELPER_PIN)
    return account


def ensure_demo_helper(app: Any) -> Any:
    """In demo and training mode only: the demo helper exists in the throw-away store."""
    if not app.settings.is_demo or app.services.store is None:
        return None
    return add_demo_helper(app.services.store)


# --- the session on screen ---------------------------------------------------------------------


class AssistedBand(Band):
    """The band of the frame: like the top and bottom bars, its words keep one size at every text
    size (the content gets the room), and its button never takes more than half of it."""

    BUTTON_SHARE = 0.45

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.message.style = "bar"
        self.message.refresh()
        self.refresh()

    def _button_width(self, width: float) -> float:
        return min(self.button.natural_width(), width * self.BUTTON_SHARE)

    def refresh(self) -> None:
        super().refresh()
        if getattr(self, "button", None) is not None:
            self.icon.width = look().font_px("bar") * 1.1
            self.button.width = self._button_width(self.width)

    def wanted_height(self, width: float) -> float:
        if self.button is not None:
            self.button.width = self._button_width(width)
        return super().wanted_height(width)

    def do_layout(self, *args: Any) -> None:
        if self.button is not None:
            self.button.width = self._button_width(self.width)
        super().do_layout(*args)


class AssistedUi:
    """One per app: the band, kept in step with the AssistedSession and the kiosk session."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.assisted: AssistedSession | None = None  # kept after a withdrawal, for the end list
        self.band: Band | None = None
        self._unlisten = None
        app.session.add_cleanup(self.sync)  # a wipe (withdrawal, refusal, end) removes the band
        app.session.on_reset.append(lambda _s: self.forget())

    def attach(self, assisted: AssistedSession) -> None:
        self.forget()
        self.assisted = assisted
        self._unlisten = assisted.add_listener(lambda _a: self.sync())
        self.sync()

    def forget(self) -> None:
        """The next person: nothing of this assisted session stays."""
        if self._unlisten is not None:
            self._unlisten()
        self._unlisten = None
        self.assisted = None
        self.sync()

    def showing(self) -> bool:
        a = self.assisted
        return a is not None and a.active and self.app.session.data.get(ASSISTED) is a

    def sync(self) -> None:
        if self.showing():
            if self.band is None:
                a = self.assisted
                stop = Button(STOP_KEY, "stop", kind="secondary", on="info_bg", name="assisted.stop",
                              style="bar", min_mm=th.MIN_TARGET_MM + 1, on_activate=self.stop)
                self.band = AssistedBand(BAND_KEY, values=a.band_values(), icon="info", button=stop,
                                         name="assisted.band")
                self.app.shell.add_band(self.band)
        elif self.band is not None:
            self.app.shell.remove_band(self.band)
            self.band = None

    def stop(self) -> None:
        """"Arrêter l'accompagnement", from any screen: asked once, then the patient goes on alone."""
        a = self.assisted
        if a is None or not a.active:
            return
        from kiosk.ui.overlays import ConfirmDialog

        self.app.close_all_overlays()
        self.app.open_overlay(ConfirmDialog(
            self.app, title_key="assisted_ui.stop.title",
            line_keys=("assisted_ui.stop.line1", "assisted_ui.stop.line2"),
            yes_key="assisted_ui.stop.yes", no_key="assisted_ui.stop.no", yes_icon="stop",
            values=a.band_values(), on_yes=self.stop_now))

    def stop_now(self) -> None:
        """The helper's part ends; the patient stays signed in, and Home gives back every tile."""
        a = self.assisted
        if a is None or not a.active:
            return
        self.app.close_all_overlays()
        a.withdraw()
        self.sync()
        self.app.nav.home()  # before the patient's sign-in: the start of the sign-in

    def ended(self) -> AssistedSession | None:
        """The assisted session to report on the end screen (only when the patient said yes)."""
        a = self.assisted
        return a if a is not None and a.consent_was_given else None


_UIS: dict[int, AssistedUi] = {}


def ui_for(app: Any) -> AssistedUi:
    found = _UIS.get(id(app))
    if found is None or found.app is not app:
        found = _UIS[id(app)] = AssistedUi(app)
    return found


def start_assisted(app: Any, account: Any) -> AssistedSession:
    """The helper is signed in: the AssistedSession, the session, the band, then the patient's sign-in."""
    store = app.services.store
    assisted = AssistedSession(HelperIdentity.of(account), session=app.session,
                               journal=getattr(store, "journal", None), clock=app.clock)
    app.session.data[ASSISTED] = assisted
    app.session.start()
    ui_for(app).attach(assisted)
    return assisted


# --- Home tiles outside the consent --------------------------------------------------------------

#: Scopes of the tiles registered without one (Feature.scope), by feature name.
FEATURE_SCOPES: dict[str, str] = {
    "sign_in": SCOPE_SIGN_IN,
    "documents": SCOPE_DOCUMENTS,
    "messages": SCOPE_MESSAGES,
    "agenda": SCOPE_AGENDA,
    "access": SCOPE_ACCESS,
    "access_code": SCOPE_ACCESS,
    "closure": SCOPE_CLOSURE,
}


def feature_allowed(services: Any, feature: Feature) -> bool:
    """In an assisted session, a tile is offered only for a scope the patient allowed."""
    assisted = services.session.data.get(ASSISTED)
    if assisted is None or not assisted.active:
        return True
    scope = feature.scope or FEATURE_SCOPES.get(feature.name)
    return scope is None or assisted.allows(scope)


FEATURE_CHECKS.append(feature_allowed)


class NeutralScreen(Screen):
    """Nothing of the patient: what happened, and the way on, alone."""

    keys: tuple[str, str, str] = ("", "", "")
    can_go_back = False

    def title(self) -> str:
        return look().tr(self.keys[0])

    def build(self) -> None:
        self.add(Text(key=self.keys[1], style="strong"), Text(key=self.keys[2]))
        self.add_action(Button("assisted_ui.continue", "forward", kind="primary", name="assisted.continue",
                               on_activate=self.app.nav.home))


@screen("assisted.refused", order=89)
class RefusedScreen(NeutralScreen):
    keys = REFUSED_KEYS


from kiosk.ui.screens import assisted_consent, assisted_end, assisted_sign_in  # noqa: E402,F401  (registration)
