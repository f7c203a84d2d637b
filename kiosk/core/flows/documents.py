"""Documents: categories with counts, a paged list newest first, a viewer, hide / show again.

Steps::

    CATEGORIES --choose_category--> LIST --open_document--> VIEWER --ask_hide--> CONFIRM_HIDE --confirm--> VIEWER
                                                                   \\-ask_show--> CONFIRM_SHOW --confirm--> VIEWER
                                                                   \\-show_lab--> LAB --back--> VIEWER

The viewer holds one page at a time: text pages for ``text/plain``; for a PDF
or an image the UI renders ``data`` itself, and the page count comes from the
injected ``page_counter(content)`` (or ``set_page_count(n)`` once the UI knows
it). Zoom goes through ``ZOOM_LEVELS``. Lab results come as ``lab_lines``, each
with its assessment as a catalogue key ("dans la normale"), never a colour; a
document that has some can show them in words at the LAB step.

``DocumentsFlow.for_document(ctx, id)`` opens one document straight in the
viewer (a message attachment): back from the viewer leaves that flow.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Callable

from kiosk.core.audit import SubjectKind
from kiosk.core.flows.base import SCOPE_DOCUMENTS, Flow, action
from kiosk.core.flows.summary import Activity
from kiosk.core.models import Category, Document, DocumentContent, LabAssessment, LabValue, Page

ZOOM_LEVELS: tuple[float, ...] = (1.0, 1.25, 1.5, 2.0, 2.5, 3.0)
DEFAULT_PAGE_SIZE = 5

TITLE_KEY = "flows.documents.title"
ALL_DOCUMENTS_KEY = "flows.documents.all"
EMPTY_KEY = "flows.documents.list.empty"
PAGE_KEY = "flows.documents.viewer.page"  # "Page {n} sur {total}"
HIDDEN_KEY = "flows.documents.visibility.hidden"
VISIBLE_KEY = "flows.documents.visibility.visible"
HIDE_CONFIRM_KEYS = (
    "flows.documents.hide.question",
    "flows.documents.hide.what_changes",
    "flows.documents.hide.who_still_sees",
    "flows.documents.hide.gp_still_sees",
    "flows.documents.hide.you_still_see",
    "flows.documents.hide.undo",
)
SHOW_CONFIRM_KEYS = (
    "flows.documents.show.question",
    "flows.documents.show.what_changes",
    "flows.documents.show.undo",
)
HIDE_BUTTON_KEY = "flows.documents.hide.button"
SHOW_BUTTON_KEY = "flows.documents.show.button"
HIDDEN_DONE_KEY = "flows.documents.hide.done"
SHOWN_DONE_KEY = "flows.documents.show.done"


class DocumentsStep(enum.Enum):
    CATEGORIES = "categories"
    LIST = "list"
    VIEWER = "viewer"
    CONFIRM_HIDE = "confirm_hide"
    CONFIRM_SHOW = "confirm_show"
    LAB = "lab"  # the document's lab results, in words


@dataclass(frozen=True)
class CategoryCount:
    """One tile: the category (None = every document), its label key and how many documents."""

    category: Category | None
    label_key: str
    count: int


@dataclass(frozen=True)
class LabLine:
    """One lab value with its normal range and where it sits, in words."""

    name: str
    value: float
    unit: str
    low: float | None
    high: float | None
    assessment: LabAssessment
    code: str = ""  # LOINC: the name is said through the catalogues (kiosk.core.labels.lab_test_label)

    @property
    def assessment_key(self) -> str:
        return self.assessment.label_key

    @property
    def range_key(self) -> str | None:
        """"normale entre {low} et {high}", "… au-dessus de {low}", "… en dessous de {high}", or None."""
        if self.low is not None and self.high is not None:
            return "flows.documents.lab.range.between"
        if self.low is not None:
            return "flows.documents.lab.range.min"
        if self.high is not None:
            return "flows.documents.lab.range.max"
        return None

    @classmethod
    def of(cls, lab: LabValue) -> "LabLine":
        return cls(lab.name, lab.value, lab.unit, lab.low, lab.high, lab.assessment, lab.code)


PageCounter = Callable[[DocumentContent], int]


class DocumentsFlow(Flow):
    Step = DocumentsStep
    scope = SCOPE_DOCUMENTS
    STEP_NUMBERS = {"CATEGORIES": 1, "LIST": 2, "VIEWER": 3, "CONFIRM_HIDE": 4, "CONFIRM_SHOW": 4, "LAB": 3}

    title_key = TITLE_KEY
    page_key = PAGE_KEY
    zoom_levels = ZOOM_LEVELS

    def __init__(
        self,
        context,
        *,
        page_size: int = DEFAULT_PAGE_SIZE,
        page_counter: PageCounter | None = None,
        guard=None,
    ) -> None:
        super().__init__(context, guard=guard)
        self.page_size = page_size
        self.page_counter = page_counter
        self._single: str | None = None
        self._clear()

    @classmethod
    def for_document(cls, context, document_id: str, *, scope: str = SCOPE_DOCUMENTS, **kw) -> "DocumentsFlow":
        """A flow showing one document in the viewer (hiding it still needs the documents scope)."""
        flow = cls(context, **kw)
        flow.scope = scope
        flow._single = document_id
        flow.step = DocumentsStep.VIEWER
        return flow

    def _clear(self) -> None:
        self.categories: list[CategoryCount] = []
        self.category: Category | None = None
        self._page: Page[Document] | None = None
        self._clear_viewer()

    def _clear_viewer(self) -> None:
        self.document: Document | None = None
        self.content: DocumentContent | None = None
        self.page_number = 1
        self._page_count: int | None = None
        self.zoom_index = 0

    # ------------------------------------------------------------ numbers
    @property
    def step_count(self) -> int:
        return 2 if self._single else 4

    @property
    def step_number(self) -> int:
        if self._single:
            return 1 if self.step in (DocumentsStep.VIEWER, DocumentsStep.LAB) else 2
        return super().step_number

    # ------------------------------------------------------------ the list
    @property
    def total_documents(self) -> int:
        return sum(c.count for c in self.categories if c.category is not None)

    @property
    def list_title_key(self) -> str:
        return self.category.label_key if self.category is not None else ALL_DOCUMENTS_KEY

    @property
    def documents(self) -> tuple[Document, ...]:
        """The documents of the current list page, newest first."""
        return self._page.items if self._page else ()

    @property
    def list_page(self) -> int:
        return self._page.page if self._page else 1

    @property
    def list_page_count(self) -> int:
        return self._page.page_count if self._page else 1

    @property
    def list_total(self) -> int:
        return self._page.total if self._page else 0

    @property
    def has_next_list_page(self) -> bool:
        return bool(self._page and self._page.has_next)

    @property
    def has_previous_list_page(self) -> bool:
        return bool(self._page and self._page.has_previous)

    @property
    def list_empty_key(self) -> str | None:
        return EMPTY_KEY if self._page is not None and self._page.total == 0 else None

    # ---------------------------------------------------------- the viewer
    @property
    def media_type(self) -> str | None:
        return self.content.media_type if self.content else None

    @property
    def is_text(self) -> bool:
        return bool(self.content and self.content.is_text)

    @property
    def page_count(self) -> int:
        if self.content is None:
            return 0
        if self.content.is_text:
            return len(self.content.pages)
        return self._page_count or 1

    @property
    def page_text(self) -> str | None:
        """The text of the current page (text documents only)."""
        if not self.is_text:
            return None
        return self.content.pages[self.page_number - 1]

    @property
    def data(self) -> bytes | None:
        """The binary content (PDF, image) for the UI to render at ``page_number``."""
        return self.content.data if self.content and not self.content.is_text else None

    @property
    def has_next_page(self) -> bool:
        return self.page_number < self.page_count

    @property
    def has_previous_page(self) -> bool:
        return self.page_number > 1

    @property
    def zoom(self) -> float:
        return ZOOM_LEVELS[self.zoom_index]

    @property
    def can_zoom_in(self) -> bool:
        return self.zoom_index < len(ZOOM_LEVELS) - 1

    @property
    def can_zoom_out(self) -> bool:
        return self.zoom_index > 0

    @property
    def lab_lines(self) -> tuple[LabLine, ...]:
        return tuple(LabLine.of(v) for v in self.document.lab_results) if self.document else ()

    @property
    def visibility_key(self) -> str | None:
        if self.document is None:
            return None
        return HIDDEN_KEY if self.document.hidden_from_professionals else VISIBLE_KEY

    @property
    def visibility_button_key(self) -> str | None:
        """"Masquer ce document" or "Montrer ce document"."""
        if self.document is None:
            return None
        return SHOW_BUTTON_KEY if self.document.hidden_from_professionals else HIDE_BUTTON_KEY

    @property
    def confirm_keys(self) -> tuple[str, ...]:
        """The FALC explanation of the current confirmation: what changes, who still sees it."""
        if self.step is DocumentsStep.CONFIRM_HIDE:
            return HIDE_CONFIRM_KEYS
        if self.step is DocumentsStep.CONFIRM_SHOW:
            return SHOW_CONFIRM_KEYS
        return ()

    # ------------------------------------------------------------- actions
    def _start(self) -> None:
        if self._single is not None:
            self._open(self._single)
            return
        counts = self._space.document_counts(self._patient)
        self.categories = [CategoryCount(c, c.label_key, counts.get(c, 0)) for c in Category]
        self.categories.append(CategoryCount(None, ALL_DOCUMENTS_KEY, sum(counts.values())))

    @action("CATEGORIES")
    def choose_category(self, category: Category | None) -> None:
        """Open the list of one category (None: every document)."""
        category = Category(category) if category is not None else None
        self._page = self._load(category, 1)
        self.category = category
        self._go(DocumentsStep.LIST)

    @action("LIST")
    def next_list_page(self) -> bool:
        if not self.has_next_list_page:
            return False
        self._page = self._load(self.category, self.list_page + 1)
        return True

    @action("LIST")
    def previous_list_page(self) -> bool:
        if not self.has_previous_list_page:
            return False
        self._page = self._load(self.category, self.list_page - 1)
        return True

    @action("LIST")
    def open_document(self, document_id: str) -> None:
        self._open(document_id)
        self._go(DocumentsStep.VIEWER)

    @action("VIEWER")
    def next_page(self) -> bool:
        if not self.has_next_page:
            return False
        self.page_number += 1
        return True

    @action("VIEWER")
    def previous_page(self) -> bool:
        if not self.has_previous_page:
            return False
        self.page_number -= 1
        return True

    @action("VIEWER")
    def zoom_in(self) -> bool:
        if not self.can_zoom_in:
            return False
        self.zoom_index += 1
        return True

    @action("VIEWER")
    def zoom_out(self) -> bool:
        if not self.can_zoom_out:
            return False
        self.zoom_index -= 1
        return True

    @action("VIEWER")
    def set_page_count(self, count: int) -> bool:
        """For a PDF without an injected page counter: the UI says how many pages it rendered."""
        if self.content is None or self.content.is_text or int(count) < 1:
            return False
        self._page_count = int(count)
        self.page_number = min(self.page_number, self._page_count)
        return True

    @action("VIEWER")
    def ask_hide(self) -> bool:
        if self.document is None or self.document.hidden_from_professionals:
            return False
        self._go(DocumentsStep.CONFIRM_HIDE)
        return True

    @action("VIEWER")
    def ask_show(self) -> bool:
        if self.document is None or not self.document.hidden_from_professionals:
            return False
        self._go(DocumentsStep.CONFIRM_SHOW)
        return True

    @action("VIEWER")
    def show_lab(self) -> bool:
        """The open document's lab results in words (the same step number: still this document)."""
        if not self.lab_lines:
            return False
        self._go(DocumentsStep.LAB)
        return True

    @action("CONFIRM_HIDE", "CONFIRM_SHOW")
    def confirm(self) -> None:
        """Hide (or show again) the open document, then back to it with a notice."""
        if self.scope != SCOPE_DOCUMENTS and self.guard is not None:
            self.guard(SCOPE_DOCUMENTS)  # an attachment: changing it is a documents matter
        hide = self.step is DocumentsStep.CONFIRM_HIDE
        doc_id = self.document.id
        if hide:
            updated = self._space.hide_document(self._patient, doc_id)
        else:
            updated = self._space.show_document(self._patient, doc_id)
        self.document = updated
        if self._page is not None:
            items = tuple(updated if d.id == doc_id else d for d in self._page.items)
            self._page = Page(items, self._page.page, self._page.page_size, self._page.total)
        self._return_to(DocumentsStep.VIEWER)
        if hide:
            self._record(Activity.DOCUMENT_HIDDEN, SubjectKind.DOCUMENT, doc_id, category=updated.category.value)
            self.notice_key = HIDDEN_DONE_KEY
        else:
            self._record(Activity.DOCUMENT_SHOWN, SubjectKind.DOCUMENT, doc_id, category=updated.category.value)
            self.notice_key = SHOWN_DONE_KEY

    # ------------------------------------------------------------- helpers
    def _load(self, category: Category | None, page: int) -> Page[Document]:
        return self._space.list_documents(self._patient, category=category, page=page, page_size=self.page_size)

    def _open(self, document_id: str) -> None:
        document = self._space.get_document(self._patient, document_id)
        content = self._space.get_document_content(self._patient, document_id)
        page_count = None
        if not content.is_text and self.page_counter is not None:
            page_count = max(1, int(self.page_counter(content)))
        self._clear_viewer()
        self.document, self.content, self._page_count = document, content, page_count
        self._record(
            Activity.DOCUMENT_VIEWED, SubjectKind.DOCUMENT, document.id, once=True, category=document.category.value
        )

    def _on_back(self, leaving, to) -> None:
        if leaving is DocumentsStep.VIEWER:
            self._clear_viewer()  # the content is health data: keep it only while shown


__all__ = ["CategoryCount", "DocumentsFlow", "DocumentsStep", "LabLine", "ZOOM_LEVELS"]
