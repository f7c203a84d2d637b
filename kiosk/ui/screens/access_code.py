"""Temporary code for a professional: choose a duration, the code large and as a QR code, stop it.

One screen per step of kiosk.core.flows.access_code.AccessCodeFlow. The flow lives in the
session's data (wiped with it). When the bottom bar's Retour brings back an earlier screen,
that screen moves the flow back to its own step first.

A code is a secret: it is registered with the speech policy and never in describe().
"""

from __future__ import annotations

from typing import Any

from kiosk.core.flows.access_code import AccessCodeFlow, AccessCodeStep
from kiosk.core.flows.base import PATIENT_SESSION
from kiosk.core.i18n import format_date
from kiosk.core.speech import ScreenDescription
from kiosk.ui.blocks import ChoiceBlock, QrBlock
from kiosk.ui.flow_context import act, back_to, session_flow
from kiosk.ui.journey import JourneyScreen
from kiosk.ui.look import look
from kiosk.ui.overlays import ConfirmDialog
from kiosk.ui.qr import QrCode
from kiosk.ui.screen import Feature, Screen, describe_widgets, register_feature, screen, step_screen
from kiosk.ui.widgets import Banner, Button, Text

FLOW_KEY = "ui.flow.access_code"


def signed_in(services: Any) -> bool:
    return PATIENT_SESSION in services.session.data


def flow_for(app: Any, *, fresh: bool = False) -> AccessCodeFlow:
    return session_flow(app, FLOW_KEY, AccessCodeFlow, fresh=fresh)


def keep_secret(app: Any, secret: str | None) -> None:
    speaker = app.services.speaker
    if speaker is not None and secret:
        speaker.policy.register_secret(secret)


def error_banner(self: Screen, flow: Any) -> None:
    if flow.error_key:
        self.add(Banner(flow.error_key, kind="error"))


class AccessCodeJourney(JourneyScreen):
    title_key = "flows.access_code.title"
    flow_key = FLOW_KEY
    journey_flow = staticmethod(flow_for)

    def follow_made(self, done: Any) -> None:
        """A code was made or opened: kept from the voice before it is shown."""
        if done:
            keep_secret(self.app, self.flow.code)


@screen("access_code", order=60)
@step_screen(AccessCodeFlow, AccessCodeStep.DURATION)
class AccessCodeDurationScreen(AccessCodeJourney):
    columns = 3

    @classmethod
    def prepare(cls, app: Any, params: dict[str, Any]):
        existing = app.session.data.get(FLOW_KEY)
        if existing is None or existing.finished or existing.step is AccessCodeStep.REVOKED:
            return lambda: flow_for(app, fresh=True)
        return None

    def move_to_step(self) -> None:
        back_to(self.flow, AccessCodeStep.DURATION, most=5)

    def fill(self) -> None:
        for key in self.flow.explain_keys:
            self.add(Text(key=key))
        # the question and all its answers on one page (one block)
        self.add(ChoiceBlock(Text(key=self.flow.choose_key, style="heading"), [
            Button(key, "clock", kind="secondary", main=True, name=f"access_code.duration.{index}",
                   on_activate=lambda i=index: self.choose(i))
            for index, (_duration, key) in enumerate(self.flow.durations)], columns=(3, 1)))
        if self.flow.active_codes:
            self.add(Text(key=self.flow.active_key, style="heading"))
            for code in self.flow.active_codes:
                when = format_date(code.expires, look().lang)
                self.add(Button("screens.access_code.active_item", "forward", values={"date": when},
                                name=f"access_code.active.{code.code}",
                                on_activate=lambda c=code.code: self.open(c)))

    def choose(self, index: int) -> None:
        self.run(self.flow.choose_duration, index, when_done=self.follow_made)

    def open(self, code: str) -> None:
        self.run(self.flow.open_code, code, when_done=self.follow_made)


@screen("access_code.code", order=61)
@step_screen(AccessCodeFlow, AccessCodeStep.CODE)
class AccessCodeScreen(AccessCodeJourney):
    def move_to_step(self) -> None:
        if self.flow.step is AccessCodeStep.CONFIRM_REVOKE:  # redrawn under its dialog: Non was said
            self.flow.back()

    def fill(self) -> None:
        if self.flow.current is None:  # nothing to show (a refusal, a stale screen): Retour is there
            self.code_text, self.qr, self.left = Text(raw=""), None, None
            return
        keep_secret(self.app, self.flow.code)
        self.code_text = Text(raw="  ".join(self.flow.code_groups), style="huge")
        self.qr = QrCode(self.flow.qr_payload or "")
        self.left = Text(source=self._left_text, style="strong")
        # the instruction, the code and its QR code share a page at every size (one block)
        self.add(QrBlock([Text(key="flows.access_code.code.give", style="strong"), self.code_text], self.qr))
        self.add(Text(key="screens.access_code.qr_how"), self.left, Text(key="flows.access_code.code.until",
                                 values={"date": format_date(self.flow.expires, look().lang)}))
        self.add(Text(key="flows.access_code.explain.sees"))
        self.add_action(Button(self.flow.revoke_button_key, "close", kind="primary", name="access_code.revoke",
                               on_activate=self.ask_revoke))

    def _left_text(self) -> str:
        now = self.app.clock.now()
        expired = self.flow.expired_key(now)
        if expired:
            return look().tr(expired)
        return time_left_text(self.flow.seconds_left(now))

    def on_tick(self) -> None:
        if self.left is not None:
            self.left.refresh()

    def ask_revoke(self) -> None:
        if not self.flow.ask_revoke():
            return
        self.app.open_overlay(ConfirmDialog(
            self.app, title_key=self.flow.revoke_keys[0], line_keys=self.flow.revoke_keys[1:],
            yes_key="screens.access_code.revoke.yes", no_key="screens.access_code.revoke.no",
            on_yes=self.revoke, on_no=self.flow.back))

    def revoke(self) -> None:
        self.run(self.flow.confirm)

    def describe(self) -> ScreenDescription:
        lines, buttons = describe_widgets(self)
        secrets = {s for s in (self.flow.code, self.flow.grouped_code, self.code_text.text) if s}
        lines = [line for line in lines if not any(s in line for s in secrets)
                 and not any(g in line for g in self.flow.code_groups)]
        return ScreenDescription(title=self.title(), step=self.step_text() or None, lines=tuple(lines),
                                 buttons=tuple(buttons), private=True)


def time_left_text(seconds: int) -> str:
    """"Temps restant : 23 heures et 59 minutes." in the words of the catalogue (two units at most)."""
    cat = look().catalog
    days, rest = divmod(max(0, seconds), 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        units = [("days", days), ("hours", hours)]
    elif hours:
        units = [("hours", hours), ("minutes", minutes)]
    else:
        units = [("minutes", minutes), ("seconds", secs)]
    parts = [cat.tr_n(f"screens.access_code.{unit}", n) for unit, n in units if n] or \
        [cat.tr_n("screens.access_code.seconds", 0)]
    time = parts[0] if len(parts) == 1 else cat.tr("screens.access_code.and", a=parts[0], b=parts[1])
    return cat.tr("screens.access_code.left", time=time)


@screen("access_code.revoked", order=62)
@step_screen(AccessCodeFlow, AccessCodeStep.REVOKED)
class AccessCodeRevokedScreen(Screen):
    title_key = "flows.access_code.title"
    can_go_back = False

    def build(self) -> None:
        self.step = (3, 3)
        self.add(Text(key="flows.access_code.revoked", style="heading"))
        self.add(Text(key="screens.access_code.revoked.next"))
        self.add_action(Button("screens.access_code.another", "forward", kind="primary", name="access_code.another",
                               on_activate=self.another))

    def another(self) -> None:
        """A new journey from its start: a fresh flow (loaded off the UI thread), then its first step."""
        act(self.app, lambda: flow_for(self.app, fresh=True), then=self.app.nav.follow)


register_feature(Feature("access_code", "forward", "screens.access_code.tile", "access_code", order=60,
                         available=signed_in))
