"""Fixtures for the flow tests: the real demo backend, a kiosk session on a fake clock, and a
tiny wrapper that makes writes fail (a fault the demo backend cannot cause on its own)."""

from __future__ import annotations

import pytest

from kiosk.core.clock import FakeClock
from kiosk.core.flows.base import PATIENT_SESSION, Flow, FlowContext
from kiosk.core.flows.sign_in import SignInFlow, SignInStep
from kiosk.core.session import Preferences, Session
from kiosk.services.backend.demo import DEMO_NOW, DemoHealthSpace, demo_sign_in_code

from flow_helpers import FailingWrites, ins_of


@pytest.fixture(autouse=True)
def _programming_errors_are_loud(monkeypatch):
    monkeypatch.setattr(Flow, "reraise_unexpected", True)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(DEMO_NOW)


@pytest.fixture
def demo(clock) -> DemoHealthSpace:
    return DemoHealthSpace(clock)


@pytest.fixture
def space(demo) -> FailingWrites:
    return FailingWrites(demo)


@pytest.fixture
def session(clock) -> Session:
    s = Session(clock, timeout_s=300, warning_s=30, defaults=Preferences(language="fr", text_size=1, theme="standard"))
    s.start()
    return s


@pytest.fixture
def audit_log() -> list:
    return []


@pytest.fixture
def ctx(space, session, audit_log) -> FlowContext:
    return FlowContext(space=space, session=session, audit=audit_log.append)


@pytest.fixture
def sign_in(ctx):
    """Sign a demo patient in through the real sign-in flow; returns the PatientSession."""

    def run(role: str = "rich"):
        ins = ins_of(role)
        flow = SignInFlow(ctx).start()
        for ch in ins:
            assert flow.append_digit(ch)
        assert flow.submit_identifier(), flow.error_key
        for ch in demo_sign_in_code(ins):
            assert flow.append_digit(ch)
        assert flow.submit_code(), flow.error_key
        assert flow.step in (SignInStep.SIGNED_IN, SignInStep.SPACE_CLOSED)
        return ctx.session.data[PATIENT_SESSION]

    return run
