"""Assisted sessions: consent before anything, scopes enforced in core, withdrawal at once,
the end list equals what was done, and a journal without names or health content.

Real demo backend, real core flows, a real ephemeral SQLCipher store for the journal and
the helper account."""

from __future__ import annotations

import pytest

from kiosk.core.assisted import (
    CHOOSABLE_SCOPES,
    Actor,
    AssistedSession,
    ConsentState,
    HelperIdentity,
    Kind,
    forward_audit,
)
from kiosk.core.errors import NotAllowed
from kiosk.core.flows.access import AccessFlow
from kiosk.core.flows.access_code import AccessCodeFlow
from kiosk.core.flows.agenda import AgendaFlow
from kiosk.core.flows.base import PATIENT_SESSION, SCOPES, Flow, FlowContext, audit_to_journal
from kiosk.core.flows.closure import ClosureFlow
from kiosk.core.flows.documents import DocumentsFlow
from kiosk.core.flows.messages import READY_ANSWERS, MessagesFlow
from kiosk.core.i18n import Catalog
from kiosk.services.storage import open_ephemeral

from assisted_helpers import (
    RICH_INS,
    answer,
    block_professional,
    create_code,
    hide_document,
    new_clock,
    new_demo,
    new_session,
    sign_in,
    view_document,
)

HELPER_NAME = "Mme Canari Zebulon"
HELPER_ORG = "Pharmacie Girafe-Canari"
DOC = "paulette-radio-2026-09"
DOC_TITLE = "Radiographie du poignet gauche"
OTHER_DOC = "paulette-ord-2026-11"
PRO = "pro-radiologue"
THREAD = "paulette-fil-pharmacie"

DATA_FLOWS = (DocumentsFlow, MessagesFlow, AgendaFlow, AccessFlow, AccessCodeFlow, ClosureFlow)


@pytest.fixture(autouse=True)
def _programming_errors_are_loud(monkeypatch):
    monkeypatch.setattr(Flow, "reraise_unexpected", True)


@pytest.fixture
def clock():
    return new_clock()


@pytest.fixture
def demo(clock):
    return new_demo(clock)


@pytest.fixture
def session(clock):
    return new_session(clock)


@pytest.fixture
def storage(clock):
    store = open_ephemeral(clock=clock)
    yield store
    store.close()


@pytest.fixture
def helper(storage) -> HelperIdentity:
    storage.helpers.add("canari.zebulon", HELPER_NAME, HELPER_ORG, "274951")
    result = storage.helpers.verify_pin("canari.zebulon", "274951")
    assert result.ok
    return HelperIdentity.of(result.helper)


@pytest.fixture
def assisted(helper, session, storage) -> AssistedSession:
    return AssistedSession(helper, session=session, journal=storage.journal)


@pytest.fixture
def ctx(demo, session, assisted, storage) -> FlowContext:
    audit = forward_audit(audit_to_journal(storage.journal), assisted.record)
    return FlowContext(demo, session, audit=audit, guard=assisted.guard)


# ------------------------------------------------------------------ consent


def test_sign_in_is_allowed_but_nothing_is_readable_before_consent(ctx, assisted):
    sign_in(ctx)
    assert assisted.consent_pending
    for flow_class in DATA_FLOWS:
        flow = flow_class(ctx).start()
        assert flow.refused, flow_class.__name__
        assert flow.error_key == "errors.not_allowed"
        assert not flow.can_retry
    flow = DocumentsFlow(ctx).start()
    assert flow.categories in ([], (), None) or not any(c.count for c in flow.categories)
    assert flow.choose_category(None) is False and flow.document is None
    assert ctx.session.activity_log.counts == {}
    assert assisted.actions == ()
    for scope in CHOOSABLE_SCOPES:
        with pytest.raises(NotAllowed):
            assisted.guard(scope)


def test_consent_needs_a_scope_and_only_known_scopes(assisted):
    assert assisted.give_consent([]) is False
    assert assisted.state is ConsentState.WAITING
    with pytest.raises(ValueError):
        assisted.give_consent(["closure"])
    with pytest.raises(ValueError):
        assisted.give_consent(["sign_in"])
    assert assisted.give_consent(["documents"])
    assert assisted.give_consent(["messages"]) is False  # no second consent: the scopes stay
    assert assisted.scopes == {"documents"}


@pytest.mark.parametrize("chosen", [("documents",), ("messages", "agenda"), ("access",), CHOOSABLE_SCOPES])
def test_only_the_chosen_scopes_are_allowed(ctx, assisted, chosen):
    sign_in(ctx)
    assert assisted.give_consent(chosen)
    scope_of = {DocumentsFlow: "documents", MessagesFlow: "messages", AgendaFlow: "agenda", AccessFlow: "access",
                AccessCodeFlow: "access", ClosureFlow: "closure"}
    for flow_class in DATA_FLOWS:
        flow = flow_class(ctx).start()
        assert flow.refused is (scope_of[flow_class] not in chosen), flow_class.__name__
    for scope in SCOPES:
        if scope in chosen or scope == "sign_in":
            assisted.guard(scope)
        else:
            with pytest.raises(NotAllowed):
                assisted.guard(scope)


def test_an_action_outside_the_scopes_is_refused_even_when_called_directly(ctx, assisted, demo):
    sign_in(ctx)
    assert assisted.give_consent(["documents"])
    flow = AccessFlow(ctx)  # built but never started: the UI skipped the check
    assert flow.ask_block(PRO) is False
    assert flow.confirm() is False
    assert flow.refused
    patient = ctx.session.data[PATIENT_SESSION]
    assert not any(r.blocked for r in demo.list_access_rights(patient) if r.professional.id == PRO)
    assert assisted.actions == ()


def test_refusal_drops_the_patient_and_refuses_everything(ctx, assisted, session):
    sign_in(ctx)
    session.prefs.text_size = 3
    assert assisted.refuse()
    assert assisted.state is ConsentState.REFUSED and not assisted.active
    assert PATIENT_SESSION not in session.data
    assert session.prefs.text_size == 3  # the patient keeps their own display
    for scope in SCOPES:
        with pytest.raises(NotAllowed):
            assisted.guard(scope)
    assert assisted.give_consent(["documents"]) is False


# --------------------------------------------------------------- withdrawal


def _at_document_viewer(ctx):
    return view_document(ctx, DOC), lambda f: f.ask_hide() or f.confirm()


def _at_confirm_hide(ctx):
    flow = view_document(ctx, DOC)
    assert flow.ask_hide()
    return flow, lambda f: f.confirm()


def _at_reply_confirm(ctx):
    flow = MessagesFlow(ctx).start()
    assert flow.open_thread(THREAD) and flow.reply() and flow.choose_ready(READY_ANSWERS[0])
    return flow, lambda f: f.send()


def _at_agenda(ctx):
    flow = AgendaFlow(ctx).start()
    return flow, lambda f: f.open_appointment(f.appointments[0].id if f.appointments else "x")


def _at_confirm_block(ctx):
    flow = AccessFlow(ctx).start()
    assert flow.ask_block(PRO)
    return flow, lambda f: f.confirm()


def _at_code_duration(ctx):
    flow = AccessCodeFlow(ctx).start()
    return flow, lambda f: f.choose_duration(1)


def _at_consent_screen(ctx):
    return None, None


@pytest.mark.parametrize(
    "reach",
    [_at_consent_screen, _at_document_viewer, _at_confirm_hide, _at_reply_confirm, _at_agenda, _at_confirm_block,
     _at_code_duration],
    ids=lambda f: f.__name__.removeprefix("_at_"),
)
def test_withdrawal_from_any_step_keeps_the_patient_signed_in_and_refuses_the_helper_what_follows(ctx, assisted, session, demo, reach):
    sign_in(ctx)
    patient = session.data[PATIENT_SESSION]
    if reach is not _at_consent_screen:
        assert assisted.give_consent(CHOOSABLE_SCOPES)
    flow, next_action = reach(ctx)
    before = list(assisted.actions)
    session.prefs.language = "en"
    assert assisted.withdraw()
    assert assisted.state is ConsentState.WITHDRAWN and not assisted.active
    # the helper's part only: the patient stays signed in, the flows opened with the helper are gone
    assert session.data.get(PATIENT_SESSION) is patient
    assert not any(getattr(v, "guard", None) == assisted.guard for v in session.data.values())
    assert session.prefs.language == "en"
    if flow is not None:
        assert flow.finished  # wiped at once, not at its next action
        for name in ("document", "content", "thread", "appointment", "rights", "current", "threads"):
            value = getattr(flow, name, None)
            assert not value, name
        assert next_action(flow) is False
    for flow_class in DATA_FLOWS:
        assert flow_class(ctx).start().refused
    for scope in SCOPES:
        with pytest.raises(NotAllowed):
            assisted.guard(scope)
    # nothing changed on the backend after the withdrawal
    assert not demo.get_document(patient, DOC).hidden_from_professionals
    assert not any(r.blocked for r in demo.list_access_rights(patient) if r.professional.id == PRO)
    assert demo.list_access_codes(patient) == []
    assert list(assisted.actions) == before
    assert assisted.withdraw() is False


# ------------------------------------------------------------------ end list


def test_the_end_list_equals_what_was_done_and_by_whom(ctx, assisted, session):
    sign_in(ctx)
    assert assisted.give_consent(CHOOSABLE_SCOPES)
    view_document(ctx, OTHER_DOC)
    hide_document(ctx, DOC)  # viewed then hidden
    with assisted.acting_as(Actor.PATIENT):
        answer(ctx, THREAD)  # read then sent
        block_professional(ctx, PRO)
    assisted.set_actor(Actor.PATIENT)
    create_code(ctx, 0)
    lines = {(line.kind, line.actor): line.count for line in assisted.end_lines()}
    assert lines == {
        (Kind.DOCUMENT_VIEWED, Actor.HELPER): 2,
        (Kind.DOCUMENT_HIDDEN, Actor.HELPER): 1,
        (Kind.MESSAGE_READ, Actor.PATIENT): 1,
        (Kind.MESSAGE_SENT, Actor.PATIENT): 1,
        (Kind.PROFESSIONAL_BLOCKED, Actor.PATIENT): 1,
        (Kind.CODE_CREATED, Actor.PATIENT): 1,
    }
    fr = assisted.end_list(Catalog.load("fr"))
    assert fr == [
        f"{HELPER_NAME} a regardé 2 documents.",
        f"{HELPER_NAME} a masqué 1 document.",
        "Vous avez lu 1 message.",
        "Vous avez envoyé 1 message.",
        "Vous avez bloqué 1 professionnel.",
        "Vous avez créé 1 code temporaire.",
    ]
    en = assisted.end_list(Catalog.load("en"))
    assert en[0] == f"{HELPER_NAME} looked at 2 documents." and en[-1] == "You created 1 temporary code."
    # it survives the end of the session (shown on the end screen), and the helper signs out
    session.end()
    assert assisted.state is ConsentState.ENDED
    assert assisted.end_list(Catalog.load("fr")) == fr
    assert all(logged.record.subject_id is None for logged in assisted.actions)  # only kinds are kept
    assert assisted._on_session_end not in session.on_end  # nothing of it reaches the next person
    payload = assisted.qr_payload(Catalog.load("fr"))
    assert HELPER_NAME in payload and HELPER_ORG in payload and "1er décembre 2026" in payload
    for line in fr:
        assert line in payload
    assert DOC_TITLE not in payload and "Paulette" not in payload and RICH_INS not in payload


def test_the_end_list_says_when_nothing_was_done(assisted):
    assert assisted.end_list(Catalog.load("fr")) == ["Rien n'a été fait dans votre espace santé."]
    assert assisted.end_list(Catalog.load("en")) == ["Nothing was done in your health space."]


def test_every_end_list_key_exists_in_both_languages():
    for lang in ("fr", "en"):
        catalog = Catalog.load(lang)
        for kind in Kind:
            for actor in Actor:
                for form in ("one", "other"):
                    assert catalog.has(f"assisted.end.{actor.value}.{kind.value}.{form}"), (lang, kind, actor)


def test_band_values_and_listeners(assisted):
    seen = []
    assisted.add_listener(lambda a: seen.append(a.state))
    text = Catalog.load("fr").tr("assisted.band", **assisted.band_values())
    assert text == f"Accompagné par {HELPER_NAME} ({HELPER_ORG})"
    assisted.give_consent(["agenda"])
    assisted.withdraw()
    assert seen == [ConsentState.GIVEN, ConsentState.WITHDRAWN]
    assert HELPER_NAME not in repr(assisted) and HELPER_NAME not in repr(assisted.helper)


# ------------------------------------------------------------------- journal


def test_journal_has_consent_and_sign_out_with_the_helper_fingerprint_only(ctx, assisted, session, storage, helper):
    sign_in(ctx)
    assert assisted.give_consent(["documents", "access"])
    hide_document(ctx, DOC)
    block_professional(ctx, PRO)
    assert assisted.withdraw()
    session.end()
    session.end()
    entries = list(storage.journal.entries())
    actions = [e.action.value for e in entries]
    assert actions.count("helper.signed_in") == 1
    assert actions.count("helper.signed_out") == 1
    given = next(e for e in entries if e.action.value == "consent.given")
    withdrawn = next(e for e in entries if e.action.value == "consent.withdrawn")
    assert given.details["scopes"] == ["documents", "access"]
    assert withdrawn.details["scopes"] == ["documents", "access"]
    for entry in (given, withdrawn, entries[actions.index("helper.signed_out")]):
        assert entry.subjects == (helper.fingerprint,)
    assert actions.index("consent.given") < actions.index("document.hidden") < actions.index("consent.withdrawn")
    exported = "\n".join(storage.journal.export())
    for canary in ("Canari", "Zebulon", "Girafe", "canari.zebulon", "Paulette", "Exemple", RICH_INS, "Radiographie",
                   "poignet", "Image-Test", DOC, PRO):
        assert canary.lower() not in exported.lower(), canary
    assert storage.journal.verify().ok
