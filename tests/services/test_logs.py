"""The installer's log (kiosk.services.logs): journal or stderr format, privacy, start/stop/outages."""

from __future__ import annotations

import io
import logging
import os
import re
import signal
import sys
import threading
import time
import types

import pytest

from kiosk.app import build_services, real
from kiosk.commands.bench import SESSION_ROLES, demo_session
from kiosk.commands.run import run as kiosk_run
from kiosk.core.clock import FakeClock
from kiosk.core.errors import Unavailable
from kiosk.core.flows.base import Flow, FlowContext
from kiosk.core.flows.documents import DocumentsFlow
from kiosk.services import logs
from kiosk.services.backend.demo import DEMO_NOW, DEMO_ROLES, DemoHealthSpace, load_demo_data
from kiosk.services.backend.outages import WATCHED, outage_watch
from kiosk.settings import Settings

PLAIN_LINE = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} (DEBUG|INFO|WARNING|ERROR|CRITICAL) [\w.]+: .+$")
JOURNAL_LINE = re.compile(r"^<[0-7]>[\w.]+: .+$")


@pytest.fixture
def journal_log():
    stream = io.StringIO()
    setup = logs.setup_logging(Settings(), stream=stream, environ={"JOURNAL_STREAM": "8:4242"}, catch_crashes=False)
    yield stream
    setup.close()


@pytest.fixture
def plain_log():
    stream = io.StringIO()
    setup = logs.setup_logging(Settings(), stream=stream, environ={}, verbose=True, catch_crashes=False)
    yield stream
    setup.close()


def lines(stream: io.StringIO) -> list[str]:
    return [line for line in stream.getvalue().splitlines() if line]


def demo_secrets() -> list[str]:
    out = []
    for record in load_demo_data().records:
        p = record.patient
        out += [p.ins, p.given_name, p.family_name, record.sign_in_code, p.display_name]
    return out


# ------------------------------------------------------------------ format
def test_under_systemd_each_line_has_the_journal_priority(journal_log):
    log = logging.getLogger("kiosk.test")
    log.info("kiosk started (demo)")
    log.warning("health space unavailable")
    log.error("something failed")
    assert lines(journal_log) == [
        "<6>kiosk.test: kiosk started (demo)",
        "<4>kiosk.test: health space unavailable",
        "<3>kiosk.test: something failed",
    ]


def test_invocation_id_also_means_systemd():
    assert logs.under_systemd({"INVOCATION_ID": "abc"})
    assert logs.under_systemd({"JOURNAL_STREAM": "8:1"})
    assert not logs.under_systemd({"TERM": "xterm"})


def test_elsewhere_each_line_is_time_level_message(plain_log):
    logging.getLogger("kiosk").info("kiosk stopped")
    [line] = lines(plain_log)
    assert PLAIN_LINE.match(line) and line.endswith("INFO kiosk: kiosk stopped")


def test_libraries_write_warnings_only_and_fhir_requests_only_when_verbose(journal_log):
    logging.getLogger("urllib3.connectionpool").info("starting new connection")
    logging.getLogger("kiosk.fhir").info("fhir GET Patient -> 200")
    logging.getLogger("kiosk.fhir").warning("fhir warning")
    assert lines(journal_log) == ["<4>kiosk.fhir: fhir warning"]


def test_an_exception_is_its_type_and_place_on_one_line_never_its_text(journal_log):
    def read_record(who: str) -> None:
        raise ValueError(f"no record for {who}")

    try:
        try:
            read_record("Paulette Exemple 244039999900168")
        except ValueError as error:
            raise RuntimeError("while showing Paulette") from error
    except RuntimeError:
        logging.getLogger("kiosk").exception("flow failed")
    [line] = lines(journal_log)
    assert line.startswith("<3>kiosk: flow failed: RuntimeError at services/test_logs.py:")
    assert "from ValueError at services/test_logs.py:" in line and "in read_record" in line
    assert "Paulette" not in line and "244039999900168" not in line and "no record" not in line


def test_identifiers_and_access_codes_are_masked_whoever_logs_them(journal_log):
    logging.getLogger("some.library").warning("asked for 2 44 03 99 999 001 68 then %s, code %s / %s",
                                              "244039999900168", "7KQ3M-XP4RA", "7KQ3MXP4RA")
    [line] = lines(journal_log)
    assert line == "<4>some.library: asked for [masqué] then [masqué], code [masqué] / [masqué]"
    # what the kiosk does log stays readable: request ids, sizes, durations, resource types
    kept = "fhir GET DocumentReference -> 200 id=0123456789abcdef0123456789abcdef try=1 12 ms CONNECTION"
    assert logs.mask(kept) == kept


def test_a_second_set_up_replaces_the_first(journal_log):
    other = io.StringIO()
    setup = logs.setup_logging(Settings(), stream=other, environ={}, catch_crashes=False)
    try:
        logging.getLogger("kiosk").info("once")
        assert "once" in other.getvalue() and "once" not in journal_log.getvalue()
    finally:
        setup.close()


def test_an_uncaught_exception_in_a_thread_is_logged_without_its_text():
    stream = io.StringIO()
    setup = logs.setup_logging(Settings(), stream=stream, environ={"INVOCATION_ID": "x"})
    try:
        def fail() -> None:
            raise KeyError("Paulette")

        thread = threading.Thread(target=fail, name="worker")
        thread.start()
        thread.join()
    finally:
        setup.close()
    [line] = lines(stream)
    assert line.startswith("<3>kiosk: a background task failed (thread worker): KeyError at ")
    assert "Paulette" not in line


# ----------------------------------------------------------------- outages
def test_watched_methods_are_the_port_calls_that_reach_the_service():
    assert "list_documents" in WATCHED and "start_sign_in" in WATCHED and "reply" in WATCHED
    assert "sign_out" not in WATCHED and "forget" not in WATCHED


def test_an_outage_is_one_line_and_its_end_one_line(journal_log):
    clock = FakeClock(DEMO_NOW)
    space = DemoHealthSpace(clock)
    record = load_demo_data().by_id(DEMO_ROLES["rich"])
    session = space.finish_sign_in(space.start_sign_in(record.patient.ins).handle, record.sign_in_code)
    space.set_unavailable(True)
    for _ in range(5):
        with pytest.raises(Unavailable):
            space.list_documents(session)
    with pytest.raises(Unavailable):
        space.hide_document(session, "any")
    assert outage_watch(space).down
    clock.advance(75)
    space.set_unavailable(False)
    space.list_documents(session)
    space.list_threads(session)
    assert lines(journal_log) == [
        "<4>kiosk.backend: health space unavailable (demo): no answer, during list_documents",
        "<4>kiosk.backend: health space available again (demo) after 75 s",
    ]


def test_other_errors_neither_start_nor_end_an_outage(journal_log):
    space = DemoHealthSpace(FakeClock(DEMO_NOW))
    with pytest.raises(Exception):
        space.start_sign_in("123")  # Rejected: the service answered
    assert lines(journal_log) == []


# ------------------------------------------------------------ a whole run
@pytest.fixture
def fake_ui(monkeypatch):
    """`kiosk run` with the Kivy app replaced by ``behaviour(services)``; restores logging and SIGTERM."""
    module = types.ModuleType("kiosk.ui.app")
    monkeypatch.setitem(sys.modules, "kiosk.ui.app", module)
    monkeypatch.setattr(Flow, "reraise_unexpected", True)
    previous = signal.getsignal(signal.SIGTERM)
    monkeypatch.delenv("JOURNAL_STREAM", raising=False)
    monkeypatch.setenv("INVOCATION_ID", "test")
    yield module
    signal.signal(signal.SIGTERM, previous)
    if logs._current is not None:
        logs._current.close()


def run_args(**extra):
    values = dict(demo=True, training=False, backend=None, windowed=True, lang=None, config=None, verbose=True)
    values.update(extra)
    return types.SimpleNamespace(**values)


def test_the_log_of_a_whole_session_has_no_name_identifier_or_code(fake_ui, capsys, monkeypatch):
    clock = FakeClock(DEMO_NOW)
    monkeypatch.setattr("kiosk.app.SystemClock", lambda: clock)
    codes = []
    data = load_demo_data()

    def the_app(services, windowed):
        space = real(services.backend)
        for role in SESSION_ROLES:
            demo_session(services, data.by_id(DEMO_ROLES[role]))
            clock.advance(200)
        # the service goes away during a visit, then comes back
        record = data.by_id(DEMO_ROLES["rich"])
        services.session.start()
        session = space.finish_sign_in(space.start_sign_in(record.patient.ins).handle, record.sign_in_code)
        services.session.data["patient_session"] = session
        space.set_unavailable(True)
        flow = DocumentsFlow(FlowContext(space, services.session)).start()
        assert flow.error_key == "errors.unavailable"
        space.set_unavailable(False)
        assert flow.retry()
        codes.extend(c.code for state in space._states.values() for c in state.codes)
        services.session.end()
        services.session.reset_for_next_person()

    fake_ui.run_app = the_app
    assert kiosk_run(run_args()) == 0
    err = capsys.readouterr().err
    text = err.splitlines()
    assert text[0] == "<6>kiosk: kiosk started (demo)" and text[-1] == "<6>kiosk: kiosk stopped"
    assert "<4>kiosk.backend: health space unavailable (demo): no answer, during document_counts" in text
    assert any(re.fullmatch(r"<4>kiosk\.backend: health space available again \(demo\) after \d+ s", line)
               for line in text)
    assert all(JOURNAL_LINE.match(line) for line in text)
    assert codes
    for secret in demo_secrets() + codes:
        assert secret not in err


def test_training_mode_says_so(fake_ui, capsys):
    fake_ui.run_app = lambda services, windowed: None
    assert kiosk_run(run_args(demo=False, training=True)) == 0
    assert capsys.readouterr().err.splitlines()[0] == "<6>kiosk: kiosk started (training)"


def test_a_crash_is_logged_without_its_text_and_the_session_is_wiped(fake_ui, capsys):
    seen = {}

    def the_app(services, windowed):
        seen["services"] = services
        services.session.start()
        services.session.data["patient_session"] = "something private"
        raise ValueError("Paulette Exemple 244039999900168")

    fake_ui.run_app = the_app
    assert kiosk_run(run_args()) == 1
    err = capsys.readouterr().err
    assert "<2>kiosk: kiosk stopped after an error: ValueError at services/test_logs.py:" in err
    assert err.splitlines()[-1] == "<6>kiosk: kiosk stopped"
    assert "Paulette" not in err and "244039999900168" not in err and "Traceback" not in err
    assert seen["services"].session.data == {}


def test_sigterm_stops_the_kiosk_through_the_normal_door(fake_ui, capsys):
    def the_app(services, windowed):
        services.session.start()
        services.session.data["patient_session"] = "something private"
        os.kill(os.getpid(), signal.SIGTERM)
        for _ in range(100):  # the handler runs at the next instruction of the main thread
            time.sleep(0.01)
        raise AssertionError("SIGTERM did not stop the kiosk")

    fake_ui.run_app = the_app
    with pytest.raises(SystemExit) as info:
        kiosk_run(run_args())
    assert info.value.code == 0
    assert capsys.readouterr().err.splitlines()[-1] == "<6>kiosk: kiosk stopped"
