"""The FHIR backend forgets the person at the end of every session (real sekmet server, real sockets).

The kiosk session is wired as the composition root wires it (kiosk.app._forget_on_end),
visits go through the real flows, and afterwards everything reachable from the
backend is searched: no session, sign-in, patient, paging link or patient text,
and no connection of its HTTP pool still open (read from /proc, not from requests).
"""

from __future__ import annotations

import gc
import io
import os
import threading
import types

import pytest

from kiosk.app import _forget_on_end
from kiosk.commands.bench import demo_session
from kiosk.core.clock import FakeClock
from kiosk.core.errors import SignInFailed, Unavailable
from kiosk.core.flows.base import Flow
from kiosk.core.models import Patient, PatientSession
from kiosk.core.session import Preferences, Session
from kiosk.services import logs
from kiosk.services.backend.demo import DEMO_NOW, DEMO_ROLES, load_demo_data
from kiosk.services.backend.fhir import backend as fhir_backend
from kiosk.services.backend.fhir.backend import FhirHealthSpace, SeededCodeVerifier
from tests.services.fhir.conftest import make_client
from tests.services.fhir.servers import TcpProxy

#: Patients whose visit changes nothing the contract suite relies on (it reads messages, makes codes).
ROLES = ("large", "child", "privacy")
PRIVATE_TYPES = (Patient, PatientSession, fhir_backend._Session, fhir_backend._Challenge)


def open_connections_to(port: int) -> set[int]:
    """Local ports of this process's established TCP connections to ``port`` (from /proc)."""
    inodes = set()
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[len("socket:["):-1])
    found = set()
    for table in ("/proc/self/net/tcp", "/proc/self/net/tcp6"):
        try:
            with open(table, encoding="ascii") as rows:
                next(rows)
                for row in rows:
                    cols = row.split()
                    local, remote, state, inode = cols[1], cols[2], cols[3], cols[9]
                    if int(remote.rsplit(":", 1)[1], 16) == port and state == "01" and inode in inodes:
                        found.add(int(local.rsplit(":", 1)[1], 16))
        except OSError:
            continue
    return found


def reachable_from(root: object) -> list[object]:
    """Everything the object holds, without walking into classes, modules or functions' globals."""
    seen: dict[int, object] = {}
    todo = [root]
    while todo:
        obj = todo.pop()
        if id(obj) in seen:
            continue
        seen[id(obj)] = obj
        if isinstance(obj, (type, types.ModuleType, types.CodeType)):
            continue
        if isinstance(obj, types.FunctionType):
            todo += [cell.cell_contents for cell in obj.__closure__ or () if _filled(cell)]
            continue
        todo += gc.get_referents(obj)
    return list(seen.values())


def _filled(cell) -> bool:
    try:
        cell.cell_contents
    except ValueError:
        return False
    return True


def private_things(root: object) -> list[str]:
    words = []
    for record in load_demo_data().records:
        words += [record.patient.ins, record.patient.given_name, record.patient.family_name]
    found = []
    for obj in reachable_from(root):
        if isinstance(obj, PRIVATE_TYPES):
            found.append(type(obj).__name__)
        elif isinstance(obj, str) and any(word in obj for word in words):
            found.append(f"text {obj[:3]}…")
    return found


def pooled_connections(space: FhirHealthSpace) -> int:
    return sum(len(adapter.poolmanager.pools) for adapter in space.client.session.adapters.values())


def wait_for_sign_outs() -> None:
    for thread in threading.enumerate():
        if thread.name == "kiosk-sign-out":
            thread.join(5)


@pytest.fixture(autouse=True)
def _loud_flows(monkeypatch):
    monkeypatch.setattr(Flow, "reraise_unexpected", True)


@pytest.fixture
def proxy(fhir_server):
    proxy = TcpProxy(fhir_server.port)
    yield proxy
    proxy.cut()


@pytest.fixture
def kiosk(proxy):
    """A kiosk session on the FHIR backend (through a proxy of its own, so its sockets are its own)."""
    clock = FakeClock(DEMO_NOW)
    space = FhirHealthSpace(make_client(f"http://127.0.0.1:{proxy.port}/fhir"), clock)
    session = Session(clock, timeout_s=180, warning_s=30,
                      defaults=Preferences(language="fr", text_size=1, theme="standard"))
    _forget_on_end(session, space)
    yield types.SimpleNamespace(session=session, store=None, backend=space, clock=clock, proxy=proxy)
    space.close()


def test_after_the_visits_the_backend_holds_nobody_and_no_connection(kiosk):
    space, session = kiosk.backend, kiosk.session
    data = load_demo_data()
    during: list[set[int]] = []
    held: list[int] = []
    session.on_end.insert(0, lambda s: during.append(open_connections_to(kiosk.proxy.port)))
    session.on_end.insert(0, lambda s: held.append(len(space._sessions) + len(private_things(space))))
    stream = io.StringIO()
    setup = logs.setup_logging(None, stream=stream, environ={"JOURNAL_STREAM": "1:1"}, verbose=True,
                               catch_crashes=False)
    try:
        for n in range(6):
            demo_session(kiosk, data.by_id(DEMO_ROLES[ROLES[n % len(ROLES)]]))
            kiosk.clock.advance(200)
    finally:
        setup.close()
    wait_for_sign_outs()
    gc.collect()

    # the check can fail: at each end, before the wipe, the backend did hold the person and a connection
    assert all(count > 0 for count in held) and len(held) == 6
    assert all(during) and len(during) == 6
    # and after it, nothing
    assert private_things(space) == []
    assert pooled_connections(space) == 0
    assert open_connections_to(kiosk.proxy.port) == set()
    assert not (set().union(*during) & open_connections_to(kiosk.proxy.port))

    # the log of these visits: the requests, by resource type only
    text = stream.getvalue()
    assert "<6>kiosk.fhir: fhir GET Patient -> 200" in text and "DocumentReference" in text
    for record in data.records:
        for secret in (record.patient.ins, record.patient.given_name, record.patient.family_name,
                       record.sign_in_code, record.patient.id):
            assert secret not in text


def test_the_next_person_signs_in_on_new_connections(kiosk):
    data = load_demo_data()
    demo_session(kiosk, data.by_id(DEMO_ROLES["child"]))
    wait_for_sign_outs()
    assert pooled_connections(kiosk.backend) == 0
    demo_session(kiosk, data.by_id(DEMO_ROLES["privacy"]))  # the pool opens again by itself


def test_a_sign_in_answered_after_the_person_left_keeps_nothing(kiosk):
    space = kiosk.backend
    record = load_demo_data().by_id(DEMO_ROLES["child"])

    class LeavesDuringCheck(SeededCodeVerifier):
        def verify(self, client, patient_id, code):
            good = super().verify(client, patient_id, code)
            kiosk.session.end()  # the person left (time out) while the code was being checked
            return good

    space._verifier = LeavesDuringCheck()
    kiosk.session.start()
    challenge = space.start_sign_in(record.patient.ins)
    with pytest.raises(SignInFailed) as info:
        space.finish_sign_in(challenge.handle, record.sign_in_code)
    assert info.value.key == "errors.sign_in_failed.expired"
    assert private_things(space) == []


def test_a_sign_in_started_before_the_person_left_leaves_no_handle(kiosk):
    space = kiosk.backend
    record = load_demo_data().by_id(DEMO_ROLES["child"])

    class LeavesDuringSend(SeededCodeVerifier):
        def send(self, client, patient_id):
            answer = super().send(client, patient_id)
            space.forget()
            return answer

    space._verifier = LeavesDuringSend()
    challenge = space.start_sign_in(record.patient.ins)
    assert private_things(space) == []
    space._verifier = SeededCodeVerifier()
    with pytest.raises(SignInFailed):
        space.finish_sign_in(challenge.handle, record.sign_in_code)


def test_a_server_outage_is_one_line_with_its_reason(kiosk):
    space = kiosk.backend
    record = load_demo_data().by_id(DEMO_ROLES["child"])
    session = space.finish_sign_in(space.start_sign_in(record.patient.ins).handle, record.sign_in_code)
    stream = io.StringIO()
    setup = logs.setup_logging(None, stream=stream, environ={"JOURNAL_STREAM": "1:1"}, catch_crashes=False)
    try:
        kiosk.proxy.cut()
        for _ in range(3):
            with pytest.raises(Unavailable):
                space.list_documents(session)
    finally:
        setup.close()
    assert stream.getvalue().splitlines() == [
        "<4>kiosk.backend: health space unavailable (fhir): connect, during list_documents"]
