"""Nothing about a person stays after their session (DESIGN, Privacy): the whole heap is searched.

Twenty visits go through the real flows on the demo backend (sign-in on the pad,
documents, a message, a temporary code, end, ready for the next person). Then
every object the garbage collector knows, and every container they hold, is
searched for the demo patients' names, identifiers and one-time codes, or for a
reference to one of the demo's patient objects. The demo backend keeps its
fictional dataset on purpose: whatever existed before the first visit is the
baseline and is left out, so only what the visits left behind is found.
"""

from __future__ import annotations

import gc
import threading
import types

import pytest

from kiosk.app import build_services, real
from kiosk.commands.bench import SESSION_ROLES, demo_session
from kiosk.core.clock import FakeClock
from kiosk.core.flows.base import Flow
from kiosk.core.models import Patient, PatientSession
from kiosk.services.backend.demo import DEMO_NOW, DEMO_ROLES, load_demo_data
from kiosk.settings import Settings

VISITS = 20


def demo_secrets() -> tuple[tuple[str, ...], frozenset[str]]:
    """(words found inside any text, whole texts) that would name a demo patient."""
    words: set[str] = set()
    whole: set[str] = set()
    for record in load_demo_data().records:
        patient = record.patient
        words |= {patient.ins, patient.given_name, patient.family_name}
        if patient.representative:
            words.add(patient.representative)
        whole.add(record.sign_in_code)  # six digits: only a text that is exactly the code
    return tuple(sorted(words)), frozenset(whole)


def wait_for_sign_outs() -> None:
    for thread in threading.enumerate():
        if thread.name == "kiosk-sign-out":
            thread.join(5)


def everything() -> dict[int, object]:
    """Every object the collector tracks, plus every container reachable from them (untracked
    dicts and tuples of plain texts are invisible to gc.get_objects() alone)."""
    found: dict[int, object] = {}
    todo = gc.get_objects()
    while todo:
        obj = todo.pop()
        if id(obj) in found:
            continue
        found[id(obj)] = obj
        for ref in gc.get_referents(obj):
            if isinstance(ref, (dict, list, tuple, set, frozenset)) and id(ref) not in found:
                todo.append(ref)
    return found


def names_a_patient(obj: object, words: tuple[str, ...], whole: frozenset[str], holders: set[int]) -> bool:
    for ref in gc.get_referents(obj):
        if isinstance(ref, str):
            if ref in whole or any(word in ref for word in words):
                return True
        elif id(ref) in holders:
            return True
    return False


def leftovers(run) -> list[str]:
    """Run ``run()`` and return a description of every new object that names a demo patient."""
    words, whole = demo_secrets()
    gc.collect()
    before = everything()  # kept alive: an id seen here is never reused by a new object
    holders = {i for i, o in before.items() if isinstance(o, (Patient, PatientSession))
               or (not isinstance(o, types.FrameType) and names_a_patient(o, words, whole, set()))}
    run()
    wait_for_sign_outs()
    gc.collect()
    after = everything()
    ignore = {id(before), id(after), id(holders)}
    found = []
    for key, obj in after.items():
        if key in before or key in ignore or isinstance(obj, types.FrameType):
            continue
        if isinstance(obj, (Patient, PatientSession)) or names_a_patient(obj, words, whole, holders):
            found.append(f"{type(obj).__module__}.{type(obj).__qualname__}")
    del before, after
    return found


@pytest.fixture
def services():
    clock = FakeClock(DEMO_NOW)
    services = build_services(Settings(), clock, backend_clock=clock, with_voice=False)
    services.warm_up()
    services.clock_for_tests = clock
    yield services
    services.close()


@pytest.fixture(autouse=True)
def _loud_flows(monkeypatch):
    monkeypatch.setattr(Flow, "reraise_unexpected", True)


def visits(services, count: int = VISITS):
    data = load_demo_data()
    records = [data.by_id(DEMO_ROLES[role]) for role in SESSION_ROLES]

    def run() -> None:
        for n in range(count):
            demo_session(services, records[n % len(records)])
            services.clock_for_tests.advance(services.settings.inactivity_timeout_s)

    return run


def test_twenty_visits_leave_nothing_that_names_a_patient(services):
    found = leftovers(visits(services))
    assert found == [], f"left behind after {VISITS} visits: {sorted(set(found))}"


def test_the_backend_holds_no_session_or_sign_in_after_the_visits(services):
    visits(services)()
    wait_for_sign_outs()
    backend = real(services.backend)
    assert backend._sessions == {} and backend._challenges == {}


def test_the_search_finds_a_patient_left_behind(services):
    """The search can fail: a signed-in session kept by someone is found."""
    record = load_demo_data().by_id(DEMO_ROLES["rich"])
    space = real(services.backend)
    kept = []

    def run() -> None:
        visits(services, 2)()
        challenge = space.start_sign_in("".join(ch for ch in record.patient.ins))
        kept.append(space.finish_sign_in(challenge.handle, record.sign_in_code))
        kept.append({"who": " ".join([record.patient.given_name, "X"])})

    found = leftovers(run)
    assert "kiosk.core.models.PatientSession" in found
    assert "builtins.dict" in found
