"""Lab results in words: each value, where it sits against its normal range, and the range itself.

Read like a document (kiosk.ui.reading.ReadingView): full width at the person's text size,
a page at a time, who wrote it and when on every page; a test's name and value never leave
its normal range on another page. The names are the kiosk's plain words for the test's code
(kiosk.core.labels). Never colour alone: the words say "au-dessus de la normale", an arrow
icon says it again. The values are health content: describe() marks the screen private.
It shows the LAB step of the viewer's DocumentsFlow; Retour is the flow's back, to the viewer.
"""

from __future__ import annotations

from typing import Any

from kiosk.core.flows.documents import DocumentsFlow, DocumentsStep
from kiosk.core.labels import lab_test_of
from kiosk.core.speech import ScreenDescription
from kiosk.ui.journey import JourneyScreen
from kiosk.ui.look import look
from kiosk.ui.reading import ReadingView, Words, read_in, reading_lines, save_place, saved_place, short_date
from kiosk.ui.screen import screen, step_screen
from kiosk.ui.screens.documents_viewer import FLOW_KEY, flow_for


# --- lab results in words ---------------------------------------------------------------------

def number_text(value: float) -> str:
    from babel.numbers import format_decimal

    return format_decimal(value, locale="fr_FR" if look().lang == "fr" else "en_GB")


def with_unit(value: float, unit: str) -> str:
    """"7,4\u00a0%": a no-break space, so a number never leaves its unit at the end of a line."""
    return f"{number_text(value)}\u00a0{unit}" if unit else number_text(value)


ASSESSMENT_ICONS = {"below": "down", "within": "check", "above": "up", "unknown": "question"}


@screen("documents.lab", order=44)
@step_screen(DocumentsFlow, DocumentsStep.LAB)
class LabScreen(JourneyScreen):
    title_key = "screens.documents.lab.title"
    flow_key = FLOW_KEY
    journey_flow = staticmethod(flow_for)

    @classmethod
    def prepare(cls, app: Any, params: dict[str, Any]):
        return None if params.get("document_flow") is not None else super().prepare(app, params)

    def get_flow(self) -> DocumentsFlow:
        given = self.params.get("document_flow")  # another journey's document (a message attachment)
        return given if given is not None else flow_for(self.app)

    def build(self) -> None:  # no banner: the results are read like the document
        self.flow: DocumentsFlow = self.get_flow()
        self.step = (self.flow.step_number, self.flow.step_count)
        self.reading: ReadingView | None = None
        document = self.flow.document
        if document is None:
            return
        key = f"lab:{document.id}"
        self.reading = read_in(self, ReadingView(
            lab_blocks(document, self.flow.lab_lines), word=saved_place(self.app, key),
            on_place=lambda word: save_place(self.app, key, word)))

    def on_prefs(self) -> None:
        self.app.nav.redraw()  # reflowed at the new size, in the new words, at the same place

    def describe(self) -> ScreenDescription:
        """The page shown (who wrote and when, its results), private: health content."""
        if self.reading is None:
            base = super().describe()
            return ScreenDescription(title=base.title, step=base.step, lines=base.lines, buttons=base.buttons,
                                     private=True)
        lines, buttons = reading_lines(self, self.reading)
        return ScreenDescription(title=self.title(), step=self.step_text() or None, lines=tuple(lines),
                                 buttons=tuple(buttons), private=True)


def lab_blocks(document: Any, lab_lines: Any) -> list[Words]:
    """The results as they are read: each test, its value and its normal range kept together on
    one page; "De …, le …" on top of every page (the screen's title says what they are: no
    heading of its own, which at the largest size would take a page alone)."""
    lk = look()
    header = lk.tr("screens.reading.from_document", who=document.author, date=short_date(document.date, lk.lang))
    blocks: list[Words] = []
    for number, line in enumerate(lab_lines):
        value, verdict = lab_words(line)
        # the name and the value never leave the range: one page, the words capped if need be
        blocks.append(Words(value, style="strong", icon=ASSESSMENT_ICONS[line.assessment.value], together=number))
        blocks.append(Words(verdict, gap_before=False, together=number))
    blocks.append(Words(lk.tr("screens.documents.lab.ask_doctor")))
    blocks[0].section = header
    return blocks


def lab_words(line: Any) -> tuple[str, str]:
    """"Créatinine : 9,8 mg/L." and where it sits with the normal range, in words."""
    lk = look()
    value = lk.tr("screens.documents.lab.value", name=lab_test_of(lk.catalog, line),
                  value=with_unit(line.value, line.unit))
    verdict = lk.tr("screens.documents.lab.assessment", assessment=lk.tr(line.assessment_key))
    if line.range_key:
        low = with_unit(line.low, line.unit) if line.low is not None else ""
        high = with_unit(line.high, line.unit) if line.high is not None else ""
        verdict += " " + lk.tr(line.range_key, low=low, high=high)
    return value, verdict


__all__ = ["LabScreen", "lab_blocks", "lab_words", "number_text", "with_unit"]
