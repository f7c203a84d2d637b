"""`kiosk admin …` on real SQLCipher files, through kiosk.cli.main and once as a real process."""

from __future__ import annotations

import io
import json
import os
import stat
import subprocess
import sys

import pytest

from kiosk.core.clock import FakeClock
from kiosk.cli import main
from kiosk.services.storage import open_installed
from kiosk.services.storage.errors import MSG_NO_KEY, MSG_WRONG_KEY
from kiosk.services.storage.keys import KEY_FILE_NAME
from kiosk.services.storage.store import DB_FILE_NAME
from tests.services.storage.tampering import tamper

PIN = "482913"


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch, tmp_path):
    monkeypatch.delenv("CREDENTIALS_DIRECTORY", raising=False)
    monkeypatch.delenv("KIOSK_STATE_DIR", raising=False)


@pytest.fixture
def state(tmp_path):
    return tmp_path / "state"


def admin(state, *args, stdin: str | None = None, monkeypatch=None) -> int:
    if stdin is not None:
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    return main(["admin", *args, "--state-dir", str(state)])


@pytest.fixture
def ready(state, capsys, monkeypatch):
    assert admin(state, "init") == 0
    assert admin(state, "helper", "add", "marie.pharma", "--name", "Marie CANARINOM",
                 "--organisation", "Pharmacie CANARIORG", "--pin-stdin", stdin=PIN + "\n", monkeypatch=monkeypatch) == 0
    capsys.readouterr()
    return state


def test_init_creates_key_and_database(state, capsys):
    assert admin(state, "init") == 0
    out = capsys.readouterr().out
    assert "Clé créée" in out and "Base chiffrée créée" in out and "La borne est prête" in out
    assert stat.S_IMODE((state / KEY_FILE_NAME).stat().st_mode) == 0o600
    assert not (state / DB_FILE_NAME).read_bytes().startswith(b"SQLite format 3")
    key = (state / KEY_FILE_NAME).read_text().strip()
    assert key not in out


def test_init_twice_only_checks(state, capsys):
    admin(state, "init")
    before = (state / KEY_FILE_NAME).read_bytes()
    capsys.readouterr()
    assert admin(state, "init") == 0
    out = capsys.readouterr().out
    assert "Clé existante vérifiée" in out and "Base existante vérifiée" in out
    assert (state / KEY_FILE_NAME).read_bytes() == before


def test_init_uses_the_state_dir_of_the_config_file(tmp_path, capsys):
    config = tmp_path / "kiosk.toml"
    target = tmp_path / "from-config"
    config.write_text(f'state_dir = "{target}"\n')
    assert main(["admin", "init", "--config", str(config)]) == 0
    assert (target / DB_FILE_NAME).exists() and (target / KEY_FILE_NAME).exists()


def test_helper_add_list_disable(ready, capsys, monkeypatch):
    assert admin(ready, "helper", "list") == 0
    out = capsys.readouterr().out
    assert "marie.pharma" in out and "Marie CANARINOM" in out and "actif" in out and "hlp-" in out
    assert admin(ready, "helper", "disable", "marie.pharma") == 0
    assert "désactivé" in capsys.readouterr().out
    assert admin(ready, "helper", "list") == 0
    assert "désactivé" in capsys.readouterr().out
    with open_installed(ready, clock=FakeClock(), environ={}) as storage:
        assert storage.helpers.get("marie.pharma").disabled


def test_helper_add_with_the_prompt(state, capsys, monkeypatch):
    admin(state, "init")
    answers = iter([PIN, PIN])
    prompts = []
    monkeypatch.setattr("getpass.getpass", lambda prompt="": prompts.append(prompt) or next(answers))
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True)
    assert admin(state, "helper", "add", "abel", "--name", "Abel", "--organisation", "France Services") == 0
    assert len(prompts) == 2 and "PIN" in prompts[0]
    out = capsys.readouterr().out
    assert PIN not in out
    with open_installed(state, clock=FakeClock(), environ={}) as storage:
        assert storage.helpers.verify_pin("abel", PIN).ok


def test_helper_add_with_two_different_pins(state, capsys, monkeypatch):
    admin(state, "init")
    answers = iter([PIN, "739164"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True)
    assert admin(state, "helper", "add", "abel", "--name", "A", "--organisation", "O") == 2
    err = capsys.readouterr().err
    assert "différents" in err and "Traceback" not in err


def test_helper_add_without_keyboard_asks_for_pin_stdin(state, capsys, monkeypatch):
    admin(state, "init")
    monkeypatch.setattr(sys, "stdin", io.StringIO(PIN + "\n"))
    assert admin(state, "helper", "add", "abel", "--name", "A", "--organisation", "O") == 2
    assert "--pin-stdin" in capsys.readouterr().err


def test_pin_is_never_taken_from_the_command_line(state, capsys):
    with pytest.raises(SystemExit) as caught:
        main(["admin", "helper", "add", "abel", "--name", "A", "--organisation", "O", "--pin", PIN])
    assert caught.value.code == 2


@pytest.mark.parametrize("pin, words", [("1234", "6 à 12 chiffres"), ("111111", "trop facile"), ("12ab56", "chiffres")])
def test_weak_pin_is_one_sentence(state, capsys, monkeypatch, pin, words):
    admin(state, "init")
    code = admin(state, "helper", "add", "abel", "--name", "A", "--organisation", "O", "--pin-stdin",
                 stdin=pin + "\n", monkeypatch=monkeypatch)
    err = capsys.readouterr().err
    assert code == 2 and words in err and "Traceback" not in err
    assert err.count("\n") == 1


def test_duplicate_and_unknown_helpers(ready, capsys, monkeypatch):
    code = admin(ready, "helper", "add", "marie.pharma", "--name", "A", "--organisation", "O", "--pin-stdin",
                 stdin="739164\n", monkeypatch=monkeypatch)
    assert code == 2 and "existe déjà" in capsys.readouterr().err
    assert admin(ready, "helper", "disable", "personne") == 2
    assert "Aucun compte" in capsys.readouterr().err


def test_audit_verify_intact_then_broken(ready, capsys):
    assert admin(ready, "audit", "verify") == 0
    assert "Journal intact : 2 entrées vérifiées." in capsys.readouterr().out
    tamper(ready, "UPDATE audit SET action = 'session.started' WHERE seq = 2")
    assert admin(ready, "audit", "verify") == 1
    out = capsys.readouterr().out
    assert "Journal altéré" in out and "n° 2" in out


def test_audit_verify_reports_a_deleted_entry(ready, capsys):
    with open_installed(ready, clock=FakeClock(), environ={}) as storage:
        for _ in range(3):
            storage.helpers.verify_pin("marie.pharma", PIN)
    tamper(ready, "DELETE FROM audit WHERE seq = 3")
    assert admin(ready, "audit", "verify") == 1
    assert "l'entrée n° 3 a été supprimée" in capsys.readouterr().out


def test_audit_export_json_lines(ready, tmp_path, capsys):
    out_file = tmp_path / "journal.jsonl"
    assert admin(ready, "audit", "export", "--since", "2000-01-01", "--out", str(out_file)) == 0
    assert "2 entrées écrites" in capsys.readouterr().err
    lines = out_file.read_text().splitlines()
    entries = [json.loads(line) for line in lines]
    assert [e["action"] for e in entries] == ["store.created", "helper.added"]
    assert entries[1]["subjects"][0].startswith("hlp-")
    assert stat.S_IMODE(out_file.stat().st_mode) == 0o600
    raw = out_file.read_text()
    for canary in ("CANARINOM", "CANARIORG", "marie.pharma", "Marie"):
        assert canary not in raw
    with open_installed(ready, clock=FakeClock(), environ={}) as storage:
        last = list(storage.journal.entries())[-1]
        assert last.action.value == "audit.exported" and last.details == {"entries": 2}


def test_audit_export_to_stdout_and_since_the_future(ready, capsys):
    assert admin(ready, "audit", "export") == 0
    assert len(capsys.readouterr().out.splitlines()) == 2
    assert admin(ready, "audit", "export", "--since", "2999-01-01") == 0
    assert capsys.readouterr().out == ""


def test_audit_export_bad_date(ready, capsys):
    assert admin(ready, "audit", "export", "--since", "hier") == 2
    err = capsys.readouterr().err
    assert "« hier » n'est pas comprise" in err and "Traceback" not in err


def test_loose_key_is_refused(ready, capsys):
    os.chmod(ready / KEY_FILE_NAME, 0o644)
    assert admin(ready, "helper", "list") == 2
    err = capsys.readouterr().err
    assert "lisible par d'autres comptes" in err and "chmod 600" in err


def test_wrong_key_is_the_clear_sentence(ready, capsys):
    (ready / KEY_FILE_NAME).write_text("d4" * 32 + "\n")
    assert admin(ready, "audit", "verify") == 2
    assert capsys.readouterr().err.strip() == f"kiosk : {MSG_WRONG_KEY}"


def test_before_init(state, capsys):
    assert admin(state, "helper", "list") == 2
    assert capsys.readouterr().err.strip() == f"kiosk : {MSG_NO_KEY}"


def test_admin_without_action_shows_help(capsys):
    assert main(["admin"]) == 2
    assert "init" in capsys.readouterr().out


def run(*args, stdin=""):
    env = {k: v for k, v in os.environ.items() if k not in ("CREDENTIALS_DIRECTORY", "KIOSK_STATE_DIR")}
    return subprocess.run([sys.executable, "-m", "kiosk", *args], input=stdin, capture_output=True,
                          text=True, timeout=120, env=env)


def test_as_a_real_process(tmp_path):
    state = str(tmp_path / "state")
    assert run("admin", "init", "--state-dir", state).returncode == 0
    added = run("admin", "helper", "add", "marie.pharma", "--name", "Marie", "--organisation", "Pharmacie",
                "--pin-stdin", "--state-dir", state, stdin=PIN + "\n")
    assert added.returncode == 0, added.stderr
    assert PIN not in added.stdout + added.stderr
    good = run("admin", "audit", "verify", "--state-dir", state)
    assert good.returncode == 0 and "Journal intact" in good.stdout
    tamper(tmp_path / "state", "UPDATE audit SET details = '{}' WHERE seq = 1")
    bad = run("admin", "audit", "verify", "--state-dir", state)
    assert bad.returncode == 1
    assert "l'entrée n° 1 a été modifiée" in bad.stdout
    assert "Traceback" not in bad.stderr
