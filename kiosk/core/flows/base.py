"""The common base of every journey: a GUI-free state machine the UI only follows.

A flow has a ``step`` (a member of its own ``Step`` enum), and public *actions*
(methods) that the UI calls when the person taps something. Only the flow
decides what comes next; the UI maps the step to a screen, shows
``step_number`` / ``step_count`` ("Étape 2 sur 4"), and re-reads the flow when
a listener is called.

Rules shared by every flow:

- ``start()`` first (listeners can be added before); it loads what the first
  step shows.
- Every action returns True when it was done. An action that does not belong to
  the current step (a double tap, a stale screen) is ignored and returns False:
  it never raises and never changes anything.
- ``back()`` and ``cancel()`` work at every step. ``back()`` returns to the
  previous step, or leaves the flow from its first step; ``cancel()`` leaves at
  once. A flow that was left has ``finished`` True and an ``outcome``.
- Errors of the health space never escape: the flow stays at its step with
  ``error_key`` set (a catalogue key, shown and spoken by the UI), plus
  ``attempts_left`` / ``retry_after`` when the error has them. ``retry()`` runs
  the failed action again when ``can_retry``; ``dismiss_error()`` clears it.
  Any other exception becomes ``errors.generic``.
- ``notice_key`` is a short confirmation after a done action ("Le document est
  masqué."); it is cleared by the next action.
- The scope guard (``guard(scope)``, raising ``NotAllowed``) is called before
  ``start()`` and before every action: assisted sessions plug their consent in
  there. A refusal drops everything the flow loaded and leaves it in an error
  state that cannot be retried: from then on only back / cancel / finish work.
- Every action done on the health space is recorded in
  ``Session.activity_log`` (for the end summary) and given to the optional
  ``audit`` hook as an :class:`AuditRecord` (action and opaque subject id).
- Patient data lives in the flow only while the session lasts: when the
  session wipes, every flow created on it drops its data.
"""

from __future__ import annotations

import enum
import functools
import logging
import weakref
from dataclasses import dataclass, field
from typing import Any, Callable, ClassVar, Mapping

from kiosk.core.audit import AuditAction, SubjectKind
from kiosk.core.errors import HealthSpaceError, NotAllowed, Unavailable
from kiosk.core.flows.summary import Activity
from kiosk.core.journal_guard import JournalDown
from kiosk.core.models import PatientSession
from kiosk.core.ports import HealthSpace
from kiosk.core.session import Session

log = logging.getLogger(__name__)

# Scopes: what a helper may be allowed to see (assisted sessions), one per journey family.
SCOPE_SIGN_IN = "sign_in"
SCOPE_DOCUMENTS = "documents"
SCOPE_MESSAGES = "messages"
SCOPE_AGENDA = "agenda"
SCOPE_ACCESS = "access"  # "Qui voit mes données" and temporary codes
SCOPE_CLOSURE = "closure"
SCOPES = (SCOPE_SIGN_IN, SCOPE_DOCUMENTS, SCOPE_MESSAGES, SCOPE_AGENDA, SCOPE_ACCESS, SCOPE_CLOSURE)

#: Where the signed-in PatientSession is kept in ``Session.data``.
PATIENT_SESSION = "patient_session"
_RECORDED_ONCE = "flows.recorded_once"

GENERIC_ERROR_KEY = "errors.generic"


class InputProblem(Exception):
    """Something the person typed or chose cannot be used yet (checked by the flow, not the backend).

    ``key`` is a catalogue key; it carries no personal data.
    """

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


@dataclass(frozen=True)
class AuditRecord:
    """What a flow did, for the audit journal: no names, no titles, no content.

    ``subject_id`` is the backend's opaque id of the subject (document id,
    professional id…); the journal turns it into a keyed fingerprint.
    """

    action: AuditAction
    subject_kind: SubjectKind | None = None
    subject_id: str | None = None
    details: Mapping[str, Any] = field(default_factory=dict)

    def __repr__(self) -> str:
        return f"AuditRecord({self.action.value}, {self.subject_kind.value if self.subject_kind else None})"


AuditHook = Callable[[AuditRecord], None]
Guard = Callable[[str], None]
Listener = Callable[["Flow"], None]


def audit_to_journal(journal) -> AuditHook:
    """An audit hook writing to a ``kiosk.core.audit.Journal`` (subjects as fingerprints)."""

    def hook(record: AuditRecord) -> None:
        subjects = []
        if record.subject_kind is not None and record.subject_id is not None:
            subjects.append(journal.fingerprint(record.subject_kind, record.subject_id))
        journal.append(record.action, subject_fingerprints=subjects, details=dict(record.details) or None)

    return hook


@dataclass
class FlowContext:
    """What every flow needs: the health space, the kiosk session, and two optional hooks."""

    space: HealthSpace
    session: Session
    audit: AuditHook | None = None
    guard: Guard | None = None

    @property
    def clock(self):
        return self.session.clock

    @property
    def patient_session(self) -> PatientSession:
        found = self.session.data.get(PATIENT_SESSION)
        if found is None:
            raise NotAllowed("errors.not_allowed.signed_out")
        return found

    def catalog(self):
        """The catalogue of the current display language (for text that leaves the kiosk)."""
        from kiosk.core.i18n import Catalog

        return Catalog.load(self.session.prefs.language)


class Outcome(str, enum.Enum):
    COMPLETED = "completed"  # finished normally (Terminé, or back from a final step)
    CANCELLED = "cancelled"  # left before the end (Annuler, or back from the first step)


def action(*steps: str, guarded: bool = True):
    """Make a method a flow action, allowed only at the steps named (all when none)."""

    def decorate(fn):
        @functools.wraps(fn)
        def run(self: "Flow", *args, **kwargs) -> bool:
            if self._finished:
                return False
            if steps and self.step.name not in steps:
                return False
            if guarded and (self.refused or not self._guard_allows()):
                self._notify()
                return False
            self.error = None
            self.notice_key = None
            self._retry = None
            try:
                result = fn(self, *args, **kwargs)
            except (HealthSpaceError, InputProblem) as error:
                self._fail(error, lambda: run(self, *args, **kwargs))
                result = False
            except JournalDown as error:  # nothing was sent: one sentence, no "done" beside it
                self._fail(error, lambda: False)
                self.notice_key = None
                result = False
            except Exception as error:  # never crash the kiosk; tests turn this off
                if Flow.reraise_unexpected:
                    raise
                log.error("flow %s: unexpected %s", type(self).__name__, type(error).__name__)
                self._fail(error, lambda: run(self, *args, **kwargs))
                result = False
            self._notify()
            return True if result is None else bool(result)

        run.flow_steps = steps  # type: ignore[attr-defined]
        run.flow_guarded = guarded  # type: ignore[attr-defined]
        return run

    return decorate


_LIVE: "weakref.WeakKeyDictionary[Session, weakref.WeakSet[Flow]]" = weakref.WeakKeyDictionary()


def _track(flow: "Flow", session: Session) -> None:
    flows = _LIVE.get(session)
    if flows is None:
        flows = weakref.WeakSet()
        _LIVE[session] = flows
        session_ref = weakref.ref(session)

        def wipe_flows() -> None:
            owner = session_ref()
            for live in list(_LIVE.get(owner, ())) if owner is not None else ():
                live.wipe()

        session.add_cleanup(wipe_flows)
    flows.add(flow)


class Flow:
    """Base of every journey (see the module docstring for the shared rules)."""

    #: The scope given to the guard.
    scope: ClassVar[str] = ""
    #: Step name -> number for "Étape n sur total"; steps not listed reuse the last known number.
    STEP_NUMBERS: ClassVar[Mapping[str, int]] = {}
    #: Steps that show a result: back from them leaves the flow as completed.
    FINAL_STEPS: ClassVar[frozenset[str]] = frozenset()
    #: Tests set this to see programming errors instead of ``errors.generic``.
    reraise_unexpected: ClassVar[bool] = False

    Step: ClassVar[type[enum.Enum]]

    def __init__(self, context: FlowContext, *, guard: Guard | None = None) -> None:
        self.context = context
        self.guard: Guard | None = guard if guard is not None else context.guard
        self.step: enum.Enum = next(iter(self.Step))
        self.error: BaseException | None = None
        self.notice_key: str | None = None
        self.outcome: Outcome | None = None
        self.refused = False
        self._finished = False
        self._started = False
        self._history: list[enum.Enum] = []
        self._listeners: list[Listener] = []
        self._retry: Callable[[], bool] | None = None
        #: the session's generation when the flow was made: what it writes belongs to that person only
        self._generation = context.session.generation
        _track(self, context.session)

    # ------------------------------------------------------------ reading
    @property
    def finished(self) -> bool:
        return self._finished

    @property
    def step_count(self) -> int:
        return max(self.STEP_NUMBERS.values(), default=1)

    @property
    def step_number(self) -> int:
        number = self.STEP_NUMBERS.get(self.step.name)
        if number is None:
            for earlier in reversed(self._history):
                number = self.STEP_NUMBERS.get(earlier.name)
                if number is not None:
                    break
        return min(number or 1, self.step_count)

    @property
    def error_key(self) -> str | None:
        if self.error is None:
            return None
        if isinstance(self.error, (HealthSpaceError, InputProblem, JournalDown)):
            return self.error.key
        return GENERIC_ERROR_KEY

    @property
    def attempts_left(self) -> int | None:
        return getattr(self.error, "attempts_left", None)

    @property
    def retry_after(self) -> float | None:
        return getattr(self.error, "retry_after", None)

    @property
    def can_retry(self) -> bool:
        if self.error is None or self._retry is None or self.refused or isinstance(self.error, JournalDown):
            return False
        return isinstance(self.error, Unavailable) or not isinstance(self.error, (HealthSpaceError, InputProblem))

    @property
    def can_go_back(self) -> bool:
        """Always true while the flow runs: from the first step, back leaves the flow."""
        return not self._finished

    @property
    def at_first_step(self) -> bool:
        """True when ``back()`` would leave the flow (its first step, or a result step)."""
        return not self._history or self.step.name in self.FINAL_STEPS

    def available_actions(self) -> list[str]:
        """Names of the actions that do something at the current step (for tests and the UI)."""
        if self._finished:
            return []
        names = []
        for name in dir(type(self)):
            member = getattr(type(self), name, None)
            steps = getattr(member, "flow_steps", None)
            if steps is None or name.startswith("_"):
                continue
            if name == "retry" and not self.can_retry:
                continue
            if name == "dismiss_error" and self.error is None:
                continue
            if self.refused and getattr(member, "flow_guarded", False):
                continue
            if not steps or self.step.name in steps:
                names.append(name)
        return sorted(names)

    # ---------------------------------------------------------- listeners
    def add_listener(self, listener: Listener) -> Callable[[], None]:
        """Called with the flow after every change; returns a function that removes it."""
        self._listeners.append(listener)

        def remove() -> None:
            if listener in self._listeners:
                self._listeners.remove(listener)

        return remove

    def _notify(self) -> None:
        for listener in list(self._listeners):
            listener(self)

    # ------------------------------------------------------ common actions
    def start(self) -> "Flow":
        """Check the scope and load the first step. Returns the flow (``flow = X(ctx).start()``)."""
        if not self._started:
            self._started = True
            self._start_action()
        return self

    @action()
    def _start_action(self) -> None:
        self._start()

    @action(guarded=False)
    def back(self) -> None:
        """One step back; from the first step (or a result step), leave the flow."""
        self._go_back()

    @action(guarded=False)
    def cancel(self) -> None:
        """Leave the flow at once; nothing more is sent."""
        self._leave(Outcome.CANCELLED)

    @action(guarded=False)
    def finish(self) -> None:
        """Leave the flow normally ("Terminé")."""
        self._leave(Outcome.COMPLETED)

    def retry(self) -> bool:
        """Run the failed action again (same request: a reply keeps its idempotency key)."""
        if self._finished or not self.can_retry or self._retry is None:
            return False
        return self._retry()

    retry.flow_steps = ()  # type: ignore[attr-defined]

    @action(guarded=False)
    def dismiss_error(self) -> None:
        """Hide the error message and stay at the step."""

    def wipe(self) -> None:
        """Drop every patient object the flow holds (called when the session wipes)."""
        self._clear()
        self.error = None
        self._retry = None
        if not self._finished:
            self._finished = True
            self.outcome = Outcome.CANCELLED
        self._history.clear()
        self._notify()

    # ------------------------------------------------------- for subclasses
    def _start(self) -> None:
        """Load what the first step shows."""

    def _clear(self) -> None:
        """Forget every patient object (override: reset the flow's own attributes)."""

    def _on_back(self, leaving: enum.Enum, to: enum.Enum) -> None:
        """Hook run when ``back()`` leaves ``leaving`` for ``to``."""

    def _go(self, step: enum.Enum, *, remember: bool = True) -> None:
        """Move to ``step``; ``back()`` will return to the current step if ``remember``."""
        if remember and step is not self.step:
            self._history.append(self.step)
        self.step = step

    def _return_to(self, step: enum.Enum) -> None:
        """Go back through the history to ``step`` (e.g. from a confirmation to what it changed)."""
        while self._history and self.step is not step:
            self.step = self._history.pop()
        self.step = step

    def _go_back(self) -> None:
        if self.step.name in self.FINAL_STEPS or not self._history:
            self._leave(Outcome.COMPLETED if self.step.name in self.FINAL_STEPS else Outcome.CANCELLED)
            return
        leaving = self.step
        self.step = self._history.pop()
        self._on_back(leaving, self.step)

    def _leave(self, outcome: Outcome) -> None:
        self._finished = True
        self.outcome = outcome
        self._history.clear()
        self._clear()

    def _fail(self, error: BaseException, retry: Callable[[], bool]) -> None:
        self.error = error
        self._retry = retry
        self._on_error(error)

    def _on_error(self, error: BaseException) -> None:
        """Hook: a flow may turn some errors into a step (a locked sign-in into a pause)."""

    def _guard_allows(self) -> bool:
        if self.guard is None:
            return True
        try:
            self.guard(self.scope)
        except NotAllowed as error:
            self.refused = True
            self._clear()
            self.error = error
            self._retry = None
            return False
        return True

    @property
    def _patient(self) -> PatientSession:
        return self.context.patient_session

    @property
    def _space(self) -> HealthSpace:
        return self.context.space

    def _record(
        self,
        activity: Activity,
        subject_kind: SubjectKind | None = None,
        subject_id: str | None = None,
        *,
        once: bool = False,
        **details: Any,
    ) -> None:
        """Count the activity for the summary and give it to the audit hook.

        ``once``: count it only the first time in this session for that subject
        (a document opened twice is one document viewed).
        """
        session = self.context.session

        def count() -> None:  # never into the next person's summary, when this one has gone
            if once:
                seen = session.data.setdefault(_RECORDED_ONCE, set())
                marker = (activity.value, subject_id)
                if marker in seen:
                    return
                seen.add(marker)
            session.activity_log.record(activity.value)

        session.if_current(self._generation, count)
        self._audit(activity.audit_action, subject_kind, subject_id, **details)

    def _audit(
        self,
        action_: AuditAction,
        subject_kind: SubjectKind | None = None,
        subject_id: str | None = None,
        **details: Any,
    ) -> None:
        if self.context.audit is not None:
            try:
                self.context.audit(AuditRecord(action_, subject_kind, subject_id, details))
            except JournalDown as error:  # the change is made: say so, and that the kiosk stops
                raise JournalDown(error.cause, done=True) from None

    def __repr__(self) -> str:  # never patient data
        return f"{type(self).__name__}(step={self.step.name}, error={self.error_key})"


def pages_of(total: int, page_size: int) -> int:
    """Number of pages for ``total`` items (at least 1)."""
    return max(1, -(-total // page_size))


__all__ = [
    "AuditHook",
    "AuditRecord",
    "Flow",
    "FlowContext",
    "GENERIC_ERROR_KEY",
    "Guard",
    "InputProblem",
    "Outcome",
    "PATIENT_SESSION",
    "SCOPES",
    "SCOPE_ACCESS",
    "SCOPE_AGENDA",
    "SCOPE_CLOSURE",
    "SCOPE_DOCUMENTS",
    "SCOPE_MESSAGES",
    "SCOPE_SIGN_IN",
    "action",
    "audit_to_journal",
    "pages_of",
]
