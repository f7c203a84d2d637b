"""Training mode (core): each exercise is reached by driving the real flows on the demo backend,
a wrong action is never counted as success, and "Recommencer" resets the demo data."""

from __future__ import annotations

import pytest

from kiosk.core import training as tr
from kiosk.core.assisted import AssistedSession, HelperIdentity, forward_audit
from kiosk.core.flows.agenda import AgendaFlow
from kiosk.core.flows.base import PATIENT_SESSION, Flow, FlowContext
from kiosk.core.i18n import Catalog
from kiosk.core.models import Category
from kiosk.core.training import EXERCISES, ResultState, Training
from kiosk.services.backend.demo import DEMO_ROLES, demo_patient_cards, load_demo_data

from assisted_helpers import (
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

HELPER = HelperIdentity("Mme Formatrice Test", "Pharmacie Test", "hlp-" + "0" * 24)


@pytest.fixture(autouse=True)
def _programming_errors_are_loud(monkeypatch):
    monkeypatch.setattr(Flow, "reraise_unexpected", True)


class Kiosk:
    """A training kiosk: demo backend, one kiosk session, the training state."""

    def __init__(self) -> None:
        self.clock = new_clock()
        self.demo = new_demo(self.clock)
        self.session = new_session(self.clock)
        self.training = Training(self.demo, session=self.session)
        self.assisted: AssistedSession | None = None

    def begin(self, exercise_id: str) -> FlowContext:
        run = self.training.start(exercise_id)
        guard = None
        hook = forward_audit(self.training.audit_hook)
        if run.exercise.assisted:
            self.assisted = AssistedSession(HELPER, session=self.session)
            self.training.attach_assisted(self.assisted)
            guard = self.assisted.guard
            hook = forward_audit(self.training.audit_hook, self.assisted.record)
        ctx = FlowContext(self.demo, self.session, audit=hook, guard=guard)
        sign_in(ctx, run.exercise.patient_ins)
        return ctx

    @property
    def state(self) -> ResultState:
        return self.training.current.state

    @property
    def reason(self) -> str | None:
        verdict = self.training.current.verdict
        return verdict.reason_key if verdict else None


@pytest.fixture
def kiosk() -> Kiosk:
    return Kiosk()


def _assisted_done(k: Kiosk, ctx) -> None:
    assert k.assisted.give_consent(["documents", "agenda"])
    view_document(ctx, tr.LATEST_PRESCRIPTION_ID)
    assert k.state is ResultState.RUNNING  # not done before the end
    k.session.end()


DRIVERS = {
    "read_prescription": lambda k, ctx: view_document(ctx, tr.LATEST_PRESCRIPTION_ID),
    "hide_document": lambda k, ctx: hide_document(ctx, tr.DOCUMENT_TO_HIDE_ID),
    "block_professional": lambda k, ctx: block_professional(ctx, tr.PROFESSIONAL_TO_BLOCK_ID),
    "temporary_code": lambda k, ctx: create_code(ctx, 1),
    "answer_message": lambda k, ctx: answer(ctx, tr.THREAD_TO_ANSWER_ID),
    "assisted_session": _assisted_done,
}


def test_at_least_six_exercises_with_goals_in_both_languages():
    assert len(EXERCISES) >= 6
    assert set(DRIVERS) <= {e.id for e in EXERCISES}
    cards = {c.ins for c in demo_patient_cards()}
    for exercise in EXERCISES:
        assert exercise.patient_ins in cards
        assert load_demo_data().by_ins(exercise.patient_ins).patient.id == exercise.patient_id
        for lang in ("fr", "en"):
            catalog = Catalog.load(lang)
            assert catalog.tr(exercise.goal_key) and catalog.tr(exercise.title_key)
            assert len(catalog.tr(exercise.goal_key).split()) <= 15 * 2


def test_the_exercise_targets_exist_in_the_demo_data():
    record = load_demo_data().by_id(DEMO_ROLES["rich"])
    prescriptions = sorted((d for d in record.documents if d.category is Category("ordonnance")),
                           key=lambda d: d.date, reverse=True)
    assert prescriptions[0].id == tr.LATEST_PRESCRIPTION_ID
    assert prescriptions[0].date > prescriptions[1].date
    assert any(d.id == tr.DOCUMENT_TO_HIDE_ID and not d.hidden_from_professionals for d in record.documents)
    assert any(r.professional.id == tr.PROFESSIONAL_TO_BLOCK_ID and not r.blocked for r in record.access_rights)
    thread = next(t for t in record.threads if t.id == tr.THREAD_TO_ANSWER_ID)
    assert "harmacien" in thread.professional.profession


@pytest.mark.parametrize("exercise_id", list(DRIVERS))
def test_each_exercise_succeeds_when_really_done(kiosk, exercise_id):
    ctx = kiosk.begin(exercise_id)
    assert kiosk.state is ResultState.RUNNING
    DRIVERS[exercise_id](kiosk, ctx)
    assert kiosk.state is ResultState.SUCCESS, kiosk.reason
    assert kiosk.reason == tr.SUCCESS_KEY
    assert kiosk.training.results[exercise_id].success


def _hide_other(k, ctx):
    hide_document(ctx, "paulette-ophtalmo-2026-06")


def _open_old_prescription(k, ctx):
    view_document(ctx, "paulette-ord-2026-08")
    view_document(ctx, tr.LATEST_PRESCRIPTION_ID)  # too late: the first try counts


def _read_and_hide(k, ctx):
    hide_document(ctx, "paulette-bio-2026-11")  # opens (not a prescription) then hides: a change nobody asked for


def _block_other(k, ctx):
    block_professional(ctx, "pro-generaliste")


def _block_and_hide(k, ctx):
    hide_document(ctx, tr.DOCUMENT_TO_HIDE_ID)


def _code_one_hour(k, ctx):
    create_code(ctx, 0)


def _answer_other(k, ctx):
    answer(ctx, "paulette-fil-resultats")


def _assisted_withdrawn(k, ctx):
    assert k.assisted.give_consent(["documents"])
    view_document(ctx, tr.LATEST_PRESCRIPTION_ID)
    k.assisted.withdraw()


def _assisted_refused(k, ctx):
    k.assisted.refuse()


def _assisted_nothing(k, ctx):
    assert k.assisted.give_consent(["agenda"])
    AgendaFlow(ctx).start()
    k.session.end()


@pytest.mark.parametrize(
    "exercise_id, wrong, reason",
    [
        ("read_prescription", _open_old_prescription, tr.OTHER_DOCUMENT_VIEWED_KEY),
        ("read_prescription", _read_and_hide, tr.UNWANTED_CHANGE_KEY),
        ("hide_document", _hide_other, tr.OTHER_DOCUMENT_HIDDEN_KEY),
        ("block_professional", _block_other, tr.OTHER_PROFESSIONAL_KEY),
        ("block_professional", _block_and_hide, tr.UNWANTED_CHANGE_KEY),
        ("temporary_code", _code_one_hour, tr.WRONG_DURATION_KEY),
        ("answer_message", _answer_other, tr.OTHER_THREAD_KEY),
        ("assisted_session", _assisted_withdrawn, tr.CONSENT_STOPPED_KEY),
        ("assisted_session", _assisted_refused, tr.CONSENT_REFUSED_KEY),
        ("assisted_session", _assisted_nothing, tr.NOTHING_DONE_KEY),
    ],
    ids=lambda v: v.__name__ if callable(v) else None,
)
def test_a_wrong_action_is_not_counted_as_success(kiosk, exercise_id, wrong, reason):
    ctx = kiosk.begin(exercise_id)
    wrong(kiosk, ctx)
    assert kiosk.state is ResultState.FAILURE
    assert kiosk.reason == reason
    # a later right action does not turn the failure into a success
    assert kiosk.training.check().success is False
    assert not kiosk.training.results[exercise_id].success


def test_leaving_before_the_goal_is_a_failure_not_a_success(kiosk):
    ctx = kiosk.begin("hide_document")
    view_document(ctx, tr.DOCUMENT_TO_HIDE_ID)  # looked, did not hide
    assert kiosk.state is ResultState.RUNNING
    verdict = kiosk.training.stop()
    assert verdict is not None and not verdict.success and verdict.reason_key == tr.NOT_DONE_KEY


def test_restart_resets_demo_data_and_results(kiosk):
    ctx = kiosk.begin("hide_document")
    hide_document(ctx, tr.DOCUMENT_TO_HIDE_ID)
    patient = kiosk.session.data[PATIENT_SESSION]
    assert kiosk.demo.get_document(patient, tr.DOCUMENT_TO_HIDE_ID).hidden_from_professionals
    assert kiosk.training.succeeded == 1
    kiosk.training.restart()
    assert kiosk.training.results == {} and kiosk.training.current is None
    # the demo data is back as it was (signed in again: the reset also forgot the backend's sessions)
    other = new_session(kiosk.clock)
    sign_in(FlowContext(kiosk.demo, other), tr.PAULETTE_INS)
    patient = other.data[PATIENT_SESSION]
    assert not kiosk.demo.get_document(patient, tr.DOCUMENT_TO_HIDE_ID).hidden_from_professionals
    ctx = kiosk.begin("hide_document")
    assert kiosk.state is ResultState.RUNNING
    # records after restart are checked afresh
    hide_document(ctx, tr.DOCUMENT_TO_HIDE_ID)
    assert kiosk.state is ResultState.SUCCESS


def test_summary_counts_successes_and_names_each_exercise(kiosk):
    ctx = kiosk.begin("read_prescription")
    view_document(ctx, tr.LATEST_PRESCRIPTION_ID)
    ctx = kiosk.begin("block_professional")
    block_professional(ctx, "pro-generaliste")
    lines = kiosk.training.render_summary(Catalog.load("fr"))
    assert lines[0] == f"Vous avez réussi 1 exercice sur {len(EXERCISES)}."
    assert "Lire la dernière ordonnance : réussi." in lines
    assert "Bloquer un professionnel : pas réussi." in lines
    assert "Masquer un document : pas encore fait." in lines
    en = kiosk.training.render_summary(Catalog.load("en"))
    assert en[0] == f"You passed 1 exercise out of {len(EXERCISES)}."
    states = {line.exercise.id: line.state for line in kiosk.training.summary()}
    assert states["read_prescription"] is ResultState.SUCCESS
    assert states["block_professional"] is ResultState.FAILURE
    assert states["answer_message"] is ResultState.NOT_TRIED
