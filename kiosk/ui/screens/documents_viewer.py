"""The document viewer: one page at a time, zoom, hide from professionals / show again.

The viewer follows a DocumentsFlow at its VIEWER step: the "Mes documents" journey's flow
(kept in the session's data), or one given by another journey (a message attachment, see
`open_in_viewer`). A page that does not fit at the chosen size is shown in parts: Suivant
goes to the next part, then to the next page, so one pair of buttons reads the whole document.

The page itself is drawn by documents_page.PageArea (PDF pages come from
kiosk.services.documents.pdf_pages as pixels). The content is private: describe() marks it so, and the voice
reads it only with a headset or after the person said yes.
"""

from __future__ import annotations

from typing import Any

from kiosk.core.flows.documents import DocumentsFlow, DocumentsStep
from kiosk.core.i18n import format_date
from kiosk.core.speech import ScreenDescription
from kiosk.services.documents.pdf_pages import count_pages
from kiosk.ui.flow_context import back_to, load_first, session_flow
from kiosk.ui.journey import JourneyScreen
from kiosk.ui.look import look
from kiosk.ui.overlays import ConfirmDialog
from kiosk.ui.screen import describe_widgets, screen, step_screen
from kiosk.ui.screens.documents_page import FitStack, PageArea
from kiosk.ui.widgets import Banner, Button, Icon, Row, Spacer, Text

FLOW_KEY = "ui.flow.documents"
CONFIRM_STEPS = (DocumentsStep.CONFIRM_HIDE, DocumentsStep.CONFIRM_SHOW)
#: Documents fetched at a time; the screen's own pager shows them a few at a time, as fits the text size.
LIST_PAGE_SIZE = 20
#: Share of the width beside the page (title, page number, hide / show), by text size.
SIDE_SHARE = {1: 0.4, 2: 0.5, 3: 0.6, 4: 0.6}


def flow_for(app: Any, *, fresh: bool = False) -> DocumentsFlow:
    """The "Mes documents" journey's flow, kept in the session's data (wiped with it)."""
    return session_flow(app, FLOW_KEY, lambda ctx: DocumentsFlow(ctx, page_size=LIST_PAGE_SIZE,
                                                                   page_counter=count_pages), fresh=fresh)


def document_date(document: Any) -> str:
    """The date in words, with the year (a document can be years old): "vendredi 20 novembre 2026"."""
    return format_date(document.date.date(), look().lang)


def open_in_viewer(app: Any, flow: DocumentsFlow, return_screen: str) -> None:
    """Show the viewer for `flow` (already at its VIEWER step); Retour then shows `return_screen`.

    For another journey's document, e.g. a message attachment (MessagesFlow.viewer).
    """
    app.nav.follow(flow, remember=True, flow=flow)
    app.nav.remember(return_screen)


@screen("documents.viewer", order=43)
@step_screen(DocumentsFlow, DocumentsStep.VIEWER)
class ViewerScreen(JourneyScreen):
    title_key = "flows.documents.title"
    flow_key = FLOW_KEY
    journey_flow = staticmethod(flow_for)

    @classmethod
    def prepare(cls, app: Any, params: dict[str, Any]):
        return None if params.get("flow") is not None else load_first(app, FLOW_KEY, flow_for)

    def build(self) -> None:
        given = self.params.get("flow")
        self.flow: DocumentsFlow = given if given is not None else flow_for(self.app)
        asking = self.flow.step in CONFIRM_STEPS  # redrawn under its open dialog (a new text size)
        if given is None and not asking:
            back_to(self.flow, DocumentsStep.VIEWER)
        self.step = (self.flow.step_number, self.flow.step_count)
        if self.flow.error_key:
            self.add(Banner(self.flow.error_key, kind="error"))
        elif self.flow.notice_key:
            self.add(Banner(self.flow.notice_key, kind="info"))
        document = self.flow.document
        if document is None or not (asking or self.flow.step is DocumentsStep.VIEWER):
            return  # nothing to show (a refusal, a stale screen): Retour is there
        self.area = PageArea(self, size_hint_x=1 - SIDE_SHARE.get(look().text_size, 0.6))
        self.area.open_content()
        self.bind(parent=lambda _w, parent: parent is None and self.area.close())  # left: the PDF is closed
        self.side = self._side(document)
        body = Row(spacing_mm=5)
        body.fill = True
        body.add_widget(self.area)
        body.add_widget(self.side)
        self.remove_widget(self.content)
        self.content = body
        body.set_items = lambda items: self._put_items(body, items)  # banners go above the page
        self.add_widget(self.content)
        self._controls()

    def _put_items(self, body: Row, items: list[Any]) -> None:
        if not items:
            return
        index = self.children.index(body)
        for item in items:
            self.add_widget(item, index=index + 1)

    def _side(self, document: Any) -> "FitStack":
        """Beside the page: what the document is, where we are, hide / show, the results in words."""
        big = look().text_size >= 3
        side = FitStack(spacing_mm=2 if big else 3, size_hint_x=SIDE_SHARE.get(look().text_size, 0.6))
        if not big:  # the title is left out when the column is full (it is in the list already)
            title = Text(raw=document.title, style="strong")
            side.add_widget(title)
            side.optional.append(title)
        if document.hidden_from_professionals:
            row = Row(spacing_mm=3)
            row.add_widget(Icon("hidden", size_hint_x=None, width=look().font_px("body") * 1.2))
            row.add_widget(Text(key=self.flow.visibility_key, style="strong"))
            side.add_widget(row)
        self.where = Text(raw="", style="panel" if big else "strong")
        side.add_widget(self.where)
        if self.flow.visibility_button_key:
            hidden = document.hidden_from_professionals
            side.add_widget(Button(self.flow.visibility_button_key, "check" if hidden else "hidden",
                                   name="documents.show" if hidden else "documents.hide", style="panel",
                                   on_activate=self.ask))
        if self.flow.lab_lines:
            side.add_widget(Button("screens.documents.viewer.lab", "info", name="documents.lab", style="panel",
                                   on_activate=lambda: self.app.nav.show("documents.lab", **self.params)))
        side.add_widget(Spacer())  # the words stay at the top, beside the top of the page
        return side

    def _controls(self) -> None:
        """Précédent, Réduire, Agrandir, Suivant at the bottom, always in this order."""
        style = "panel"
        self.previous = Button("screens.documents.viewer.previous", "prev", name="viewer.previous", style=style,
                               on_activate=self.go_previous)
        self.next = Button("screens.documents.viewer.next", "next", name="viewer.next", style=style,
                           on_activate=self.go_next)
        self.zoom_out = Button("screens.documents.viewer.zoom_out", "zoom_out", name="viewer.zoom_out", style=style,
                               on_activate=lambda: self.zoom(self.flow.zoom_out))
        self.zoom_in = Button("screens.documents.viewer.zoom_in", "zoom_in", name="viewer.zoom_in", style=style,
                              on_activate=lambda: self.zoom(self.flow.zoom_in))
        big = look().text_size >= 3
        for b in (self.previous, self.zoom_out, self.zoom_in, self.next):
            if big:  # the icon above the word: the four stay on one row
                b.vertical = True
                b.label.halign = "center"
                b.refresh()
            self.add_action(b)

    # -- after the page is laid out: where we are, which buttons work -------------------------
    def on_page_laid_out(self) -> None:
        flow, area = self.flow, self.area
        lines = []
        if flow.page_count > 1 or area.parts == 1:
            lines.append(look().tr(flow.page_key, n=flow.page_number, total=flow.page_count))
        if area.parts > 1:
            lines.append(look().tr("screens.documents.viewer.part", n=area.part + 1, total=area.parts))
        where = "\n".join(lines)
        self.where.set_text(raw=where)
        self.previous.hidden = area.part == 0 and not flow.has_previous_page
        self.next.hidden = area.part >= area.parts - 1 and not flow.has_next_page
        self.zoom_out.hidden = not flow.can_zoom_out
        self.zoom_in.hidden = not flow.can_zoom_in
        self.side._trigger_layout()

    def go_next(self) -> None:
        if self.area.part < self.area.parts - 1:
            self.area.part += 1
        elif self.flow.next_page():
            self.area.part = 0
        else:
            return
        self.area.layout_page()

    def go_previous(self) -> None:
        if self.area.part > 0:
            self.area.part -= 1
        elif self.flow.previous_page():
            self.area.want_last_part = True
        else:
            return
        self.area.layout_page()

    def zoom(self, action: Any) -> None:
        if action():
            self.area.part = 0
            self.area.layout_page()

    # -- hide / show again ----------------------------------------------------------------------
    def ask(self) -> None:
        asked = self.flow.ask_show() if self.flow.document.hidden_from_professionals else self.flow.ask_hide()
        if not asked:
            self.redisplay()
            return
        keys = self.flow.confirm_keys
        self.app.open_overlay(ConfirmDialog(self.app, title_key=keys[0], line_keys=keys[1:],
                                            on_yes=self.confirm, on_no=self.cancel_ask))

    def confirm(self) -> None:
        self.run(self.flow.confirm)  # the flow stays at the viewer: the page again, with what was done

    def cancel_ask(self) -> None:
        if self.flow.step in CONFIRM_STEPS:
            self.flow.back()  # Non: back to the page, nothing changed

    def redisplay(self) -> None:
        self.app.nav.redraw()

    def on_prefs(self) -> None:
        self.redisplay()  # the page is cut again for the new size and words

    # -- voice ----------------------------------------------------------------------------------
    def describe(self) -> ScreenDescription:
        lines, buttons = describe_widgets(self)
        area = getattr(self, "area", None)
        if area is not None and area.text is not None and area.text.text in lines:
            lines.remove(area.text.text)  # what the document is and where we are first, then its words
            lines.append(area.text.text)
        if area is not None and not self.flow.is_text:
            words = area.page_text()
            if words:
                lines += [line for line in words.splitlines() if line.strip()]
            elif not area.unreadable:
                lines.append(look().tr("screens.documents.viewer.image"))
        return ScreenDescription(title=self.title(), step=self.step_text() or None, lines=tuple(lines),
                                 buttons=tuple(buttons), private=True)

    @classmethod
    def demo_state(cls, app: Any) -> dict[str, Any]:
        return demo_viewer(app, "paulette-ord-2026-11")


def demo_viewer(app: Any, document_id: str) -> dict[str, Any]:
    from kiosk.ui.screens.access_code import sign_in_demo

    sign_in_demo(app)
    flow = flow_for(app, fresh=True)
    flow.choose_category(None)
    flow.open_document(document_id)
    return {}


__all__ = ["FLOW_KEY", "ViewerScreen", "back_to", "demo_viewer", "document_date", "flow_for", "open_in_viewer"]
