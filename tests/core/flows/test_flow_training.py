"""Where the trainee is: the exercises, a goal, the exercise, its result, the summary, Recommencer."""

from __future__ import annotations

import pytest

from kiosk.core import training as tr
from kiosk.core.audit import AuditAction, SubjectKind
from kiosk.core.flows.base import AuditRecord
from kiosk.core.flows.training import DEFAULT_EXERCISE, TrainingFlow, TrainingStep
from kiosk.core.training import Training

Step = TrainingStep
READ = AuditRecord(AuditAction.DOCUMENT_VIEWED, SubjectKind.DOCUMENT, tr.LATEST_PRESCRIPTION_ID,
                   {"category": "ordonnance"})


@pytest.fixture
def training(demo, session) -> Training:
    return Training(demo, session=session)


@pytest.fixture
def flow(training) -> TrainingFlow:
    return TrainingFlow(training)


def test_menu_goal_exercise_result(flow, training):
    assert flow.step is Step.MENU and not flow.finished and flow.exercise.id == DEFAULT_EXERCISE
    assert not flow.start() and not flow.verify() and not flow.resume(), "not this step's actions"
    assert flow.choose("read_prescription") and flow.step is Step.GOAL
    assert flow.exercise.id == "read_prescription"
    assert flow.start() and flow.step is Step.EXERCISE and flow.active == "read_prescription"
    assert training.current.exercise.id == "read_prescription"
    training.audit_hook(READ)  # what the documents flow records when the prescription is opened
    assert flow.verify() and flow.step is Step.RESULT
    assert training.results["read_prescription"].success
    assert flow.active == "read_prescription", "still the exercise of the band until the menu"


def test_check_too_early_then_continue_then_stop(flow, training):
    flow.choose("hide_document")
    flow.start()
    assert flow.verify() and training.current.verdict is None
    assert flow.resume() and flow.step is Step.EXERCISE
    assert flow.verify() and flow.stop()
    assert flow.step is Step.RESULT and training.results["hide_document"].reason_key == tr.NOT_DONE_KEY
    assert flow.choose("hide_document") and flow.step is Step.GOAL, "again, from its result"


def test_the_menu_stops_a_running_exercise(flow, training):
    flow.choose("block_professional")
    flow.start()
    assert flow.open_menu() and flow.step is Step.MENU and flow.active is None
    assert training.results["block_professional"].reason_key == tr.NOT_DONE_KEY
    assert not flow.verify()


def test_summary_and_restart(flow, training, demo):
    flow.choose("read_prescription")
    flow.start()
    training.audit_hook(READ)
    flow.open_menu()
    assert flow.show_summary() and flow.step is Step.SUMMARY and not flow.restarted
    assert training.succeeded == 1
    assert flow.restart() and flow.step is Step.SUMMARY and flow.restarted
    assert training.results == {} and training.current is None and flow.active is None
    assert flow.open_menu() and not flow.restarted
    assert flow.show_summary() and not flow.restarted


def test_wrong_steps_and_unknown_exercises_change_nothing(flow):
    assert not flow.choose("no_such_exercise") and flow.step is Step.MENU
    assert not flow.restart() and not flow.stop()
    flow.show_summary()
    assert not flow.choose("hide_document") and flow.step is Step.SUMMARY
    assert not flow.show_summary() and flow.step is Step.SUMMARY
