"""Training mode: guided exercises for helpers, on the fictional demo patients.

Each :class:`Exercise` names its goal (a catalogue key), the demo patient to use,
and a checker that decides success from what the trainee really did: the
records the flows emit (``AuditRecord``), the assisted session's log, and the
backend's state. There is no "j'ai fini" button: a :class:`Training` gives the
flows an audit hook (``training.audit_hook``) and checks the exercise after every
record and every change of the assisted session. A wrong action (another
document, another professional, a change nobody asked for) ends the exercise
as a failure with a FALC reason.

``restart()`` ("Recommencer") puts the demo data back (``space.reset()``) and
forgets every result. Core only: the demo backend is reached through the
HealthSpace port plus its ``reset()`` method.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Callable, Sequence

from kiosk.core.assisted import AssistedSession, ConsentState
from kiosk.core.audit import AuditAction
from kiosk.core.errors import HealthSpaceError
from kiosk.core.flows.base import PATIENT_SESSION, AuditRecord
from kiosk.core.session import Session

BAND_KEY = "training.band"  # "MODE FORMATION — patients fictifs"
MENU_TITLE_KEY = "training.menu.title"
RESTART_KEY = "training.restart"  # "Recommencer"
SUCCESS_KEY = "training.result.success"
SUMMARY_TITLE_KEY = "training.summary.title"
SUMMARY_DONE_KEY = "training.summary.done"  # plural stem: {n} on {total}
SUMMARY_LINE_SUCCESS_KEY = "training.summary.line.success"  # {goal}
SUMMARY_LINE_FAILURE_KEY = "training.summary.line.failure"  # {goal}
SUMMARY_LINE_NOT_TRIED_KEY = "training.summary.line.not_tried"  # {goal}

# Failure reasons (FALC sentences in assisted.po).
NOT_DONE_KEY = "training.reason.not_done"
UNWANTED_CHANGE_KEY = "training.reason.unwanted_change"
OTHER_DOCUMENT_VIEWED_KEY = "training.reason.other_document_viewed"
OTHER_DOCUMENT_HIDDEN_KEY = "training.reason.other_document_hidden"
OTHER_PROFESSIONAL_KEY = "training.reason.other_professional"
WRONG_DURATION_KEY = "training.reason.wrong_duration"
OTHER_THREAD_KEY = "training.reason.other_thread"
CONSENT_STOPPED_KEY = "training.reason.consent_stopped"
CONSENT_REFUSED_KEY = "training.reason.consent_refused"
NOTHING_DONE_KEY = "training.reason.nothing_done"

#: Actions that change something for the patient: never allowed unless the exercise asks for it.
CHANGES = frozenset(
    {
        AuditAction.DOCUMENT_HIDDEN,
        AuditAction.DOCUMENT_SHOWN,
        AuditAction.MESSAGE_SENT,
        AuditAction.PROFESSIONAL_BLOCKED,
        AuditAction.PROFESSIONAL_UNBLOCKED,
        AuditAction.EMERGENCY_ACCESS_CHANGED,
        AuditAction.CODE_CREATED,
        AuditAction.CODE_REVOKED,
        AuditAction.CLOSURE_REQUESTED,
        AuditAction.REFUSAL_REQUESTED,
    }
)

# The demo patients and subjects the exercises use (ids of the demo data, checked by the tests).
PAULETTE_ID = "demo-paulette"
PAULETTE_INS = "244039999900168"
LATEST_PRESCRIPTION_ID = "paulette-ord-2026-11"
DOCUMENT_TO_HIDE_ID = "paulette-radio-2026-09"
PROFESSIONAL_TO_BLOCK_ID = "pro-radiologue"
THREAD_TO_ANSWER_ID = "paulette-fil-pharmacie"
CODE_DURATION = timedelta(days=1)


@dataclass(frozen=True)
class Verdict:
    success: bool
    reason_key: str  # SUCCESS_KEY or a failure reason

    @classmethod
    def ok(cls) -> "Verdict":
        return cls(True, SUCCESS_KEY)

    @classmethod
    def failed(cls, reason_key: str) -> "Verdict":
        return cls(False, reason_key)


@dataclass
class Evidence:
    """What a checker may look at: records since the exercise started, the backend, the assisted session."""

    records: list[AuditRecord]
    space: object
    session: Session | None
    assisted: AssistedSession | None

    @property
    def patient(self):
        return self.session.data.get(PATIENT_SESSION) if self.session is not None else None

    def of(self, action: AuditAction) -> list[AuditRecord]:
        return [r for r in self.records if r.action is action]

    def unwanted(self, allowed: frozenset[AuditAction] = frozenset()) -> bool:
        return any(r.action in CHANGES and r.action not in allowed for r in self.records)


Checker = Callable[[Evidence], "Verdict | None"]


@dataclass(frozen=True)
class Exercise:
    id: str
    goal_key: str  # catalogue key of the goal, shown and spoken
    patient_id: str  # demo patient id
    patient_ins: str  # to pick the demo card (its one-time code is shown in training mode)
    check: Checker = field(repr=False)
    assisted: bool = False  # the exercise runs inside an assisted session

    @property
    def title_key(self) -> str:
        return f"training.exercise.{self.id}.title"


# ------------------------------------------------------------------ checkers


def _check_read_prescription(ev: Evidence) -> Verdict | None:
    if ev.unwanted():
        return Verdict.failed(UNWANTED_CHANGE_KEY)
    for record in ev.of(AuditAction.DOCUMENT_VIEWED):
        if record.subject_id == LATEST_PRESCRIPTION_ID:
            return Verdict.ok()
        if record.details.get("category") == "ordonnance":
            return Verdict.failed(OTHER_DOCUMENT_VIEWED_KEY)
    return None


def _check_hide_document(ev: Evidence) -> Verdict | None:
    if ev.unwanted({AuditAction.DOCUMENT_HIDDEN}):
        return Verdict.failed(UNWANTED_CHANGE_KEY)
    for record in ev.of(AuditAction.DOCUMENT_HIDDEN):
        if record.subject_id != DOCUMENT_TO_HIDE_ID:
            return Verdict.failed(OTHER_DOCUMENT_HIDDEN_KEY)
        if _backend_confirms(ev, lambda space, patient: space.get_document(patient, DOCUMENT_TO_HIDE_ID).hidden_from_professionals):
            return Verdict.ok()
    return None


def _check_block_professional(ev: Evidence) -> Verdict | None:
    if ev.unwanted({AuditAction.PROFESSIONAL_BLOCKED}):
        return Verdict.failed(UNWANTED_CHANGE_KEY)
    for record in ev.of(AuditAction.PROFESSIONAL_BLOCKED):
        if record.subject_id != PROFESSIONAL_TO_BLOCK_ID:
            return Verdict.failed(OTHER_PROFESSIONAL_KEY)

        def blocked(space, patient) -> bool:
            return any(r.professional.id == PROFESSIONAL_TO_BLOCK_ID and r.blocked for r in space.list_access_rights(patient))

        if _backend_confirms(ev, blocked):
            return Verdict.ok()
    return None


def _check_temporary_code(ev: Evidence) -> Verdict | None:
    if ev.unwanted({AuditAction.CODE_CREATED}):
        return Verdict.failed(UNWANTED_CHANGE_KEY)
    for record in ev.of(AuditAction.CODE_CREATED):
        if record.details.get("duration_s") != int(CODE_DURATION.total_seconds()):
            return Verdict.failed(WRONG_DURATION_KEY)
        return Verdict.ok()
    return None


def _check_answer_message(ev: Evidence) -> Verdict | None:
    if ev.unwanted({AuditAction.MESSAGE_SENT}):
        return Verdict.failed(UNWANTED_CHANGE_KEY)
    for record in ev.of(AuditAction.MESSAGE_SENT):

        def in_thread(space, patient) -> bool:
            thread = space.get_thread(patient, THREAD_TO_ANSWER_ID)
            return any(m.id == record.subject_id and m.from_patient for m in thread.messages)

        if _backend_confirms(ev, in_thread):
            return Verdict.ok()
        return Verdict.failed(OTHER_THREAD_KEY)
    return None


def _check_assisted_session(ev: Evidence) -> Verdict | None:
    assisted = ev.assisted
    if assisted is None:
        return None
    if assisted.state is ConsentState.REFUSED:
        return Verdict.failed(CONSENT_REFUSED_KEY)
    if assisted.state is ConsentState.WITHDRAWN:
        return Verdict.failed(CONSENT_STOPPED_KEY)
    if assisted.state is ConsentState.ENDED:
        if not assisted.consent_was_given:
            return Verdict.failed(CONSENT_REFUSED_KEY)
        if not assisted.actions:
            return Verdict.failed(NOTHING_DONE_KEY)
        return Verdict.ok()
    return None


def _backend_confirms(ev: Evidence, question: Callable[[object, object], bool]) -> bool:
    """Ask the backend (while the patient is signed in); a record alone counts when it cannot be asked."""
    patient = ev.patient
    if patient is None:
        return True
    try:
        return bool(question(ev.space, patient))
    except HealthSpaceError:
        return False


EXERCISES: tuple[Exercise, ...] = (
    Exercise("read_prescription", "training.exercise.read_prescription.goal", PAULETTE_ID, PAULETTE_INS,
             _check_read_prescription),
    Exercise("hide_document", "training.exercise.hide_document.goal", PAULETTE_ID, PAULETTE_INS,
             _check_hide_document),
    Exercise("block_professional", "training.exercise.block_professional.goal", PAULETTE_ID, PAULETTE_INS,
             _check_block_professional),
    Exercise("temporary_code", "training.exercise.temporary_code.goal", PAULETTE_ID, PAULETTE_INS,
             _check_temporary_code),
    Exercise("answer_message", "training.exercise.answer_message.goal", PAULETTE_ID, PAULETTE_INS,
             _check_answer_message),
    Exercise("assisted_session", "training.exercise.assisted_session.goal", PAULETTE_ID, PAULETTE_INS,
             _check_assisted_session, assisted=True),
)


class ResultState(str, enum.Enum):
    NOT_TRIED = "not_tried"
    RUNNING = "running"
    SUCCESS = "success"
    FAILURE = "failure"


@dataclass
class ExerciseRun:
    exercise: Exercise
    records: list[AuditRecord] = field(default_factory=list)
    verdict: Verdict | None = None
    assisted: AssistedSession | None = None

    @property
    def state(self) -> ResultState:
        if self.verdict is None:
            return ResultState.RUNNING
        return ResultState.SUCCESS if self.verdict.success else ResultState.FAILURE

    @property
    def finished(self) -> bool:
        return self.verdict is not None


@dataclass(frozen=True)
class SummaryLine:
    exercise: Exercise
    state: ResultState

    def render(self, catalog) -> str:
        key = {
            ResultState.SUCCESS: SUMMARY_LINE_SUCCESS_KEY,
            ResultState.FAILURE: SUMMARY_LINE_FAILURE_KEY,
        }.get(self.state, SUMMARY_LINE_NOT_TRIED_KEY)
        return catalog.tr(key, goal=catalog.tr(self.exercise.title_key))


Listener = Callable[["Training"], None]


class Training:
    """The training menu's state: the exercise running, its check, and the results."""

    def __init__(self, space, *, session: Session | None = None, exercises: Sequence[Exercise] = EXERCISES) -> None:
        self.space = space
        self.session = session
        self.exercises = tuple(exercises)
        self.current: ExerciseRun | None = None
        self.results: dict[str, Verdict] = {}
        self._listeners: list[Listener] = []
        self._unhook: Callable[[], None] | None = None

    def exercise(self, exercise_id: str) -> Exercise:
        for exercise in self.exercises:
            if exercise.id == exercise_id:
                return exercise
        raise KeyError(exercise_id)

    # -------------------------------------------------------------- running
    def start(self, exercise_id: str) -> ExerciseRun:
        """Begin (or begin again) an exercise on fresh demo data."""
        exercise = self.exercise(exercise_id)
        self._detach()
        self.space.reset()
        self.results.pop(exercise_id, None)
        self.current = ExerciseRun(exercise)
        self._notify()
        return self.current

    def attach_assisted(self, assisted: AssistedSession) -> None:
        """The assisted session of the running exercise (checked at each of its changes)."""
        if self.current is None:
            return
        self._detach()
        self.current.assisted = assisted
        self._unhook = assisted.add_listener(lambda _a: self.check())

    def audit_hook(self, record: AuditRecord) -> None:
        """Give this to the flows (with ``forward_audit``): each record is checked at once."""
        if self.current is None or self.current.finished:
            return
        self.current.records.append(record)
        self.check()

    def check(self) -> Verdict | None:
        """Run the checker; a verdict ends the exercise."""
        run = self.current
        if run is None or run.finished:
            return run.verdict if run else None
        evidence = Evidence(run.records, self.space, self.session, run.assisted)
        verdict = run.exercise.check(evidence)
        if verdict is not None:
            self._conclude(verdict)
        return verdict

    def stop(self) -> Verdict | None:
        """The trainee leaves the exercise (session end, back to the menu): not reached is a failure."""
        run = self.current
        if run is None:
            return None
        if not run.finished:
            verdict = self.check()
            if verdict is None:
                self._conclude(Verdict.failed(NOT_DONE_KEY))
        self._detach()
        return run.verdict

    def restart(self) -> None:
        """"Recommencer": demo data back to the start, every result forgotten."""
        self._detach()
        self.space.reset()
        self.current = None
        self.results.clear()
        self._notify()

    # -------------------------------------------------------------- summary
    def summary(self) -> list[SummaryLine]:
        lines = []
        for exercise in self.exercises:
            verdict = self.results.get(exercise.id)
            if verdict is None:
                state = ResultState.NOT_TRIED
            else:
                state = ResultState.SUCCESS if verdict.success else ResultState.FAILURE
            lines.append(SummaryLine(exercise, state))
        return lines

    @property
    def succeeded(self) -> int:
        return sum(1 for verdict in self.results.values() if verdict.success)

    def render_summary(self, catalog) -> list[str]:
        head = catalog.tr_n(SUMMARY_DONE_KEY, self.succeeded, total=len(self.exercises))
        return [head, *(line.render(catalog) for line in self.summary())]

    # ------------------------------------------------------------ listeners
    def add_listener(self, listener: Listener) -> Callable[[], None]:
        self._listeners.append(listener)

        def remove() -> None:
            if listener in self._listeners:
                self._listeners.remove(listener)

        return remove

    def _notify(self) -> None:
        for listener in list(self._listeners):
            listener(self)

    def _conclude(self, verdict: Verdict) -> None:
        assert self.current is not None
        self.current.verdict = verdict
        self.results[self.current.exercise.id] = verdict
        self._notify()

    def _detach(self) -> None:
        if self._unhook is not None:
            self._unhook()
            self._unhook = None


__all__ = [
    "EXERCISES",
    "Evidence",
    "Exercise",
    "ExerciseRun",
    "ResultState",
    "SummaryLine",
    "Training",
    "Verdict",
]
