"""The document viewer: the words read full width at the person's size, the printed page on request.

The viewer follows a DocumentsFlow at its VIEWER step: the "Mes documents" journey's flow
(kept in the session's data), or one given by another journey (a message attachment, see
`open_in_viewer`). A text document, and a PDF's text (kiosk.services.documents.pdf_text),
is read in a kiosk.ui.reading.ReadingView: reflowed, a page of whole lines at a time, "De
…, le …" on every page. "Voir la page d'origine" shows the PDF page that holds the first
word shown (documents_page.PageArea, with zoom), and "Revenir au texte" comes back to the
same words. A picture, or a scanned PDF without text, is shown as a page only.

The content is private: describe() marks it so, and the voice reads it only with a headset
or after the person said yes.
"""

from __future__ import annotations

from typing import Any

from kiosk.core.flows.documents import DocumentsFlow, DocumentsStep
from kiosk.core.i18n import format_date
from kiosk.core.speech import ScreenDescription
from kiosk.services.documents.pdf_pages import PDF, UnreadableDocument, count_pages
from kiosk.services.documents.pdf_text import paragraphs_of
from kiosk.ui.flow_context import back_to, load_first, session_flow
from kiosk.ui.journey import JourneyScreen
from kiosk.ui.look import look
from kiosk.ui.overlays import ConfirmDialog
from kiosk.ui.screen import describe_widgets, screen, step_screen
from kiosk.ui.reading import (ReadingView, Words, arrange_nav, nav_style, read_in, reading_lines, save_place, saved_place,
                               short_date, words_of)
from kiosk.ui.screens.documents_page import PageArea
from kiosk.ui.widgets import Button, Stack, Text

FLOW_KEY = "ui.flow.documents"
CONFIRM_STEPS = (DocumentsStep.CONFIRM_HIDE, DocumentsStep.CONFIRM_SHOW)
#: Documents fetched at a time; the screen's own pager shows them a few at a time, as fits the text size.
LIST_PAGE_SIZE = 20


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
    app.nav.follow(flow, remember=True, document_flow=flow)
    app.nav.remember(return_screen)


#: session.data: for each document, whether its original page is shown, and where on it.
VIEW_KEY = "ui.reading.view"


def reading_blocks(flow: DocumentsFlow) -> list[Words]:
    """The document's words as paragraphs: the lines of a text document, the paragraphs of a PDF."""
    if flow.is_text:  # a line is a line (a medicine, a result); a blank line starts a paragraph
        blocks, blank = [], True
        for page in flow.content.pages:
            for line in page.splitlines():
                if line.strip():
                    blocks.append(Words(line.strip(), gap_before=blank))
                blank = not line.strip()
            blank = True
        return blocks
    if flow.media_type == PDF and flow.data:
        try:
            found = paragraphs_of(flow.data)
        except UnreadableDocument:
            return []
        return [Words(p.text, style="strong" if p.heading else "body", keep_with_next=p.heading,
                      gap_before=p.gap_before, source=(p.page, p.left, p.top)) for p in found]
    return []


@screen("documents.viewer", order=43)
@step_screen(DocumentsFlow, DocumentsStep.VIEWER)
class ViewerScreen(JourneyScreen):
    """The document read full width at the person's text size; a PDF's page as it was printed on request."""

    title_key = "flows.documents.title"
    flow_key = FLOW_KEY
    journey_flow = staticmethod(flow_for)
    shows_notice = True

    @classmethod
    def prepare(cls, app: Any, params: dict[str, Any]):
        return None if params.get("document_flow") is not None else load_first(app, FLOW_KEY, flow_for)

    def get_flow(self) -> DocumentsFlow:
        given = self.params.get("document_flow")  # another journey's document (a message attachment)
        return given if given is not None else flow_for(self.app)

    def move_to_step(self) -> None:
        if self.params.get("document_flow") is None and self.flow.step not in CONFIRM_STEPS:
            back_to(self.flow, DocumentsStep.VIEWER)  # redrawn under its open dialog: the question stays

    def fill(self) -> None:
        asking = self.flow.step in CONFIRM_STEPS
        self.reading: ReadingView | None = None
        self.area: PageArea | None = None
        document = self.flow.document
        if document is None or not (asking or self.flow.step is DocumentsStep.VIEWER):
            return  # nothing to show (a refusal, a stale screen): Retour is there
        self.key = f"document:{document.id}"
        self.paragraphs = reading_blocks(self.flow)
        self.state = self.app.session.data.setdefault(VIEW_KEY, {}).setdefault(self.key, {})
        if self.paragraphs and not self.state.get("original"):
            body = self._reading_body(document)
        else:
            body = self._page_body(document)
        read_in(self, body)  # full width; banners go above the words

    def header_text(self, document: Any) -> str:
        return look().tr("screens.reading.from_document", who=document.author,
                         date=short_date(document.date, look().lang))

    def _document_tools(self, document: Any) -> list[Button]:
        tools = []
        if self.flow.visibility_button_key:
            hidden = document.hidden_from_professionals
            tools.append(Button(self.flow.visibility_button_key, "check" if hidden else "hidden",
                                name="documents.show" if hidden else "documents.hide", style=nav_style(),
                                on_activate=self.ask))
        if self.flow.lab_lines:
            tools.append(Button("screens.documents.viewer.lab", "info", name="documents.lab", style=nav_style(),
                                on_activate=self.show_lab))
        return tools

    def show_lab(self) -> None:
        """The results in words, for this flow; Retour comes back here, to the same place."""
        self.flow.show_lab()
        self.app.nav.follow(self.flow, remember=True, **self.params)

    # -- the words, reflowed ------------------------------------------------------------------
    def _reading_body(self, document: Any) -> ReadingView:
        blocks: list[Any] = []
        if document.hidden_from_professionals:  # first, with its icon: never colour alone
            blocks.append(Words(look().tr(self.flow.visibility_key), style="strong", counted=False, icon="hidden"))
        blocks += self.paragraphs
        if not blocks:
            blocks.append(Words("", counted=False))
        blocks[0].section = self.header_text(document)
        tools = []
        if self.flow.media_type == PDF:
            tools.append(Button("screens.reading.original", "document", name="reading.original", style=nav_style(),
                                on_activate=self.show_original))
        tools += self._document_tools(document)
        self.reading = ReadingView(blocks, tools=tools, word=saved_place(self.app, self.key),
                                   on_place=lambda word: save_place(self.app, self.key, word))
        return self.reading

    def show_original(self) -> None:
        """The PDF page that holds the first word shown, at the place of its paragraph."""
        word = self.reading.place if self.reading is not None else 0
        page, left, top = self._source_of(word)
        while self.flow.page_number < page and self.flow.next_page():
            pass
        while self.flow.page_number > page and self.flow.previous_page():
            pass
        self.state.update(original=True, anchor=(left, top), word=word, page=page)
        self.redisplay()

    def _source_of(self, word: int) -> tuple[int, float, float]:
        count, found = 0, (1, 0.0, 0.0)
        for block in self.paragraphs:
            if block.source is not None and count <= word:
                found = block.source
            count += len(words_of(block.text))
        return found

    # -- the page as it was printed (a PDF's page, a picture) --------------------------------------
    def _page_body(self, document: Any) -> Stack:
        body = Stack(spacing_mm=3)
        body.fill = True
        self.header = Text(raw=self.header_text(document), style=nav_style())
        body.add_widget(self.header)
        self.area = PageArea(self)
        self.area.anchor = self.state.get("anchor")
        self.area.open_content()
        self.bind(parent=lambda _w, parent: parent is None and self.area.close())  # left: the PDF is closed
        body.add_widget(self.area)
        self.previous = Button("screens.reading.previous", "prev", name="viewer.previous", style=nav_style(),
                               on_activate=self.go_previous)
        self.next = Button("screens.reading.next", "next", name="viewer.next", style=nav_style(),
                           on_activate=self.go_next)
        self.where = Text(raw="", style=nav_style(), halign="center", size_hint_y=None)
        self.zoom_out = Button("screens.documents.viewer.zoom_out", "zoom_out", name="viewer.zoom_out",
                               style=nav_style(), on_activate=lambda: self.zoom(self.flow.zoom_out))
        self.zoom_in = Button("screens.documents.viewer.zoom_in", "zoom_in", name="viewer.zoom_in", style=nav_style(),
                              on_activate=lambda: self.zoom(self.flow.zoom_in))
        tools = [self.zoom_out, self.zoom_in]
        if self.paragraphs:
            tools.append(Button("screens.reading.back_to_text", "back", name="reading.back_to_text",
                                style=nav_style(), on_activate=self.back_to_text))
        else:
            tools += self._document_tools(document)
        self.nav = Stack(size_hint_y=None)
        body.add_widget(self.nav)
        self.page_tools = tools
        body.bind(width=lambda _b, width: arrange_nav(self.nav, self.previous, self.where, self.next,
                                                      self.page_tools, width))
        return body

    def back_to_text(self) -> None:
        """The text at the place left, or at the part of the page now shown."""
        area = self.area
        word = self.state.get("word", 0)
        if area is not None and self.flow.page_number != self.state.get("page"):
            region = area.shown_region
            word = self._word_at(self.flow.page_number, region.top if region is not None else 0.0)
        self.state.update(original=False)
        save_place(self.app, self.key, word)
        self.redisplay()

    def _word_at(self, page: int, top: float) -> int:
        count, best = 0, None
        for block in self.paragraphs:
            source = block.source
            if source is not None and source[0] == page and (best is None or source[2] <= top + 1):
                best = count
            count += len(words_of(block.text))
        return best or 0

    # -- after the page is laid out: where we are, which buttons work -------------------------
    def on_page_laid_out(self) -> None:
        flow, area = self.flow, self.area
        if area.parts > 1:
            where = look().tr("screens.reading.part", n=flow.page_number, total=flow.page_count,
                              part=area.part + 1, parts=area.parts)
        elif flow.page_count > 1:
            where = look().tr("screens.reading.page", n=flow.page_number, total=flow.page_count)
        else:
            where = ""
        self.where.set_text(raw=where)
        self.previous.hidden = area.part == 0 and not flow.has_previous_page
        self.next.hidden = area.part >= area.parts - 1 and not flow.has_next_page
        self.zoom_out.hidden = not flow.can_zoom_out
        self.zoom_in.hidden = not flow.can_zoom_in
        self.state["anchor"] = area.anchor

    def go_next(self) -> None:
        if self.area.part < self.area.parts - 1:
            self.area.go_to(self.area.part + 1)
        elif self.flow.next_page():
            self.area.anchor = None
            self.area.layout_page()

    def go_previous(self) -> None:
        if self.area.part > 0:
            self.area.go_to(self.area.part - 1)
        elif self.flow.previous_page():
            self.area.anchor, self.area.want_last_part = None, True
            self.area.layout_page()

    def zoom(self, action: Any) -> None:
        if action():  # the place (the top-left corner of the region shown) stays in view
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
        self.run(self.flow.confirm)

    def cancel_ask(self) -> None:
        if self.flow.step in CONFIRM_STEPS:
            self.flow.back()  # Non: back to the page, nothing changed

    def redisplay(self) -> None:
        self.redraw()

    def on_prefs(self) -> None:
        self.redisplay()  # reflowed for the new size and words, at the same place

    # -- voice ----------------------------------------------------------------------------------
    def describe(self) -> ScreenDescription:
        lines: list[str] = []
        buttons: list[str] = []
        if self.reading is not None:
            lines, buttons = reading_lines(self, self.reading)
        else:
            for child in reversed(self.children):
                if child is not self.content and child is not self.actions:
                    more_lines, more_buttons = describe_widgets(child)
                    lines += more_lines
                    buttons += more_buttons
        if self.reading is None and self.area is not None:
            lines.append(self.header.text)
            if self.where.text:
                lines.append(self.where.text)
            words = self.area.page_text()
            if words:
                lines += [line for line in words.splitlines() if line.strip()]
            elif not self.area.unreadable:
                lines.append(look().tr("screens.documents.viewer.image"))
            buttons += [b.text for b in (self.previous, *self.page_tools, self.next) if not b.hidden]
        return ScreenDescription(title=self.title(), step=self.step_text() or None, lines=tuple(lines),
                                 buttons=tuple(buttons), private=True)


__all__ = ["FLOW_KEY", "ViewerScreen", "back_to", "document_date", "flow_for", "open_in_viewer"]
