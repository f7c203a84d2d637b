""""Mes documents": categories with their counts, the list newest first, then the viewer.

One screen per step of kiosk.core.flows.documents.DocumentsFlow (the viewer and the lab
results are in documents_viewer.py; the hide / show confirmations are dialogs over the
viewer). The flow lives in the session's data (wiped with it); a screen brought back by
Retour moves the flow back to its own step.

Other journeys open a document with `open_in_viewer(app, flow, return_screen)`.
"""

from __future__ import annotations

from typing import Any

from kiosk.core.flows.documents import DocumentsFlow, DocumentsStep
from kiosk.core.i18n import format_date
from kiosk.core.labels import document_type_of
from kiosk.core.speech import ScreenDescription
from kiosk.ui.journey import JourneyScreen
from kiosk.ui.look import look
from kiosk.ui.screen import Feature, register_feature, screen, step_screen
from kiosk.ui.screens.access_code import signed_in
from kiosk.ui.screens.documents_lab import LabScreen  # noqa: F401  (registers the lab results screen)
from kiosk.ui.screens.documents_viewer import (  # noqa: F401  (registers the viewer)
    FLOW_KEY, ViewerScreen, back_to, document_date, flow_for, open_in_viewer,
)
from kiosk.ui.widgets import Button, Text


def category_words(count: Any) -> str:
    return look().catalog.tr_n("screens.documents.category", count.count, category=look().tr(count.label_key))


class DocumentsScreen(JourneyScreen):
    title_key = "flows.documents.title"
    flow_key = FLOW_KEY
    journey_flow = staticmethod(flow_for)

    def on_prefs(self) -> None:
        self.redraw()  # words built from values: again


@screen("documents", order=40)
@step_screen(DocumentsFlow, DocumentsStep.CATEGORIES)
class CategoriesScreen(DocumentsScreen):
    columns = 3

    def __init__(self, app: Any, **params: Any) -> None:
        self.columns = 3 if look().text_size <= 2 else 2  # every tile on one page up to size 2
        super().__init__(app, **params)

    @classmethod
    def prepare(cls, app: Any, params: dict[str, Any]):
        existing = app.session.data.get(FLOW_KEY)
        if existing is None or existing.finished or existing.step is DocumentsStep.CATEGORIES:
            return lambda: flow_for(app, fresh=True)  # counts as they are now
        return None

    def fill(self) -> None:
        if not self.flow.categories:
            return
        if self.flow.total_documents == 0:
            self.add(Text(key="screens.documents.none", style="strong"))
            return
        every = [c for c in self.flow.categories if c.category is None]
        shown = every + [c for c in self.flow.categories if c.category is not None and c.count > 0]
        for count in shown:
            name = count.category.value if count.category is not None else "all"
            self.add(Button(raw=category_words(count), kind="tile", name=f"documents.category.{name}",
                            on_activate=lambda c=count.category: self.choose(c)))

    def choose(self, category: Any) -> None:
        self.run(self.flow.choose_category, category)


@screen("documents.list", order=41)
@step_screen(DocumentsFlow, DocumentsStep.LIST)
class ListScreen(DocumentsScreen):
    list_spacing_mm = 3  # five documents a page at the default size

    def fill(self) -> None:
        flow = self.flow
        if flow.step is not DocumentsStep.LIST:
            return
        title = look().tr(flow.list_title_key)
        # very large text: a smaller heading, so a document still fits beside it on the first page
        self.add(Text(raw=look().catalog.tr_n("screens.documents.list.heading", flow.list_total, category=title),
                      style="strong" if look().text_size <= 2 else "panel"))
        if flow.list_empty_key:
            self.add(Text(key=flow.list_empty_key))
            return
        for d in flow.documents:
            hidden = d.hidden_from_professionals
            # one line a document (its kind and date), so a page holds five at the default size;
            # who wrote it is said on every page of the document
            self.add(Button("screens.documents.list.item_hidden" if hidden else "screens.documents.list.item",
                            "hidden" if hidden else "document", name=f"documents.open.{d.id}", style="panel",
                            row=True,
                            values={"title": d.title, "date": format_date(d.date.date(), look().lang, weekday=False),
                                    "type": document_type_of(look().catalog, d), "author": d.author},
                            on_activate=lambda i=d.id: self.open(i)))
        if flow.list_page_count > 1:  # more than one batch: words that differ from the pager's Précédent / Suivant
            first = (flow.list_page - 1) * flow.page_size + 1
            where = Text(key="screens.documents.list.page", style="panel", halign="center",
                         values={"first": first, "last": first + len(flow.documents) - 1, "total": flow.list_total})
            newer = Button("screens.documents.list.newer", "up", name="documents.list.newer", style="panel",
                           on_activate=lambda: self.turn(flow.previous_list_page))
            older = Button("screens.documents.list.older", "down", name="documents.list.older", style="panel",
                           on_activate=lambda: self.turn(flow.next_list_page))
            newer.hidden, older.hidden = not flow.has_previous_list_page, not flow.has_next_list_page
            for w in (newer, where, older):
                self.add_action(w)

    def turn(self, action: Any) -> None:
        self.run(action)  # the same step: this screen again, at the new batch

    def open(self, document_id: str) -> None:
        self.run(self.flow.open_document, document_id)

    def describe(self) -> ScreenDescription:
        base = super().describe()  # titles of health documents: private like their content
        return ScreenDescription(title=base.title, step=base.step, lines=base.lines, buttons=base.buttons,
                                 private=True)


register_feature(Feature("documents", "document", "screens.documents.tile", "documents", order=40,
                         available=signed_in))

__all__ = ["CategoriesScreen", "DocumentsFlow", "LabScreen", "ListScreen", "ViewerScreen", "open_in_viewer"]
