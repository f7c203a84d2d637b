"""Pictures of training mode: the exercises, a result, the summary, the band and the demo code.

Training mode is turned on as `kiosk run --training` does it, until the next person. The
results of the menu and the summary come from the records the flows give (one exercise
passed, one not): playing both exercises through would take a hundred presses.
"""

from __future__ import annotations

from typing import Any

from kiosk.core.flows.base import AuditRecord
from kiosk.ui.screen import register_shot
from kiosk.ui.shot_states.drive import NOT_WITH_HELPER, PAULETTE, begin, on_screen, press, type_identifier


def _mode(app: Any) -> Any:
    from kiosk.ui.screens.training import enable_training

    return enable_training(app, for_picture=True)


def _results(app: Any, *, keep_last: bool = False) -> Any:
    """One exercise passed, one not passed (another professional was blocked)."""
    from kiosk.core import training as tr
    from kiosk.core.audit import AuditAction, SubjectKind

    mode = _mode(app)
    training = mode.training
    training.start("read_prescription")
    training.audit_hook(AuditRecord(AuditAction.DOCUMENT_VIEWED, SubjectKind.DOCUMENT, tr.LATEST_PRESCRIPTION_ID,
                                    {"category": "ordonnance"}))
    training.start("block_professional")
    training.audit_hook(AuditRecord(AuditAction.PROFESSIONAL_BLOCKED, SubjectKind.PROFESSIONAL, "pro-generaliste"))
    if keep_last:
        mode.active = "block_professional"  # the trainee is in this exercise: the band says "Vérifier"
        mode.refresh_band()
    else:
        training.current = None
    return mode


def menu(app: Any) -> None:
    _results(app)
    press(app, "training.band.button")  # the band's "Exercices"
    on_screen(app, "training.menu")


def goal(app: Any) -> None:
    _mode(app)
    press(app, "training.band.button", "training.exercise.hide_document")
    on_screen(app, "training.goal")


def result(app: Any) -> None:
    _results(app, keep_last=True)
    press(app, "training.band.button")  # the band's "Vérifier"
    on_screen(app, "training.result")


def summary(app: Any) -> None:
    _results(app)
    press(app, "training.band.button", "training.summary")
    on_screen(app, "training.summary")


def band_running(app: Any) -> None:
    """An exercise started: Welcome again, the band says it runs."""
    _mode(app)
    press(app, "training.band.button", "training.exercise.hide_document", "training.start")
    on_screen(app, "welcome")


def code_hint(app: Any) -> None:
    """In training mode the code screen shows the demo patient's one-time code."""
    _mode(app)
    press(app, "training.band.button", "training.exercise.read_prescription", "training.start")
    begin(app)
    type_identifier(app, PAULETTE)
    on_screen(app, "sign_in.code")


register_shot("training.band", band_running, order=11, bands=NOT_WITH_HELPER)
register_shot("training.menu", menu, order=11, bands=NOT_WITH_HELPER)
register_shot("training.goal", goal, order=12, bands=NOT_WITH_HELPER)
register_shot("training.result", result, order=13, bands=NOT_WITH_HELPER)
register_shot("training.summary", summary, order=14, bands=NOT_WITH_HELPER)
register_shot("training.code_hint", code_hint, order=16)
