"""Shared by test_assisted.py and test_training.py: a kiosk session on the real demo backend,
and small drivers that use the real core flows as the UI would."""

from __future__ import annotations

from kiosk.core.clock import FakeClock
from kiosk.core.flows.access import AccessFlow
from kiosk.core.flows.access_code import AccessCodeFlow
from kiosk.core.flows.base import PATIENT_SESSION, FlowContext
from kiosk.core.flows.documents import DocumentsFlow
from kiosk.core.flows.messages import READY_ANSWERS, MessagesFlow
from kiosk.core.flows.sign_in import SignInFlow, SignInStep
from kiosk.core.session import Preferences, Session
from kiosk.services.backend.demo import DEMO_NOW, DemoHealthSpace, demo_sign_in_code

RICH_INS = "244039999900168"


def new_clock() -> FakeClock:
    return FakeClock(DEMO_NOW)


def new_session(clock) -> Session:
    session = Session(clock, timeout_s=300, warning_s=30, defaults=Preferences(language="fr", text_size=1, theme="standard"))
    session.start()
    return session


def new_demo(clock) -> DemoHealthSpace:
    return DemoHealthSpace(clock)


def sign_in(ctx: FlowContext, ins: str = RICH_INS) -> SignInFlow:
    flow = SignInFlow(ctx).start()
    for ch in ins:
        flow.append_digit(ch)
    flow.submit_identifier()
    for ch in demo_sign_in_code(ins):
        flow.append_digit(ch)
    flow.submit_code()
    assert flow.step is SignInStep.SIGNED_IN, flow.error_key
    assert PATIENT_SESSION in ctx.session.data
    return flow


def view_document(ctx, document_id: str) -> DocumentsFlow:
    flow = DocumentsFlow(ctx).start()
    flow.choose_category(None)
    assert flow.open_document(document_id), flow.error_key
    return flow


def hide_document(ctx, document_id: str) -> DocumentsFlow:
    flow = view_document(ctx, document_id)
    assert flow.ask_hide(), flow.error_key
    assert flow.confirm(), flow.error_key
    return flow


def block_professional(ctx, professional_id: str) -> AccessFlow:
    flow = AccessFlow(ctx).start()
    assert flow.ask_block(professional_id), flow.error_key
    assert flow.confirm(), flow.error_key
    return flow


def create_code(ctx, duration_index: int) -> AccessCodeFlow:
    flow = AccessCodeFlow(ctx).start()
    assert flow.choose_duration(duration_index), flow.error_key
    return flow


def answer(ctx, thread_id: str) -> MessagesFlow:
    flow = MessagesFlow(ctx).start()
    assert flow.open_thread(thread_id), flow.error_key
    assert flow.reply()
    assert flow.choose_ready(READY_ANSWERS[0])
    assert flow.send(), flow.error_key
    return flow
