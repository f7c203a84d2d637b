"""Documents flow on the demo patients: categories, paged list, viewer, hide / show, errors."""

from __future__ import annotations

import pypdfium2

from kiosk.core.audit import AuditAction, SubjectKind
from kiosk.core.flows.base import Outcome
from kiosk.core.flows.documents import ZOOM_LEVELS, DocumentsFlow, DocumentsStep
from kiosk.core.models import Category, LabAssessment

BIO = "paulette-bio-2026-11"  # 2 text pages, 6 lab values
IMAGE = "paulette-radio-2026-09"
PDF = "paulette-ophtalmo-2026-06"


def count_pdf_pages(content) -> int:
    return len(pypdfium2.PdfDocument(content.data))


def at_viewer(ctx, document_id=BIO, category=Category.RESULTAT, **kw) -> DocumentsFlow:
    flow = DocumentsFlow(ctx, **kw).start()
    assert flow.choose_category(category), flow.error_key
    assert flow.open_document(document_id), flow.error_key
    assert flow.step is DocumentsStep.VIEWER
    return flow


def test_categories_list_viewer_hide_and_show(ctx, sign_in, demo, audit_log):
    patient = sign_in("rich")
    flow = DocumentsFlow(ctx).start()
    assert (flow.step, flow.step_number, flow.step_count) == (DocumentsStep.CATEGORIES, 1, 4)
    counts = {c.category: c.count for c in flow.categories}
    assert counts[None] == flow.total_documents == 17
    assert counts[Category.RESULTAT] >= 1 and all(c.label_key for c in flow.categories)

    assert flow.choose_category(Category.RESULTAT)
    assert (flow.step, flow.step_number) == (DocumentsStep.LIST, 2)
    assert flow.list_title_key == "domain.category.resultat"
    assert all(d.category is Category.RESULTAT for d in flow.documents)
    dates = [d.date for d in flow.documents]
    assert dates == sorted(dates, reverse=True), "newest first"

    assert flow.open_document(BIO)
    assert (flow.step, flow.step_number) == (DocumentsStep.VIEWER, 3)
    assert flow.is_text and flow.page_count == 2 and flow.page_number == 1 and flow.page_text
    assert not flow.previous_page() and flow.next_page() and flow.page_number == 2
    assert not flow.next_page() and flow.previous_page() and flow.page_number == 1
    assert flow.zoom == ZOOM_LEVELS[0] and not flow.zoom_out()
    while flow.can_zoom_in:
        assert flow.zoom_in()
    assert flow.zoom == ZOOM_LEVELS[-1] and not flow.zoom_in() and flow.zoom_out()

    lines = flow.lab_lines
    assert len(lines) == 6
    for line in lines:
        assert line.assessment_key == f"domain.lab.{line.assessment.value}"
        assert line.range_key in (None, "flows.documents.lab.range.between", "flows.documents.lab.range.min",
                                  "flows.documents.lab.range.max")
    assert {line.assessment for line in lines} & {LabAssessment.ABOVE, LabAssessment.BELOW}, "demo has an abnormal value"

    assert flow.visibility_key == "flows.documents.visibility.visible"
    assert not flow.ask_show(), "it is not hidden"
    assert flow.ask_hide()
    assert (flow.step, flow.step_number) == (DocumentsStep.CONFIRM_HIDE, 4)
    assert "flows.documents.hide.who_still_sees" in flow.confirm_keys
    assert not demo.get_document(patient, BIO).hidden_from_professionals, "nothing done before confirm"
    assert flow.confirm()
    assert flow.step is DocumentsStep.VIEWER and flow.notice_key == "flows.documents.hide.done"
    assert flow.document.hidden_from_professionals and demo.get_document(patient, BIO).hidden_from_professionals
    assert next(d for d in flow.documents if d.id == BIO).hidden_from_professionals, "the list knows it too"

    assert flow.ask_show() and flow.step is DocumentsStep.CONFIRM_SHOW
    assert flow.confirm() and flow.notice_key == "flows.documents.show.done"
    assert not demo.get_document(patient, BIO).hidden_from_professionals

    counts = ctx.session.activity_log.counts
    assert (counts["document.viewed"], counts["document.hidden"], counts["document.shown"]) == (1, 1, 1)
    flows_audit = [(r.action, r.subject_kind, r.subject_id) for r in audit_log if r.action.value.startswith("document")]
    assert flows_audit == [
        (AuditAction.DOCUMENT_VIEWED, SubjectKind.DOCUMENT, BIO),
        (AuditAction.DOCUMENT_HIDDEN, SubjectKind.DOCUMENT, BIO),
        (AuditAction.DOCUMENT_SHOWN, SubjectKind.DOCUMENT, BIO),
    ]
    assert flow.back() and flow.step is DocumentsStep.LIST and flow.document is None and flow.content is None
    assert flow.back() and flow.step is DocumentsStep.CATEGORIES
    assert flow.back() and flow.finished and flow.outcome is Outcome.CANCELLED and flow.categories == []


def test_a_document_seen_twice_counts_once(ctx, sign_in):
    sign_in("rich")
    flow = at_viewer(ctx)
    flow.back()
    flow.open_document(BIO)
    assert ctx.session.activity_log.counts["document.viewed"] == 1


def test_the_thousand_documents_page_by_page(ctx, sign_in):
    sign_in("large")
    flow = DocumentsFlow(ctx, page_size=5).start()
    assert flow.choose_category(None) and flow.list_title_key == "flows.documents.all"
    assert flow.list_total == 1000 and flow.list_page_count == 200 and len(flow.documents) == 5
    assert not flow.previous_list_page()
    first = flow.documents
    assert flow.next_list_page() and flow.list_page == 2
    assert first[-1].date >= flow.documents[0].date and not set(first) & set(flow.documents)
    assert flow.previous_list_page() and flow.documents == first
    while flow.has_next_list_page:
        flow.next_list_page()
    assert flow.list_page == 200 and not flow.next_list_page()


def test_images_and_pdfs(ctx, sign_in):
    sign_in("rich")
    flow = at_viewer(ctx, PDF, Category.COMPTE_RENDU, page_counter=count_pdf_pages)
    assert flow.media_type == "application/pdf" and not flow.is_text and flow.page_text is None
    assert flow.data.startswith(b"%PDF") and flow.page_count == 2
    assert flow.next_page() and not flow.next_page()
    flow.back()

    flow = at_viewer(ctx, PDF, Category.COMPTE_RENDU)  # no counter: the UI tells
    assert flow.page_count == 1 and not flow.next_page()
    assert not flow.set_page_count(0) and flow.set_page_count(2) and flow.next_page() and flow.page_number == 2
    flow.back()

    flow = at_viewer(ctx, IMAGE, Category.IMAGERIE)
    assert flow.media_type == "image/png" and flow.data.startswith(b"\x89PNG") and flow.page_count == 1
    assert flow.set_page_count(1) and flow.page_count == 1 and not flow.next_page()


def test_an_empty_space(ctx, sign_in):
    sign_in("empty")
    flow = DocumentsFlow(ctx).start()
    assert flow.total_documents == 0
    assert flow.choose_category(Category.ORDONNANCE)
    assert flow.documents == () and flow.list_empty_key == "flows.documents.list.empty"


def test_hide_fails_then_retry_sends_once(ctx, sign_in, space, demo, audit_log):
    patient = sign_in("rich")
    flow = at_viewer(ctx)
    flow.ask_hide()
    space.mode = "before"
    assert not flow.confirm()
    assert flow.step is DocumentsStep.CONFIRM_HIDE and flow.error_key == "errors.unavailable.not_sent"
    assert flow.can_retry and "retry" in flow.available_actions()
    assert not demo.get_document(patient, BIO).hidden_from_professionals
    assert "document.hidden" not in ctx.session.activity_log.counts
    space.mode = None
    assert flow.retry() and flow.step is DocumentsStep.VIEWER and flow.document.hidden_from_professionals
    assert ctx.session.activity_log.counts["document.hidden"] == 1
    assert [r.action for r in audit_log].count(AuditAction.DOCUMENT_HIDDEN) == 1


def test_read_errors_and_unknown_documents(ctx, sign_in, demo):
    sign_in("rich")
    flow = DocumentsFlow(ctx).start()
    flow.choose_category(None)
    demo.set_unavailable(True)
    assert not flow.open_document(BIO)
    assert flow.step is DocumentsStep.LIST and flow.error_key == "errors.unavailable" and flow.can_retry
    demo.set_unavailable(False)
    assert flow.retry() and flow.step is DocumentsStep.VIEWER
    flow.back()
    assert not flow.open_document("does-not-exist")
    assert flow.error_key == "errors.not_found" and not flow.can_retry

    demo.set_unavailable(True)
    down = DocumentsFlow(ctx).start()
    assert down.error_key == "errors.unavailable" and down.categories == []
    demo.set_unavailable(False)
    assert down.retry() and down.total_documents == 17


def test_back_and_cancel_at_every_step(ctx, sign_in):
    sign_in("rich")
    routes = {
        DocumentsStep.CATEGORIES: lambda f: None,
        DocumentsStep.LIST: lambda f: f.choose_category(Category.RESULTAT),
        DocumentsStep.VIEWER: lambda f: (f.choose_category(Category.RESULTAT), f.open_document(BIO)),
        DocumentsStep.CONFIRM_HIDE: lambda f: (f.choose_category(Category.RESULTAT), f.open_document(BIO), f.ask_hide()),
    }
    expected_back = {
        DocumentsStep.CATEGORIES: None,
        DocumentsStep.LIST: DocumentsStep.CATEGORIES,
        DocumentsStep.VIEWER: DocumentsStep.LIST,
        DocumentsStep.CONFIRM_HIDE: DocumentsStep.VIEWER,
    }
    for step, route in routes.items():
        flow = DocumentsFlow(ctx).start()
        route(flow)
        assert flow.step is step
        assert flow.back()
        if expected_back[step] is None:
            assert flow.finished and flow.outcome is Outcome.CANCELLED
        else:
            assert flow.step is expected_back[step] and not flow.finished

        flow = DocumentsFlow(ctx).start()
        route(flow)
        assert flow.cancel() and flow.finished and flow.outcome is Outcome.CANCELLED
        assert flow.document is None and flow.documents == () and flow.categories == []
    # a cancelled confirmation sent nothing
    assert "document.hidden" not in ctx.session.activity_log.counts


def test_one_document_straight_in_the_viewer(ctx, sign_in):
    sign_in("rich")
    flow = DocumentsFlow.for_document(ctx, BIO).start()
    assert (flow.step, flow.step_number, flow.step_count) == (DocumentsStep.VIEWER, 1, 2)
    assert flow.document.id == BIO and flow.ask_hide() and flow.step_number == 2
    assert flow.back() and flow.step is DocumentsStep.VIEWER
    assert flow.back() and flow.finished


def test_a_closed_space_is_an_error_not_a_crash(ctx, sign_in, demo):
    patient = sign_in("closable")
    demo.close_space(patient)
    flow = DocumentsFlow(ctx).start()
    assert flow.error_key == "errors.not_allowed.space_closed" and not flow.can_retry
    assert flow.back() and flow.finished
