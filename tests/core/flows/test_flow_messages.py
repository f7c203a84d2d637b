"""Messages flow: unread first, read, attachments in the viewer, ready-made and typed replies."""

from __future__ import annotations

from kiosk.core.audit import AuditAction
from kiosk.core.flows.base import Outcome
from kiosk.core.flows.documents import DocumentsStep
from kiosk.core.flows.messages import READY_ANSWERS, MessagesFlow, MessagesStep
from kiosk.core.i18n import Catalog
from kiosk.core.ports import MAX_MESSAGE_LENGTH

RESULTS = "paulette-fil-resultats"
HOSPITAL = "paulette-fil-hopital"
ATTACHMENT = "paulette-bio-2026-11"


def at_thread(ctx, thread_id=RESULTS) -> MessagesFlow:
    flow = MessagesFlow(ctx).start()
    assert flow.open_thread(thread_id), flow.error_key
    return flow


def test_threads_unread_first_and_reading_marks_read(ctx, sign_in, demo, audit_log):
    patient = sign_in("rich")
    flow = MessagesFlow(ctx).start()
    assert (flow.step, flow.step_number, flow.step_count) == (MessagesStep.THREADS, 1, 4)
    unread = [t.unread_count > 0 for t in flow.threads]
    assert unread == sorted(unread, reverse=True) and any(unread) and not all(unread)
    assert flow.unread_total == 3
    first = flow.threads[0]
    assert flow.status_key(first) == "flows.messages.status.unread"
    assert flow.open_thread(first.id)
    assert (flow.step, flow.step_number) == (MessagesStep.THREAD, 2)
    assert flow.thread.unread_count == 0 and demo.get_thread(patient, first.id).unread_count == 0
    assert ctx.session.activity_log.counts["message.read"] == 1
    assert AuditAction.MESSAGE_READ in [r.action for r in audit_log]
    assert flow.back() and flow.step is MessagesStep.THREADS and flow.thread is None
    assert flow.unread_total == 2, "the list knows it was read"
    assert flow.status_key(next(t for t in flow.threads if t.id == first.id)) == "flows.messages.status.read"


def test_ready_made_reply_appears_in_the_thread(ctx, sign_in, demo, audit_log):
    patient = sign_in("rich")
    flow = at_thread(ctx)
    before = len(flow.messages)
    assert flow.reply() and (flow.step, flow.step_number) == (MessagesStep.REPLY_CHOICE, 3)
    assert flow.ready_answers == READY_ANSWERS
    fr = Catalog.load("fr")
    assert [fr.tr(k) for k in READY_ANSWERS] == [
        "Merci, j'ai bien reçu.", "Je voudrais un rendez-vous.", "Pouvez-vous me rappeler ?"]
    assert not flow.choose_ready("flows.messages.not_a_ready_answer")
    assert flow.choose_ready(READY_ANSWERS[1])
    assert (flow.step, flow.step_number) == (MessagesStep.REPLY_CONFIRM, 4)
    assert flow.reply_text == "Je voudrais un rendez-vous." and flow.reply_key == READY_ANSWERS[1]
    assert len(demo.get_thread(patient, RESULTS).messages) == before, "nothing sent before confirming"
    assert flow.send()
    assert flow.step is MessagesStep.THREAD and flow.notice_key == "flows.messages.sent"
    assert len(flow.messages) == before + 1 and flow.messages[-1].from_patient
    assert flow.messages[-1].body == "Je voudrais un rendez-vous."
    assert demo.get_thread(patient, RESULTS).messages[-1].body == "Je voudrais un rendez-vous."
    assert ctx.session.activity_log.counts["message.sent"] == 1
    assert [r.action for r in audit_log].count(AuditAction.MESSAGE_SENT) == 1
    assert flow.back() and flow.step is MessagesStep.THREADS


def test_ready_made_answers_go_in_french_whatever_the_display_language(ctx, sign_in):
    sign_in("rich")
    ctx.session.prefs.language = "en"
    flow = at_thread(ctx)
    flow.reply()
    flow.choose_ready(READY_ANSWERS[0])
    assert flow.reply_text == "Merci, j'ai bien reçu."


def test_typed_reply_with_the_on_screen_keyboard(ctx, sign_in, demo):
    patient = sign_in("rich")
    flow = at_thread(ctx)
    flow.reply()
    assert flow.type_text() and flow.step is MessagesStep.REPLY_TYPING
    assert not flow.done_typing() and flow.error_key == "errors.rejected.message_empty"
    assert flow.space() and not flow.done_typing(), "only a space is still empty"
    assert flow.clear_text() and flow.typed_text == ""
    for word in ("Bonjour", "docteur"):
        assert flow.insert(word)
        flow.space()
    assert flow.delete() and flow.typed_text == "Bonjour docteur"
    assert flow.done_typing() and flow.step is MessagesStep.REPLY_CONFIRM and flow.reply_key is None
    assert flow.back() and flow.step is MessagesStep.REPLY_TYPING and flow.typed_text == "Bonjour docteur"
    assert flow.insert(".") and flow.done_typing() and flow.send()
    assert demo.get_thread(patient, RESULTS).messages[-1].body == "Bonjour docteur."
    assert flow.typed_text == "" and flow.reply_text == ""


def test_typed_text_is_limited(ctx, sign_in):
    sign_in("rich")
    flow = at_thread(ctx)
    flow.reply()
    flow.type_text()
    assert flow.insert("a" * (MAX_MESSAGE_LENGTH + 10)) and flow.typed_length == MAX_MESSAGE_LENGTH
    assert not flow.insert("b") and flow.error_key == "errors.rejected.message_too_long"
    assert not flow.space()


def test_a_retry_after_an_outage_sends_once_with_the_same_key(ctx, sign_in, space, demo):
    patient = sign_in("rich")
    flow = at_thread(ctx)
    before = len(demo.get_thread(patient, RESULTS).messages)
    flow.reply()
    flow.choose_ready(READY_ANSWERS[0])
    space.mode = "lost"  # done by the service, but the answer never came back
    assert not flow.send()
    assert flow.step is MessagesStep.REPLY_CONFIRM and flow.error_key == "errors.unavailable.not_sent" and flow.can_retry
    space.mode = "before"
    assert not flow.retry() and flow.error_key == "errors.unavailable.not_sent"
    space.mode = None
    assert flow.retry() and flow.step is MessagesStep.THREAD
    keys = {kw["idempotency_key"] for _, kw in space.writes("reply")}
    assert len(space.writes("reply")) == 3 and len(keys) == 1
    assert len(demo.get_thread(patient, RESULTS).messages) == before + 1, "sent once"
    assert len(flow.messages) == before + 1
    assert ctx.session.activity_log.counts["message.sent"] == 1
    # a new reply gets a new key
    flow.reply()
    flow.choose_ready(READY_ANSWERS[2])
    assert flow.send()
    assert len({kw["idempotency_key"] for _, kw in space.writes("reply")}) == 2


def test_attachments_open_in_the_viewer_and_come_back(ctx, sign_in):
    sign_in("rich")
    flow = at_thread(ctx, HOSPITAL)
    assert len(flow.attachments) == 2 and all(d.title for d in flow.attachments.values())
    assert not flow.open_attachment("not-in-this-thread")
    document_id = next(iter(flow.attachments))
    assert flow.open_attachment(document_id)
    assert (flow.step, flow.step_number) == (MessagesStep.ATTACHMENT, 3)
    viewer = flow.viewer
    assert viewer.step is DocumentsStep.VIEWER and viewer.document.id == document_id and viewer.page_text
    assert viewer.ask_hide() and viewer.step is DocumentsStep.CONFIRM_HIDE
    assert flow.back() and flow.step is MessagesStep.ATTACHMENT and viewer.step is DocumentsStep.VIEWER
    assert flow.back() and flow.step is MessagesStep.THREAD and flow.viewer is None and viewer.finished
    # the viewer's own back button comes back to the thread too
    flow.open_attachment(document_id)
    seen = []
    flow.add_listener(lambda f: seen.append(f.step))
    assert flow.viewer.back()
    assert flow.step is MessagesStep.THREAD and seen[-1] is MessagesStep.THREAD
    assert ctx.session.activity_log.counts["document.viewed"] == 1


def test_no_message_at_all(ctx, sign_in):
    sign_in("empty")
    flow = MessagesFlow(ctx).start()
    assert flow.threads == [] and flow.empty_key == "flows.messages.empty"


def test_back_and_cancel_at_every_step(ctx, sign_in, demo):
    patient = sign_in("rich")
    before = len(demo.get_thread(patient, RESULTS).messages)
    routes = {
        MessagesStep.THREADS: (lambda f: None, None),
        MessagesStep.THREAD: (lambda f: f.open_thread(RESULTS), MessagesStep.THREADS),
        MessagesStep.ATTACHMENT: (lambda f: (f.open_thread(RESULTS), f.open_attachment(ATTACHMENT)), MessagesStep.THREAD),
        MessagesStep.REPLY_CHOICE: (lambda f: (f.open_thread(RESULTS), f.reply()), MessagesStep.THREAD),
        MessagesStep.REPLY_TYPING: (lambda f: (f.open_thread(RESULTS), f.reply(), f.type_text()), MessagesStep.REPLY_CHOICE),
        MessagesStep.REPLY_CONFIRM: (
            lambda f: (f.open_thread(RESULTS), f.reply(), f.choose_ready(READY_ANSWERS[0])), MessagesStep.REPLY_CHOICE),
    }
    for step, (route, back_to) in routes.items():
        flow = MessagesFlow(ctx).start()
        route(flow)
        assert flow.step is step, step
        assert flow.back()
        if back_to is None:
            assert flow.finished and flow.outcome is Outcome.CANCELLED
        else:
            assert flow.step is back_to, step
        flow = MessagesFlow(ctx).start()
        route(flow)
        viewer = flow.viewer
        assert flow.cancel() and flow.finished and flow.thread is None and flow.threads == []
        assert viewer is None or viewer.finished
    assert len(demo.get_thread(patient, RESULTS).messages) == before, "nothing was sent"
