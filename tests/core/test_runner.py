"""The flow runner: backend calls off the UI thread, a waiting message, one deadline, and late
answers dropped. Driven by a FakeClock; a backend call that hangs is a call blocked on an event
the test releases, so nothing here depends on the machine's speed."""

from __future__ import annotations

import threading

import pytest

from kiosk.app import default_preferences
from kiosk.core.clock import FakeClock
from kiosk.core.errors import Unavailable
from kiosk.core.flows.base import PATIENT_SESSION, FlowContext
from kiosk.core.flows.documents import DocumentsFlow
from kiosk.core.runner import DEADLINE_KEY, UNKNOWN_KEY, CallState, FlowRunner, GatedHealthSpace
from kiosk.core.session import Session
from kiosk.services.backend.demo import DemoHealthSpace
from kiosk.settings import Settings

PAULETTE, CODE = "244039999900168", "246810"


class Hanging:
    """A health space whose calls named in `hang` wait until the test releases them."""

    def __init__(self, space) -> None:
        self.space = space
        self.hang: set[str] = set()
        self.release = threading.Event()
        self.entered = threading.Event()
        self.answered: list[str] = []

    def __getattr__(self, name):
        target = getattr(self.space, name)
        if not callable(target):
            return target

        def call(*args, **kwargs):
            if name in self.hang:
                self.entered.set()
                assert self.release.wait(30), "the test never released the call"
            result = target(*args, **kwargs)
            self.answered.append(name)
            return result

        return call


@pytest.fixture()
def kiosk():
    clock = FakeClock()
    session = Session(clock, timeout_s=180, warning_s=30, defaults=default_preferences(Settings()))
    demo = DemoHealthSpace(clock)
    hanging = Hanging(demo)
    runner = FlowRunner(clock, deadline_s=20)
    session.on_end.append(lambda _s: runner.end_session())
    session.start()
    session.data[PATIENT_SESSION] = demo.finish_sign_in(demo.start_sign_in(PAULETTE).handle, CODE)
    context = FlowContext(GatedHealthSpace(hanging, runner), session)
    yield clock, session, hanging, runner, context
    hanging.release.set()


def settle(runner: FlowRunner) -> None:
    assert runner.wait_for_worker(30)
    runner.drain()


def test_an_action_runs_off_the_calling_thread_and_its_result_comes_back_through_the_queue(kiosk):
    _clock, _session, hanging, runner, context = kiosk
    threads, results = [], []
    hanging.hang = set()
    flow = DocumentsFlow(context)

    def work():
        threads.append(threading.current_thread())
        return flow.start()

    assert runner.run(work, then=results.append)
    assert runner.busy
    settle(runner)
    assert threads and threads[0] is not threading.current_thread()
    assert results == [flow] and flow.categories and flow.error_key is None
    assert not runner.busy and runner.direct_calls == 0


def test_a_second_action_is_refused_while_the_first_runs(kiosk):
    _clock, _session, hanging, runner, context = kiosk
    hanging.hang = {"document_counts"}
    flow = DocumentsFlow(context)
    assert runner.run(flow.start)
    assert hanging.entered.wait(30)
    assert not runner.run(lambda: pytest.fail("a second action ran"))
    hanging.release.set()
    settle(runner)
    assert flow.categories


def test_waiting_is_said_after_300_ms_and_the_deadline_gives_one_sentence(kiosk):
    clock, _session, hanging, runner, context = kiosk
    hanging.hang = {"document_counts"}
    changes = []
    runner.add_listener(lambda r: changes.append((r.busy, r.waiting)))
    flow = DocumentsFlow(context)
    runner.run(flow.start)
    assert hanging.entered.wait(30)
    clock.advance(0.2)
    runner.poll()
    assert not runner.waiting
    clock.advance(0.2)
    runner.poll()
    assert runner.waiting and changes[-1] == (True, True)
    clock.advance(19.7)
    runner.poll()
    assert runner.current.state is CallState.TIMED_OUT
    settle(runner)  # the worker stopped waiting at once: the call is still hanging
    assert flow.error_key == DEADLINE_KEY and flow.can_retry
    assert not runner.busy and changes[-1] == (False, False)
    assert "document_counts" not in hanging.answered
    hanging.release.set()  # the late answer of the server goes nowhere


def test_a_change_without_an_answer_is_not_said_to_be_undone(kiosk):
    clock, _session, hanging, runner, context = kiosk
    flow = DocumentsFlow(context)
    runner.run(flow.start)
    settle(runner)
    runner.run(lambda: flow.choose_category(None))
    settle(runner)
    runner.run(lambda: flow.open_document(flow.documents[0].id))
    settle(runner)
    assert flow.ask_hide()
    hanging.hang = {"hide_document"}
    runner.run(flow.confirm)
    assert hanging.entered.wait(30)
    clock.advance(21)
    runner.poll()
    settle(runner)
    assert flow.error_key == UNKNOWN_KEY  # "Nous ne savons pas si c'est fait."


def test_a_result_that_comes_after_the_session_ended_never_reaches_the_screen(kiosk):
    clock, session, hanging, runner, context = kiosk
    hanging.hang = {"document_counts"}
    shown = []
    flow = DocumentsFlow(context)
    runner.run(flow.start, then=shown.append)
    assert hanging.entered.wait(30)
    call = runner.current
    clock.advance(200)  # the person went away: the inactivity timeout ends the session
    session.tick()
    assert session.state.value == "ended"
    assert not runner.busy  # the next person is not kept waiting
    hanging.release.set()
    assert call.worker_done.wait(30)
    runner.drain()
    assert runner.dropped == 1 and shown == []
    assert flow.categories == [] or flow.finished  # the wiped flow holds nothing


def test_work_that_never_comes_back_is_given_up_and_said(kiosk):
    clock, _session, _hanging, runner, _context = kiosk
    stuck = threading.Event()
    runner.run(lambda: stuck.wait(30))
    clock.advance(20)
    runner.poll()
    assert runner.busy
    clock.advance(5)
    runner.poll()
    assert not runner.busy and runner.gave_up
    stuck.set()


def test_an_error_that_escapes_an_action_is_raised_on_the_ui_side(kiosk):
    _clock, _session, _hanging, runner, _context = kiosk

    def broken():
        raise RuntimeError("bug")

    runner.run(broken)
    assert runner.wait_for_worker(30)
    with pytest.raises(RuntimeError):
        runner.drain()
    assert not runner.busy


def test_set_up_code_runs_inline_and_calls_outside_actions_are_counted(kiosk):
    _clock, _session, _hanging, runner, context = kiosk
    results = []
    with runner.inline():
        assert runner.run(lambda: DocumentsFlow(context).start(), then=results.append)
    assert results and results[0].categories
    assert runner.direct_calls >= 1 and not runner.busy


def test_an_unavailable_service_is_still_its_own_error(kiosk):
    _clock, _session, hanging, runner, context = kiosk
    hanging.space.set_unavailable(True)
    flow = DocumentsFlow(context)
    runner.run(flow.start)
    settle(runner)
    assert flow.error_key == Unavailable.base_key


class LostAnswer(Hanging):
    """The change is made, then its answer is lost (a connection cut after the server did it)."""

    def __init__(self, space, lose: set[str], times: int = 1) -> None:
        super().__init__(space)
        self.lose, self.times = lose, times

    def __getattr__(self, name):
        target = getattr(self.space, name)
        if name not in self.lose:
            return target

        def call(*args, **kwargs):
            target(*args, **kwargs)
            if self.times > 0:
                self.times -= 1
                raise Unavailable(UNKNOWN_KEY)
            return target(*args, **kwargs)

        return call


def flow_on(kiosk_parts, space, flow_class):
    clock, session, _hanging, runner, _context = kiosk_parts
    return runner, flow_class(FlowContext(GatedHealthSpace(space, runner), session))


def test_a_code_whose_answer_was_lost_is_read_back_and_shown(kiosk):
    from kiosk.core.flows.access_code import AccessCodeFlow, AccessCodeStep

    demo = kiosk[2].space
    runner, flow = flow_on(kiosk, LostAnswer(demo, {"create_access_code"}), AccessCodeFlow)
    checking = []
    runner.add_listener(lambda r: checking.append(r.checking))
    runner.run(flow.start)
    settle(runner)
    runner.run(lambda: flow.choose_duration(1))
    settle(runner)
    patient = kiosk[1].data[PATIENT_SESSION]
    made = [c for c in demo.list_access_codes(patient) if not c.revoked]
    assert flow.step is AccessCodeStep.CODE and flow.error_key is None
    assert [flow.code] == [c.code.replace("-", "") for c in made]
    assert True in checking  # "Nous vérifions si c'est fait." was asked for


def test_a_code_that_was_not_made_after_all_says_nothing_was_sent(kiosk):
    from kiosk.core.flows.access_code import AccessCodeFlow, AccessCodeStep

    class NotMade(Hanging):
        def __getattr__(self, name):
            if name == "create_access_code":
                def refuse(*_a, **_k):
                    raise Unavailable(UNKNOWN_KEY)
                return refuse
            return getattr(self.space, name)

    runner, flow = flow_on(kiosk, NotMade(kiosk[2].space), AccessCodeFlow)
    runner.run(flow.start)
    settle(runner)
    runner.run(lambda: flow.choose_duration(0))
    settle(runner)
    assert flow.step is AccessCodeStep.DURATION and flow.error_key == "errors.unavailable.not_sent"


def test_a_reply_whose_answer_was_lost_is_sent_again_with_its_key_and_stored_once(kiosk):
    from kiosk.core.flows.messages import MessagesFlow, MessagesStep

    demo = kiosk[2].space
    runner, flow = flow_on(kiosk, LostAnswer(demo, {"reply"}), MessagesFlow)
    patient = kiosk[1].data[PATIENT_SESSION]
    runner.run(flow.start)
    settle(runner)
    thread = flow.threads[0].id
    before = len(demo.get_thread(patient, thread).messages)
    for work in (lambda: flow.open_thread(thread), flow.reply,
                 lambda: flow.choose_ready(flow.ready_answers[0]), flow.send):
        runner.run(work)
        settle(runner)
    assert flow.step is MessagesStep.THREAD and flow.error_key is None and flow.notice_key
    assert len(demo.get_thread(patient, thread).messages) == before + 1
