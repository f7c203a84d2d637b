""""Qui voit mes données": professionals with access, block / unblock, emergency access, history.

One screen per step of kiosk.core.flows.access.AccessFlow (the confirmations are dialogs over
the screen). The flow lives in the session's data (wiped with it); a screen brought back by
Retour moves the flow back to its own step.

After a block or an unblock the list opens again at the page of that professional, with the
notice ("Docteure … est bloquée.") kept together with their line, which says "Bloqué" in words
and with an icon.
"""

from __future__ import annotations

from typing import Any

from kiosk.core.flows.access import AccessFlow, AccessStep
from kiosk.core.i18n import format_date
from kiosk.core.labels import profession_of
from kiosk.ui.flow_context import session_flow
from kiosk.ui.journey import JourneyScreen
from kiosk.ui.look import look
from kiosk.ui.overlays import ConfirmDialog
from kiosk.ui.screen import Feature, register_feature, screen, step_screen
from kiosk.ui.screens.access_code import signed_in
from kiosk.ui.widgets import Banner, Button, Icon, PagedList, Row, Stack, Text

FLOW_KEY = "ui.flow.access"
#: Events fetched at a time; the screen's own pager shows them a few at a time.
HISTORY_PAGE_SIZE = 20
CONFIRM_STEPS = (AccessStep.CONFIRM_BLOCK, AccessStep.CONFIRM_UNBLOCK, AccessStep.CONFIRM_EMERGENCY)


def flow_for(app: Any, *, fresh: bool = False) -> AccessFlow:
    return session_flow(app, FLOW_KEY, lambda ctx: AccessFlow(ctx, page_size=HISTORY_PAGE_SIZE), fresh=fresh)


class NamedConfirmDialog(ConfirmDialog):
    """The confirmation whose question names someone: "Voulez-vous bloquer {name}, {profession} ?"."""

    def __init__(self, app: Any, **kwargs: Any) -> None:
        super().__init__(app, **kwargs)
        self.title.set_text(self.title_key, **self._values)


class KeepPage(PagedList):
    """A paged list that opens at the page holding `keep` (the line just changed), at any text size."""

    keep: Any = None

    def paginate(self) -> None:
        super().paginate()
        if self.keep is None:
            return
        page = next((n for n, items in enumerate(self.pages) if self.keep in items), None)
        if page is not None and page != self.page:
            self.page = page
            self._show()


class AccessScreen(JourneyScreen):
    title_key = "flows.access.title"
    flow_key = FLOW_KEY
    journey_flow = staticmethod(flow_for)

    def add_banners(self) -> None:
        if self.flow.error_key:
            self.add(Banner(self.flow.error_key, kind="error"))
        elif self.flow.notice_key and not self.flow.notice_for:  # else it sits with its professional
            self.add(Banner(self.flow.notice_key, kind="info"))

    def confirm_dialog(self) -> None:
        """The flow is at a confirmation step: ask; after Oui the flow says which screen comes."""
        if self.flow.step not in CONFIRM_STEPS:
            return
        self.app.open_overlay(NamedConfirmDialog(
            self.app, title_key=self.flow.confirm_keys[0], line_keys=self.flow.confirm_keys[1:],
            values=self.flow.confirm_values, on_yes=lambda: self.run(self.flow.confirm), on_no=self.flow.back))


@screen("access", order=55)
@step_screen(AccessFlow, AccessStep.OVERVIEW)
class AccessOverviewScreen(AccessScreen):
    def build(self) -> None:
        # the list opens at the page of the professional just blocked or unblocked
        self.remove_widget(self.content)
        self.content = KeepPage(cols=2 if look().text_size <= 2 else 1, spacing_mm=3)
        self.content.foot = self.actions
        self.add_widget(self.content, index=len(self.children))
        super().build()

    def fill(self) -> None:
        # the two other things of this screen first, side by side: never on the last page of a long list
        self.add(Button("flows.access.emergency.title", "warning", name="access.emergency",
                        on_activate=self.open_emergency),
                 Button("flows.access.history.title", "clock", name="access.history",
                        on_activate=self.open_history))
        if self.flow.empty_key:
            self.add(Text(key=self.flow.empty_key))
        for right in self.flow.rights:
            pro = right.professional
            # one line a professional (name and profession), so a page holds four or more
            words = Stack(spacing_mm=1)
            words.add_widget(Text(key="screens.access.pro_line", values={
                "name": pro.name, "profession": profession_of(look().catalog, pro)}))
            if right.blocked:
                # "Bloqué" in words and with an icon, never colour alone
                marked = Row(spacing_mm=2)
                marked.add_widget(Icon("close", size_hint_x=None, width=look().font_px("body") * 1.2))
                marked.add_widget(Text(key=self.flow.status_key(right), style="strong"))
                words.add_widget(marked)
            if right.blocked:
                button = Button("screens.access.unblock", "check", name=f"access.unblock.{pro.id}", row=True,
                                on_activate=lambda i=pro.id: self.ask(self.flow.ask_unblock, i))
            else:
                button = Button("screens.access.block", "close", name=f"access.block.{pro.id}", row=True,
                                on_activate=lambda i=pro.id: self.ask(self.flow.ask_block, i))
            row = Row(spacing_mm=6)
            row.add_widget(words)
            button.size_hint_x = 0.3 if look().text_size <= 2 else 0.45
            row.add_widget(button)
            if self.flow.notice_for == pro.id:
                # the notice sits with the line it is about: one block, never split across pages
                item = Stack(spacing_mm=3)
                item.add_widget(Banner(self.flow.notice_key, values=self.flow.notice_values, kind="info"))
                item.add_widget(row)
                self.content.keep = item
                self.add(item)
            else:
                self.add(row)

    def ask(self, action: Any, professional_id: str) -> None:
        if action(professional_id):
            self.confirm_dialog()

    def open_emergency(self) -> None:
        if self.flow.open_emergency():
            self.follow()

    def open_history(self) -> None:
        self.run(self.flow.open_history)


@screen("access.emergency", order=56)
@step_screen(AccessFlow, AccessStep.EMERGENCY)
class EmergencyScreen(AccessScreen):
    title_key = "flows.access.emergency.title"

    def fill(self) -> None:
        for key in self.flow.emergency_keys:
            self.add(Text(key=key))
        if self.flow.emergency_status_key:
            self.add(Text(key=self.flow.emergency_status_key, style="heading"))
        key = "screens.access.emergency.turn_off" if self.flow.emergency_enabled else "screens.access.emergency.turn_on"
        self.add_action(Button(key, "forward", kind="primary", name="access.emergency.change",
                               on_activate=self.ask_change))

    def ask_change(self) -> None:
        if self.flow.ask_change():
            self.confirm_dialog()


@screen("access.history", order=57)
@step_screen(AccessFlow, AccessStep.HISTORY)
class HistoryScreen(AccessScreen):
    title_key = "flows.access.history.title"

    def fill(self) -> None:
        if self.flow.history_empty_key:
            self.add(Text(key=self.flow.history_empty_key))
        lang = look().lang
        for event in self.flow.events:
            self.add(Text(key="screens.access.event", style="body",
                          values={"date": format_date(event.when, lang), "who": event.who,
                                  "profession": profession_of(look().catalog, event), "what": look().tr(event.action.label_key)}))
        # older visits are fetched 20 at a time: words that differ from the pager's Précédent / Suivant
        if self.flow.has_previous_history_page:
            self.add_action(Button("screens.access.history.newer", "prev", name="access.history.previous",
                                   on_activate=lambda: self.turn(self.flow.previous_history_page)))
        if self.flow.has_next_history_page:
            self.add_action(Button("screens.access.history.older", "next", name="access.history.next",
                                   on_activate=lambda: self.turn(self.flow.next_history_page)))

    def turn(self, action: Any) -> None:
        self.run(action)  # the same step: this screen again, at the new page


register_feature(Feature("access", "info", "screens.access.tile", "access", order=55, available=signed_in))
