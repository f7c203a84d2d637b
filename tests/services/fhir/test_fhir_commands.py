"""`kiosk fhir check|seed` (and their `kiosk admin` forms) against the seeded sekmet server."""

from __future__ import annotations

import argparse
import json

import pytest

from kiosk.cli import main
from kiosk.commands import fhir as fhir_commands
from kiosk.services.backend.demo import DEMO_ROLES, load_demo_data
from tests.services.fhir.servers import free_port, seed_command_on


def run_check(capsys, url, config, *extra):
    code = main(["fhir", "check", url, "--config", str(config), *extra])
    out = capsys.readouterr().out
    return code, json.loads(out)


def expected_counts(role: str) -> dict:
    record = load_demo_data().by_id(DEMO_ROLES[role])
    hidden = sum(1 for d in record.documents if d.hidden_from_professionals)
    return {
        "found": True,
        "space": record.status.state.value,
        "documents": {"visible": len(record.documents) - hidden, "hidden": hidden},
        "messages": sum(len(t.messages) for t in record.threads),
        "appointments": len(record.appointments),
        "reminders": len(record.reminders),
        "professionals_with_access": len(record.access_rights),
        "blocked_professionals": sum(1 for r in record.access_rights if r.blocked),
        "emergency_access": record.emergency_access,
        "access_events": len(record.access_events),
    }


@pytest.mark.parametrize("role", ["privacy", "large", "empty"])
def test_check_prints_the_counts_of_a_patient(fhir_server, capsys, role):
    ins = load_demo_data().by_id(DEMO_ROLES[role]).patient.ins
    code, result = run_check(capsys, fhir_server.url, fhir_server.kiosk_config, "--patient", ins)
    assert code == 0
    assert result["server"] == {"answers": True, "fhir_version": "4.0.1", "software": "SEKMET FHIR R4 Tester",
                                "json": True}
    assert result["patient"] == expected_counts(role)
    assert ins not in json.dumps(result)  # counts only, no identifier echoed


def test_check_without_a_patient_and_with_an_unknown_one(fhir_server, capsys):
    code, result = run_check(capsys, fhir_server.url, fhir_server.kiosk_config)
    assert code == 0 and "patient" not in result and result["server"]["answers"]
    code, result = run_check(capsys, fhir_server.url, fhir_server.kiosk_config, "--patient", "299129999999911")
    assert code == 0 and result["patient"] == {"found": False}


def test_check_of_a_server_that_does_not_answer(fhir_server, capsys):
    code, result = run_check(capsys, f"http://127.0.0.1:{free_port()}/fhir", fhir_server.kiosk_config)
    assert code == 1
    assert result == {"server": {"answers": False, "error": {"reason": "connect", "status": None}}}


def test_check_without_the_token_says_the_patient_part_failed(fhir_server, capsys, tmp_path):
    empty = tmp_path / "kiosk.toml"
    empty.write_text("", encoding="utf-8")
    ins = load_demo_data().by_id(DEMO_ROLES["large"]).patient.ins
    code, result = run_check(capsys, fhir_server.url, empty, "--patient", ins)
    assert code == 1 and result["patient"] == {"error": {"reason": "http", "status": 401}}


def test_user_mistakes_are_one_sentence(fhir_server, capsys):
    assert main(["fhir", "check", fhir_server.url, "--config", str(fhir_server.kiosk_config),
                 "--patient", "12345"]) == 2
    assert main(["fhir", "check", "ftp://example", "--config", str(fhir_server.kiosk_config)]) == 2
    assert main(["fhir", "seed", f"http://127.0.0.1:{free_port()}/fhir",
                 "--config", str(fhir_server.kiosk_config)]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and err.count("kiosk : ") == 3
    assert "ne répond pas" in err


def test_seeding_twice_adds_nothing(fhir_server, capsys):
    ins = load_demo_data().by_id(DEMO_ROLES["large"]).patient.ins
    _, before = run_check(capsys, fhir_server.url, fhir_server.kiosk_config, "--patient", ins)
    with seed_command_on(fhir_server.clock):  # the same dates: the other tests share this server
        assert main(["fhir", "seed", fhir_server.url, "--config", str(fhir_server.kiosk_config)]) == 0
    assert "Patients chargés : 9" in capsys.readouterr().out
    _, after = run_check(capsys, fhir_server.url, fhir_server.kiosk_config, "--patient", ins)
    assert after == before


def test_the_admin_forms(fhir_server, capsys):
    parser = argparse.ArgumentParser(prog="kiosk")
    admin = parser.add_subparsers(dest="command").add_parser("admin")
    fhir_commands.register_admin(admin.add_subparsers(dest="admin_command"))
    ins = load_demo_data().by_id(DEMO_ROLES["privacy"]).patient.ins
    args = parser.parse_args(["admin", "backend", "check", fhir_server.url, "--patient", ins,
                              "--config", str(fhir_server.kiosk_config)])
    assert args.func(args) == 0
    assert json.loads(capsys.readouterr().out)["patient"] == expected_counts("privacy")
    args = parser.parse_args(["admin", "seed-fhir", fhir_server.url, "--config", str(fhir_server.kiosk_config)])
    assert args.func is fhir_commands.run_seed


def test_the_composition_root_builds_the_fhir_backend(fhir_server):
    from kiosk.app import build_backend
    from kiosk.core.clock import FakeClock
    from kiosk.services.backend.demo import DEMO_NOW
    from kiosk.services.backend.fhir import FhirHealthSpace
    from kiosk.settings import Settings
    from tests.services.fhir.servers import TOKEN

    settings = Settings().replace(backend=fhir_server.url, backend_token=TOKEN, allow_insecure_http=True)  # a local test server
    space = build_backend(settings, FakeClock(DEMO_NOW))
    try:
        assert isinstance(space, FhirHealthSpace)
        record = load_demo_data().by_id(DEMO_ROLES["child"])
        challenge = space.start_sign_in(record.patient.ins)
        session = space.finish_sign_in(challenge.handle, record.sign_in_code)
        assert session.patient == record.patient
    finally:
        space.close()


class _Capture:
    """Stands in for a FhirClient: keeps the transaction Bundles seeding sends."""

    def __init__(self) -> None:
        self.resources: list[dict] = []

    def request(self, method, path, *, json_body, **_):
        self.resources += [entry["resource"] for entry in json_body["entry"]]
        return {"resourceType": "Bundle"}


@pytest.mark.parametrize("year", [2031, 2019])
def test_seeding_dates_the_data_like_the_demo_backend_on_the_same_clock(year):
    from datetime import datetime

    from kiosk.core.clock import PARIS, FakeClock
    from kiosk.services.backend.demo import DemoHealthSpace
    from kiosk.services.backend.fhir import mapping as m
    from kiosk.services.backend.fhir.seed import seed

    clock = FakeClock(datetime(year, 3, 30, 11, 0, tzinfo=PARIS))
    sent = _Capture()
    seed(sent, clock=clock)
    appointments = {a.id: a.start for a in map(m.parse_appointment, (r for r in sent.resources
                                                                      if r["resourceType"] == "Appointment"))}
    documents = {d.id: d.date for d in map(m.parse_document, (r for r in sent.resources
                                                               if r["resourceType"] == "DocumentReference"))}
    demo = DemoHealthSpace(clock)
    record = load_demo_data().by_id(DEMO_ROLES["rich"])
    session = demo.finish_sign_in(demo.start_sign_in(record.patient.ins).handle, record.sign_in_code)
    upcoming = demo.list_appointments(session)
    assert upcoming and all(appointments[a.id] == a.start for a in upcoming)
    newest = demo.list_documents(session).items[0]
    assert documents[newest.id] == newest.date and 0 < (clock.now() - newest.date).days <= 30
