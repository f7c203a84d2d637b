"""What every flow shares: scope guard, wrong-step actions, listeners, wipe, errors, audit."""

from __future__ import annotations

import pytest

from kiosk.core.audit import FINGERPRINT_RE, AuditAction
from kiosk.core.errors import NotAllowed
from kiosk.core.flows.access import AccessFlow
from kiosk.core.flows.access_code import AccessCodeFlow
from kiosk.core.flows.agenda import AgendaFlow
from kiosk.core.flows.base import PATIENT_SESSION, SCOPES, Flow, FlowContext, Outcome, audit_to_journal
from kiosk.core.flows.closure import ClosureFlow
from kiosk.core.flows.documents import DocumentsFlow, DocumentsStep
from kiosk.core.flows.messages import MessagesFlow, MessagesStep
from kiosk.core.flows.sign_in import SignInFlow
from kiosk.core.models import Category

ALL_FLOWS = (SignInFlow, DocumentsFlow, MessagesFlow, AgendaFlow, AccessFlow, AccessCodeFlow, ClosureFlow)
PATIENT_FLOWS = ALL_FLOWS[1:]


class Spy:
    """Records every port method called (to prove a refused flow asks nothing)."""

    def __init__(self, inner) -> None:
        self.inner, self.called = inner, []

    def __getattr__(self, name):
        target = getattr(self.inner, name)
        if callable(target):
            def call(*a, **kw):
                self.called.append(name)
                return target(*a, **kw)
            return call
        return target


class Consent:
    """A stand-in for the assisted-session consent: the scopes the patient agreed to."""

    def __init__(self, *scopes: str) -> None:
        self.scopes = set(scopes)
        self.asked: list[str] = []

    def __call__(self, scope: str) -> None:
        self.asked.append(scope)
        if scope not in self.scopes:
            raise NotAllowed()


def test_each_flow_names_a_known_scope():
    assert all(flow.scope in SCOPES for flow in ALL_FLOWS)
    assert len({f.scope for f in ALL_FLOWS}) == 6


@pytest.mark.parametrize("flow_class", PATIENT_FLOWS)
def test_a_flow_outside_the_scopes_is_refused_and_asks_nothing(flow_class, space, session, sign_in, ctx):
    sign_in("rich")
    spy = Spy(space)
    consent = Consent(*(s for s in SCOPES if s != flow_class.scope))
    flow = flow_class(FlowContext(spy, session, guard=consent)).start()
    assert consent.asked == [flow_class.scope]
    assert spy.called == [] and flow.refused
    assert flow.error_key == "errors.not_allowed" and not flow.can_retry and not flow.retry()
    assert set(flow.available_actions()) <= {"back", "cancel", "dismiss_error", "finish"}
    assert flow.back() and flow.finished


def test_withdrawing_consent_mid_flow_drops_the_data(ctx, sign_in):
    sign_in("rich")
    consent = Consent("documents")
    flow = DocumentsFlow(ctx, guard=consent).start()
    flow.choose_category(Category.RESULTAT)
    flow.open_document("paulette-bio-2026-11")
    assert flow.page_text
    consent.scopes.clear()
    assert not flow.next_page()
    assert flow.refused and flow.document is None and flow.content is None and flow.documents == ()
    assert flow.error_key == "errors.not_allowed"


def test_an_attachment_is_read_with_messages_but_changed_only_with_documents(ctx, sign_in, demo):
    patient = sign_in("rich")
    consent = Consent("messages")
    flow = MessagesFlow(ctx, guard=consent).start()
    flow.open_thread("paulette-fil-resultats")
    assert flow.open_attachment("paulette-bio-2026-11") and flow.viewer.page_text
    assert flow.viewer.ask_hide() and not flow.viewer.confirm()
    assert flow.viewer.error_key == "errors.not_allowed"
    assert not demo.get_document(patient, "paulette-bio-2026-11").hidden_from_professionals
    consent.scopes.add("documents")
    assert flow.viewer.confirm() and demo.get_document(patient, "paulette-bio-2026-11").hidden_from_professionals


def test_wrong_step_actions_are_ignored_and_listeners_hear_changes(ctx, sign_in):
    sign_in("rich")
    flow = DocumentsFlow(ctx)
    heard = []
    remove = flow.add_listener(lambda f: heard.append(f.step))
    flow.start()
    assert heard == [DocumentsStep.CATEGORIES]
    assert not flow.open_document("paulette-bio-2026-11") and not flow.confirm() and not flow.next_page()
    assert flow.step is DocumentsStep.CATEGORIES and flow.error_key is None
    assert "choose_category" in flow.available_actions() and "confirm" not in flow.available_actions()
    flow.choose_category(None)
    assert heard[-1] is DocumentsStep.LIST
    remove()
    flow.back()
    assert heard[-1] is DocumentsStep.LIST, "removed listener is not called"
    assert flow.start() is flow and flow.step is DocumentsStep.CATEGORIES, "start twice does nothing"


def test_the_end_of_the_session_wipes_every_flow(ctx, sign_in):
    sign_in("rich")
    documents = DocumentsFlow(ctx).start()
    documents.choose_category(None)
    documents.open_document("paulette-bio-2026-11")
    messages = MessagesFlow(ctx).start()
    messages.open_thread("paulette-fil-resultats")
    messages.open_attachment("paulette-bio-2026-11")
    ctx.session.end()
    assert PATIENT_SESSION not in ctx.session.data
    for flow in (documents, messages):
        assert flow.finished and flow.outcome is Outcome.CANCELLED
    assert documents.document is None and documents.content is None and documents.documents == ()
    assert messages.thread is None and messages.threads == [] and messages.viewer is None


@pytest.mark.parametrize("flow_class", PATIENT_FLOWS)
def test_not_signed_in_is_an_error(flow_class, ctx):
    flow = flow_class(ctx).start()
    assert flow.error_key == "errors.not_allowed.signed_out" and not flow.can_retry


def test_a_broken_backend_gives_the_generic_message(ctx, sign_in, monkeypatch):
    sign_in("rich")
    monkeypatch.setattr(Flow, "reraise_unexpected", False)

    class Broken(Spy):
        def list_threads(self, session):
            raise KeyError("bug")

    flow = MessagesFlow(FlowContext(Broken(ctx.space), ctx.session)).start()
    assert flow.error_key == "errors.generic" and flow.can_retry and flow.step is MessagesStep.THREADS


def test_audit_records_go_to_the_journal_as_fingerprints(space, session, sign_in, clock):
    from kiosk.services.storage import open_ephemeral

    storage = open_ephemeral(clock=clock)
    try:
        ctx = FlowContext(space, session, audit=audit_to_journal(storage.journal))
        flow = DocumentsFlow(ctx)
        SignInFlow(ctx)  # flows made but not started record nothing
        sign_in("rich")  # (the fixture's own context has no journal)
        flow.start()
        flow.choose_category(None)
        flow.open_document("paulette-bio-2026-11")
        flow.ask_hide()
        flow.confirm()
        entries = [e for e in storage.journal.entries() if e.action.value.startswith("document")]
        assert [e.action for e in entries] == [AuditAction.DOCUMENT_VIEWED, AuditAction.DOCUMENT_HIDDEN]
        for entry in entries:
            assert len(entry.subjects) == 1 and FINGERPRINT_RE.match(entry.subjects[0])
            assert "paulette" not in str(entry.as_dict())
            assert entry.details == {"category": "resultat"}
    finally:
        storage.close()
