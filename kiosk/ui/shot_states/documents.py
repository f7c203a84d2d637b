"""Pictures of "Mes documents": the categories, a list, the viewer (text, PDF, image), results, hiding."""

from __future__ import annotations

from typing import Any

from kiosk.ui.screen import register_shot
from kiosk.ui.shot_states.drive import ODETTE, PAULETTE, on_screen, open_tile, press

PRESCRIPTION = "paulette-ord-2026-11"
LAB_RESULTS = "paulette-bio-2026-11"
PDF = "paulette-ophtalmo-2026-06"
IMAGE = "paulette-radio-2026-09"


def categories(app: Any) -> None:
    open_tile(app, "documents")
    on_screen(app, "documents")


def every_document(ins: str):
    """The list of every document of this patient."""

    def setup(app: Any) -> None:
        open_tile(app, "documents", ins)
        press(app, "documents.category.all")
        on_screen(app, "documents.list")

    return setup


def viewer(document_id: str, *then: str, screen: str = "documents.viewer"):
    """A document opened from the list of every document, then these buttons."""

    def setup(app: Any) -> None:
        every_document(PAULETTE)(app)
        press(app, f"documents.open.{document_id}", *then)
        if screen:
            on_screen(app, screen)

    return setup


register_shot("documents", categories, order=40)
register_shot("documents.list", every_document(ODETTE), order=41)  # with a hidden document
register_shot("documents.list.paulette", every_document(PAULETTE), order=41)
register_shot("documents.viewer", viewer(PRESCRIPTION), order=43)
register_shot("documents.viewer.pdf", viewer(PDF), order=43)
register_shot("documents.viewer.image", viewer(IMAGE), order=43)
register_shot("documents.lab", viewer(LAB_RESULTS, "documents.lab", screen="documents.lab"), order=44)
register_shot("documents.confirm_hide", viewer(PRESCRIPTION, "documents.hide"), order=45)
