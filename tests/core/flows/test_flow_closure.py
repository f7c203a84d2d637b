"""Refuse or close the space: explanations, two confirmations, status."""

from __future__ import annotations

from kiosk.core.audit import AuditAction
from kiosk.core.flows.base import Outcome
from kiosk.core.flows.closure import ClosureFlow, ClosureKind, ClosureStep
from kiosk.core.models import SpaceState


def walk_to_second_confirmation(flow: ClosureFlow, kind: ClosureKind, delete: bool = False) -> None:
    assert flow.choose(kind) and flow.step is ClosureStep.EXPLAIN
    assert flow.next_step() and flow.step is ClosureStep.DOCUMENTS
    assert flow.next_step()
    if kind is ClosureKind.CLOSE:
        assert flow.step is ClosureStep.DELETION and flow.choose_deletion(delete)
    assert flow.step is ClosureStep.CONFIRM_FIRST and flow.confirm()
    assert flow.step is ClosureStep.CONFIRM_SECOND


def test_close_keeping_the_documents(ctx, sign_in, demo, audit_log):
    patient = sign_in("closable")
    flow = ClosureFlow(ctx).start()
    assert (flow.step, flow.step_number, flow.step_count) == (ClosureStep.CHOICE, 1, 6)
    assert flow.choose(ClosureKind.CLOSE)
    assert flow.step_number == 2 and flow.explain_keys[0] == "flows.closure.close.what"
    flow.next_step()
    assert set(flow.explain_keys) == {
        "flows.closure.documents.kept", "flows.closure.documents.delete_on_request", "flows.closure.documents.reopen"}
    flow.next_step()
    assert flow.step_number == 4 and flow.choose_deletion(False)
    assert flow.step_number == 5 and flow.explain_keys == ("flows.closure.confirm_first.close",)
    assert flow.confirm() and flow.step is ClosureStep.CONFIRM_SECOND and flow.step_number == 6
    assert demo.get_space_status(patient).is_active, "one confirmation sends nothing"
    assert "space.closure_requested" not in ctx.session.activity_log.counts
    assert flow.confirm() and flow.step is ClosureStep.STATUS
    status = demo.get_space_status(patient)
    assert status.state is SpaceState.CLOSED and not status.deletion_requested
    assert flow.status_key == "domain.space.closed"
    assert flow.status_keys == ("flows.closure.status.kept", "flows.closure.status.reopen", "flows.closure.status.help")
    assert ctx.session.activity_log.counts["space.closure_requested"] == 1
    assert [r.details for r in audit_log if r.action is AuditAction.CLOSURE_REQUESTED] == [{"kind": "keep"}]
    assert flow.back() and flow.finished and flow.outcome is Outcome.COMPLETED


def test_close_asking_deletion(ctx, sign_in, demo):
    patient = sign_in("closable")
    flow = ClosureFlow(ctx).start()
    walk_to_second_confirmation(flow, ClosureKind.CLOSE, delete=True)
    assert flow.confirm()
    assert demo.get_space_status(patient).deletion_requested
    assert flow.status_keys[0] == "flows.closure.status.deletion"


def test_refuse_the_space(ctx, sign_in, demo, audit_log):
    patient = sign_in("opposable")
    flow = ClosureFlow(ctx).start()
    flow.choose(ClosureKind.REFUSE)
    assert flow.step_count == 5 and flow.explain_keys[0] == "flows.closure.refuse.what"
    flow.next_step()
    assert "flows.closure.documents.deleted" in flow.explain_keys
    flow.next_step()
    assert flow.step is ClosureStep.CONFIRM_FIRST and flow.step_number == 4
    flow.confirm()
    assert flow.step_number == 5 and "flows.closure.confirm_second.refuse_button" in flow.explain_keys
    assert demo.get_space_status(patient).is_active
    assert flow.confirm() and demo.get_space_status(patient).state is SpaceState.OPPOSED
    assert flow.status_key == "domain.space.opposed"
    assert ctx.session.activity_log.counts["space.refusal_requested"] == 1
    assert AuditAction.REFUSAL_REQUESTED in [r.action for r in audit_log]


def test_a_closed_space_starts_at_its_status(ctx, sign_in):
    sign_in("closed")
    flow = ClosureFlow(ctx).start()
    assert flow.step is ClosureStep.STATUS and flow.status.state is SpaceState.CLOSED
    assert "flows.closure.status.reopen" in flow.status_keys and flow.since_key
    assert flow.finish() and flow.outcome is Outcome.COMPLETED


def test_the_request_fails_then_retry(ctx, sign_in, space, demo):
    patient = sign_in("closable")
    flow = ClosureFlow(ctx).start()
    walk_to_second_confirmation(flow, ClosureKind.CLOSE)
    space.mode = "before"
    assert not flow.confirm() and flow.error_key == "errors.unavailable.not_sent"
    assert flow.step is ClosureStep.CONFIRM_SECOND and demo.get_space_status(patient).is_active
    space.mode = None
    assert flow.retry() and flow.step is ClosureStep.STATUS and not demo.get_space_status(patient).is_active
    assert len(space.writes("close_space")) == 2


def test_back_and_cancel_at_every_step(ctx, sign_in, demo):
    patient = sign_in("closable")
    order = [ClosureStep.CHOICE, ClosureStep.EXPLAIN, ClosureStep.DOCUMENTS, ClosureStep.DELETION,
             ClosureStep.CONFIRM_FIRST, ClosureStep.CONFIRM_SECOND]
    actions = [lambda f: f.choose(ClosureKind.CLOSE), lambda f: f.next_step(), lambda f: f.next_step(),
               lambda f: f.choose_deletion(True), lambda f: f.confirm()]
    for index, step in enumerate(order):
        for leave in ("back", "cancel"):
            flow = ClosureFlow(ctx).start()
            for act in actions[:index]:
                assert act(flow)
            assert flow.step is step
            getattr(flow, leave)()
            if leave == "cancel" or index == 0:
                assert flow.finished and flow.outcome is Outcome.CANCELLED and flow.kind is None
            else:
                assert flow.step is order[index - 1]
    # refusing: back from the first confirmation goes to the documents step
    flow = ClosureFlow(ctx).start()
    flow.choose(ClosureKind.REFUSE)
    flow.next_step()
    flow.next_step()
    assert flow.back() and flow.step is ClosureStep.DOCUMENTS
    assert flow.back() and flow.back() and flow.step is ClosureStep.CHOICE and flow.kind is None
    assert demo.get_space_status(patient).is_active, "nothing was sent"
