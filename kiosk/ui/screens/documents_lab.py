"""Lab results in words: each value, where it sits against its normal range, and the range itself.

Never colour alone: the words say "au-dessus de la normale", an arrow icon says it again.
The values are health content: describe() marks the screen private.
"""

from __future__ import annotations

from typing import Any

from kiosk.core.flows.documents import DocumentsFlow, DocumentsStep
from kiosk.core.labels import lab_test_of
from kiosk.core.speech import ScreenDescription
from kiosk.ui.look import look
from kiosk.ui.screen import Screen, screen
from kiosk.ui.screens.documents_viewer import back_to, demo_viewer, flow_for
from kiosk.ui.widgets import Icon, Row, Stack, Text


# --- lab results in words ---------------------------------------------------------------------

def number_text(value: float) -> str:
    from babel.numbers import format_decimal

    return format_decimal(value, locale="fr_FR" if look().lang == "fr" else "en_GB")


def with_unit(value: float, unit: str) -> str:
    """"7,4\u00a0%": a no-break space, so a number never leaves its unit at the end of a line."""
    return f"{number_text(value)}\u00a0{unit}" if unit else number_text(value)


ASSESSMENT_ICONS = {"below": "down", "within": "check", "above": "up", "unknown": "question"}


@screen("documents.lab", order=44)
class LabScreen(Screen):
    title_key = "screens.documents.lab.title"

    @classmethod
    def prepare(cls, app: Any, params: dict[str, Any]):
        from kiosk.ui.flow_context import load_first
        from kiosk.ui.screens.documents_viewer import FLOW_KEY

        return None if params.get("flow") is not None else load_first(app, FLOW_KEY, flow_for)

    def build(self) -> None:
        given = self.params.get("flow")
        self.flow: DocumentsFlow = given if given is not None else flow_for(self.app)
        if given is None:
            back_to(self.flow, DocumentsStep.VIEWER)
        self.step = (self.flow.step_number, self.flow.step_count)
        document = self.flow.document
        if document is None:
            return
        self.add(Text(raw=document.title, style="heading"))
        for line in self.flow.lab_lines:
            self.add(self._lab_row(line))
        self.add(Text(key="screens.documents.lab.ask_doctor"))

    @staticmethod
    def _lab_row(line: Any) -> Row:
        """Two lines: "Créatinine : 9,8 mg/L." then where it sits and the normal range, in words."""
        lk = look()
        words = Stack(spacing_mm=1)
        words.add_widget(Text(key="screens.documents.lab.value", style="strong",
                              values={"name": lab_test_of(lk.catalog, line), "value": with_unit(line.value, line.unit)}))
        verdict = lk.tr("screens.documents.lab.assessment", assessment=lk.tr(line.assessment_key))
        if line.range_key:
            low = with_unit(line.low, line.unit) if line.low is not None else ""
            high = with_unit(line.high, line.unit) if line.high is not None else ""
            verdict += " " + lk.tr(line.range_key, low=low, high=high)
        words.add_widget(Text(raw=verdict))
        row = Row(spacing_mm=4)
        row.add_widget(Icon(ASSESSMENT_ICONS[line.assessment.value], size_hint_x=None, width=lk.font_px("body") * 1.4))
        row.add_widget(words)
        return row

    def on_prefs(self) -> None:
        self.app.nav.redraw()

    def describe(self) -> ScreenDescription:
        base = super().describe()
        return ScreenDescription(title=base.title, step=base.step, lines=base.lines, buttons=base.buttons,
                                 private=True)

    @classmethod
    def demo_state(cls, app: Any) -> dict[str, Any]:
        return demo_viewer(app, "paulette-bio-2026-11")


__all__ = ["LabScreen", "number_text", "with_unit"]
