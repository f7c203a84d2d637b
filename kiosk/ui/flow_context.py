"""The one place screens get a FlowContext: the backend, the session, the journal and,
in an assisted session, the consent guard and the helper's action log.

Every journey screen builds its flow with `flow_context(app)`, so no screen can forget
the guard: the scopes the patient agreed to are enforced in kiosk.core whatever the UI does.
"""

from __future__ import annotations

from typing import Any, Callable

from kiosk.core.assisted import forward_audit
from kiosk.core.flows.base import AuditHook, FlowContext, audit_to_journal
from kiosk.core.runner import GatedHealthSpace

ASSISTED = "ui.assisted"  # session.data key of the AssistedSession, wiped with the session

#: Other parts that must see every flow record (training mode checks the exercise):
#: fn(app) -> an audit hook, or None when it has nothing to do.
AUDIT_TAPS: list[Callable[[Any], "AuditHook | None"]] = []


def assisted_session(app: Any):
    """The AssistedSession of this session, or None."""
    return app.session.data.get(ASSISTED)


def journal_hook(app: Any):
    journal = getattr(app.services, "journal", None)
    if journal is None:
        store = app.services.store
        journal = getattr(store, "journal", None) if store is not None else None
    hook = audit_to_journal(journal) if journal is not None else None
    taps = [tap for tap in (make(app) for make in AUDIT_TAPS) if tap is not None]
    return forward_audit(hook, *taps) if taps else hook


def flow_context(app: Any) -> FlowContext:
    services = app.services
    hook = journal_hook(app)
    assisted = assisted_session(app)
    space = GatedHealthSpace(services.backend, services.runner) if services.runner is not None else services.backend
    if assisted is not None and assisted.active:
        return FlowContext(space, app.session, audit=assisted.audit_hook(hook), guard=assisted.guard)
    return FlowContext(space, app.session, audit=hook)


def session_flow(app: Any, key: str, make: Callable[[FlowContext], Any], *, fresh: bool = False) -> Any:
    """The journey's flow kept in the session's data (wiped with it): a new one when asked,
    when there is none, or when the last one has finished."""
    session = app.session
    flow = session.data.get(key)
    if fresh or flow is None or flow.finished:
        generation = session.generation
        flow = make(flow_context(app)).start()
        session.if_current(generation, lambda: session.data.__setitem__(key, flow))
    return flow


def needs_start(app: Any, key: str) -> bool:
    """True when showing the journey's screen would first load its flow from the backend."""
    flow = app.session.data.get(key)
    return flow is None or flow.finished


def load_first(app: Any, key: str, loader: Callable[[Any], Any]) -> Callable[[], Any] | None:
    """A screen's `prepare`: load its journey's flow off the UI thread when it is not there yet."""
    return (lambda: loader(app)) if needs_start(app, key) else None


def act(app: Any, work: Callable[[], Any], then: Callable[[Any], None] | None = None) -> bool:
    """Run a flow action that may call the backend off the UI thread; `then(result)` back on it.

    False when another action is still running (a second tap): nothing is done.
    """
    return app.services.runner.run(work, then=then)


def back_to(flow: Any, step: Any, most: int = 4) -> None:
    """A screen brought back by Retour moves its flow back to the screen's own step."""
    for _ in range(most):
        if flow.step is step or flow.finished:
            return
        flow.back()
