"""Pictures of an assisted session: the helper's sign-in, the patient's consent, the band, the end.

These pictures have the helper's band of their own (under --band none too); the helper's own
sign-in comes before any band of a visit.
"""

from __future__ import annotations

from typing import Any

from kiosk.core.flows.base import SCOPE_ACCESS, SCOPE_AGENDA, SCOPE_DOCUMENTS
from kiosk.ui.screen import register_shot
from kiosk.ui.shot_states.drive import (
    NOT_WITH_HELPER,
    OWN_HELPER,
    PAULETTE,
    begin,
    on_screen,
    patient_signs_in,
    press,
    signed_in,
    type_digits,
)


def _helper_pad(app: Any) -> None:
    from kiosk.ui.screens.assisted import DEMO_HELPER_IDENTIFIER

    press(app, "welcome.helper")
    type_digits(app, DEMO_HELPER_IDENTIFIER)


def helper_identifier(app: Any) -> None:
    _helper_pad(app)
    on_screen(app, "assisted.helper_sign_in")


def helper_pin(app: Any) -> None:
    _helper_pad(app)
    press(app, "assisted.next")
    type_digits(app, "135")
    on_screen(app, "assisted.helper_pin")


def helper_pin_wrong(app: Any) -> None:
    from kiosk.ui.screens.assisted import DEMO_HELPER_IDENTIFIER

    _helper_pad(app)
    app.services.store.helpers.unlock(DEMO_HELPER_IDENTIFIER)  # one wrong PIN, not the fifth of a series
    press(app, "assisted.next")
    type_digits(app, "999999")
    press(app, "assisted.ok")
    on_screen(app, "assisted.helper_pin")


#: A helper with a second factor, added to the pictures' throw-away store (the demo helper has none).
CODE_HELPER, CODE_HELPER_PIN = "1002", "246802"


def _helper_with_code(app: Any) -> None:
    from kiosk.services.storage.helper_accounts import new_totp_secret
    from kiosk.ui.screens.assisted import DEMO_HELPER_NAME, DEMO_HELPER_ORGANISATION

    helpers = app.services.store.helpers
    if helpers.get(CODE_HELPER) is None:
        helpers.add(CODE_HELPER, DEMO_HELPER_NAME, DEMO_HELPER_ORGANISATION, CODE_HELPER_PIN,
                    totp_secret=new_totp_secret())


def helper_code(app: Any) -> None:
    """The third step, for a helper with a second factor: the PIN is right, the store asks for the
    code of the helper's app, three digits typed."""
    _helper_with_code(app)
    press(app, "welcome.helper")
    type_digits(app, CODE_HELPER)
    press(app, "assisted.next")
    type_digits(app, CODE_HELPER_PIN)
    press(app, "assisted.ok")
    type_digits(app, "135")
    on_screen(app, "assisted.helper_code")


def consent(app: Any) -> None:
    """The helper signed in, then the patient: the consent comes before anything of the patient."""
    begin(app, helper=True)
    patient_signs_in(app, PAULETTE)
    on_screen(app, "assisted.consent")


def consent_choose(app: Any) -> None:
    consent(app)
    press(app, "assisted.consent.next")
    on_screen(app, "assisted.consent.choose")


def consent_chosen(app: Any) -> None:
    consent_choose(app)
    press(app, f"assisted.scope.{SCOPE_DOCUMENTS}", f"assisted.scope.{SCOPE_AGENDA}")


def consent_none_chosen(app: Any) -> None:
    consent_choose(app)
    press(app, "assisted.yes")
    on_screen(app, "assisted.consent.choose")


def band(app: Any) -> None:
    """Home in an assisted session where the patient allowed documents and access only."""
    consent_choose(app)
    press(app, f"assisted.scope.{SCOPE_DOCUMENTS}", f"assisted.scope.{SCOPE_ACCESS}", "assisted.yes")
    on_screen(app, "home")


def stop(app: Any) -> None:
    signed_in(app, helper=True)
    press(app, "assisted.stop")


def refused(app: Any) -> None:
    consent(app)
    press(app, "assisted.no")
    on_screen(app, "assisted.refused")


def end(app: Any) -> None:
    """The end screen after the helper looked at who opened the record with the patient."""
    signed_in(app, helper=True)
    press(app, "home.feature.access", "access.history", "bar.finish", "confirm.yes")
    on_screen(app, "end")


register_shot("assisted.helper_sign_in", helper_identifier, order=12, bands=NOT_WITH_HELPER)
register_shot("assisted.helper_pin", helper_pin, order=13, bands=NOT_WITH_HELPER)
register_shot("assisted.helper_pin.wrong", helper_pin_wrong, order=13, bands=NOT_WITH_HELPER)
register_shot("assisted.helper_code", helper_code, order=14, bands=NOT_WITH_HELPER)
register_shot("assisted.consent", consent, order=19, bands=OWN_HELPER)
register_shot("assisted.consent.choose", consent_choose, order=19, bands=OWN_HELPER)
register_shot("assisted.consent.chosen", consent_chosen, order=19, bands=OWN_HELPER)
register_shot("assisted.consent.none_chosen", consent_none_chosen, order=19, bands=OWN_HELPER)
register_shot("assisted.band", band, order=21, bands=OWN_HELPER)
register_shot("assisted.stop", stop, order=88, bands=OWN_HELPER)
register_shot("assisted.refused", refused, order=89, bands=OWN_HELPER)
register_shot("assisted.end", end, order=91, bands=OWN_HELPER)
