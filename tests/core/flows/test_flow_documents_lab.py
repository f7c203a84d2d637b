"""A document's lab results in words: a step of the documents flow, Retour back to the viewer."""

from __future__ import annotations

from kiosk.core.flows.documents import DocumentsFlow, DocumentsStep
from kiosk.core.models import Category

BIO = "paulette-bio-2026-11"  # 6 lab values
PRESCRIPTION = "paulette-ord-2026-11"  # none


def at_viewer(ctx, document_id: str) -> DocumentsFlow:
    flow = DocumentsFlow(ctx).start()
    assert flow.choose_category(None) and flow.open_document(document_id), flow.error_key
    return flow


def test_lab_results_then_back_to_the_same_document(ctx, sign_in):
    sign_in("rich")
    flow = at_viewer(ctx, BIO)
    flow.next_page()
    assert flow.show_lab()
    assert (flow.step, flow.step_number, flow.step_count) == (DocumentsStep.LAB, 3, 4)
    assert len(flow.lab_lines) == 6 and not flow.at_first_step
    assert not flow.next_page() and not flow.ask_hide(), "the viewer's actions wait for the viewer"
    assert flow.back() and flow.step is DocumentsStep.VIEWER
    assert flow.document.id == BIO and flow.page_number == 2, "the document as it was left"
    assert flow.back() and flow.step is DocumentsStep.LIST


def test_a_document_without_results_has_no_lab_step(ctx, sign_in):
    sign_in("rich")
    flow = at_viewer(ctx, PRESCRIPTION)
    assert not flow.lab_lines and not flow.show_lab() and flow.step is DocumentsStep.VIEWER


def test_an_attachment_shows_its_results_and_comes_back(ctx, sign_in):
    sign_in("rich")
    flow = DocumentsFlow.for_document(ctx, BIO).start()
    assert flow.show_lab() and (flow.step_number, flow.step_count) == (1, 2)
    assert flow.back() and flow.step is DocumentsStep.VIEWER and not flow.finished
    assert flow.back() and flow.finished


def test_lab_only_from_the_viewer(ctx, sign_in):
    sign_in("rich")
    flow = DocumentsFlow(ctx).start()
    assert not flow.show_lab()
    flow.choose_category(Category.RESULTAT)
    assert not flow.show_lab() and flow.step is DocumentsStep.LIST
