"""`kiosk admin audit verify` against a journal tampered with through sqlcipher3 and the real key:
emptied, tables dropped and recreated, a table dropped, the file rolled back to an older copy.
Each one: exit status 1, one sentence, no traceback."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys

import pytest

from kiosk.cli import main
from kiosk.core.audit import AuditAction
from kiosk.core.clock import FakeClock
from kiosk.services.storage import open_installed
from kiosk.services.storage.store import DB_FILE_NAME
from kiosk.services.storage.witness import WITNESS_FILE_NAME, head_line
from tests.services.storage.tampering import raw_connection, tamper

PIN = "482913"


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch):
    monkeypatch.delenv("CREDENTIALS_DIRECTORY", raising=False)
    monkeypatch.delenv("KIOSK_STATE_DIR", raising=False)


def admin(state, *args) -> int:
    return main(["admin", *args, "--state-dir", str(state)])


def verify(state, capsys, *extra) -> tuple[int, str, str]:
    code = admin(state, "audit", "verify", *extra)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


CLOCK = FakeClock()


def session_end(state, sessions: int = 1) -> None:
    """What the kiosk does at each session end: the entry, then the head outside the store."""
    with open_installed(state, clock=CLOCK, environ={}) as storage:
        for _ in range(sessions):
            CLOCK.advance(60)  # another person, another time: another MAC
            storage.journal.append(AuditAction.SESSION_STARTED)
            CLOCK.advance(120)
            storage.journal.append(AuditAction.SESSION_ENDED)
            storage.record_head()


@pytest.fixture
def ready(tmp_path, capsys, monkeypatch):
    state = tmp_path / "state"
    assert admin(state, "init") == 0
    monkeypatch.setattr(sys, "stdin", io.StringIO(PIN + "\n"))
    assert admin(state, "helper", "add", "marie.pharma", "--name", "Marie", "--organisation", "Pharmacie",
                 "--pin-stdin") == 0
    capsys.readouterr()
    return state


def assert_altered(code, out, err, *words):
    assert code == 1, out + err
    assert "Traceback" not in err and err == ""
    lines = out.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Journal altéré : ") and lines[0].endswith(".")
    for word in words:
        assert word in lines[0]


def journal_tables_sql(state) -> list[str]:
    conn = raw_connection(state)
    try:
        rows = conn.execute(
            "SELECT sql FROM sqlite_master WHERE tbl_name IN ('audit', 'audit_head') AND sql IS NOT NULL "
            "ORDER BY type = 'trigger'"
        ).fetchall()
    finally:
        conn.close()
    return [r[0] for r in rows]


# -- intact ------------------------------------------------------------------------------------

def test_intact_with_and_without_a_witness(ready, capsys):
    code, out, _ = verify(ready, capsys)
    assert code == 0
    assert out.splitlines() == [
        "Journal intact : 2 entrées vérifiées.",
        f"Témoin hors de la base : pas encore écrit, il le sera à la fin de la prochaine session "
        f"({ready / WITNESS_FILE_NAME}).",
    ]
    session_end(ready)
    code, out, _ = verify(ready, capsys)
    assert code == 0 and out.startswith("Journal intact : 5 entrées vérifiées.\n")  # + settings.changed
    assert "Témoin hors de la base : concordant jusqu'au n° 4" in out
    assert "sudo chattr +a" in out  # the witness is not append-only yet: how to protect it


# -- emptied, recreated, dropped -----------------------------------------------------------------

def test_an_emptied_journal(ready, capsys):
    tamper(ready, "DELETE FROM audit", "DELETE FROM audit_head")
    assert_altered(*verify(ready, capsys), "le journal a été vidé")


def test_an_emptied_journal_with_its_head_left(ready, capsys):
    tamper(ready, "DELETE FROM audit")
    assert_altered(*verify(ready, capsys), "le journal a été vidé")


def test_tables_dropped_and_recreated_empty(ready, capsys):
    statements = journal_tables_sql(ready)
    tamper(ready, "DROP TABLE audit", "DROP TABLE audit_head", *statements, keep_guards=False)
    conn = raw_connection(ready)
    names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    conn.close()
    assert {"audit", "audit_head", "audit_no_delete"} <= names  # everything is back, only empty
    assert_altered(*verify(ready, capsys), "le journal a été vidé")


def test_tables_dropped_and_recreated_with_other_columns(ready, capsys):
    tamper(ready, "DROP TABLE audit", "CREATE TABLE audit (seq INTEGER PRIMARY KEY, note TEXT)",
           keep_guards=False)
    assert_altered(*verify(ready, capsys), "n° 1")


def test_the_journal_table_dropped(ready, capsys):
    tamper(ready, "DROP TABLE audit", keep_guards=False)
    assert_altered(*verify(ready, capsys), "la table du journal a été supprimée")


def test_the_head_table_dropped(ready, capsys):
    tamper(ready, "DROP TABLE audit_head", keep_guards=False)
    assert_altered(*verify(ready, capsys), "la tête scellée du journal a été supprimée")


def test_both_tables_dropped(ready, capsys):
    tamper(ready, "DROP TABLE audit", "DROP TABLE audit_head", keep_guards=False)
    assert_altered(*verify(ready, capsys), "la table du journal a été supprimée")


def test_the_first_entry_must_be_the_store_creation(ready, capsys):
    tamper(ready, "DELETE FROM audit WHERE seq = 1")
    assert_altered(*verify(ready, capsys), "n° 1")


# -- rolled back -----------------------------------------------------------------------------------

def copy_store(state, to):
    """A copy of the database file as a backup would take it (the store closed: no WAL)."""
    to.mkdir()
    shutil.copy2(state / DB_FILE_NAME, to / DB_FILE_NAME)


def put_back(copy, state):
    for leftover in state.glob(DB_FILE_NAME + "-*"):
        leftover.unlink()
    shutil.copy2(copy / DB_FILE_NAME, state / DB_FILE_NAME)


def test_an_older_copy_put_back(ready, tmp_path, capsys):
    session_end(ready)
    copy_store(ready, tmp_path / "backup")
    session_end(ready, sessions=3)
    put_back(tmp_path / "backup", ready)
    code, out, err = verify(ready, capsys)
    assert_altered(code, out, err, "la base est plus ancienne que son témoin", "s'arrête au n° 5",
                   "le n° 11")


def test_an_older_copy_put_back_and_used_since(ready, tmp_path, capsys):
    session_end(ready)
    copy_store(ready, tmp_path / "backup")
    session_end(ready, sessions=3)
    put_back(tmp_path / "backup", ready)
    session_end(ready, sessions=4)  # the kiosk went on: the journal is longer than the witness again
    assert_altered(*verify(ready, capsys), "l'entrée n° 7 n'est pas celle que le témoin a vue")


def test_a_new_store_in_place_of_the_old_one(ready, tmp_path, capsys):
    session_end(ready, sessions=2)
    (ready / DB_FILE_NAME).unlink()
    assert admin(ready, "init") == 0  # a new key is not made: the old one is there
    capsys.readouterr()
    session_end(ready, sessions=3)
    assert_altered(*verify(ready, capsys), "n'est pas celle que le témoin a vue")


def test_the_witness_removed(ready, capsys):
    session_end(ready)
    (ready / WITNESS_FILE_NAME).unlink()
    assert_altered(*verify(ready, capsys), "a disparu")
    (ready / WITNESS_FILE_NAME).write_text("")
    assert_altered(*verify(ready, capsys), "a disparu ou a été vidé")


def test_the_witness_removed_and_its_marker_too(ready, capsys):
    session_end(ready)
    (ready / WITNESS_FILE_NAME).unlink()
    tamper(ready, "DELETE FROM setting WHERE key = 'audit.witness'")
    # the chained settings.changed entry still says the store had a witness
    assert_altered(*verify(ready, capsys), "a disparu")


def test_the_system_journal_lines_catch_a_rollback_when_the_witness_file_is_gone(ready, tmp_path, capsys):
    copy_store(ready, tmp_path / "backup")  # a copy from before the first session
    session_end(ready, sessions=2)
    heads = (ready / WITNESS_FILE_NAME).read_text().splitlines()
    copied = tmp_path / "journal.txt"  # as `journalctl -u kiosque-sante -o cat -g 'audit head'` prints it
    copied.write_text("".join(f"kiosk.audit: {line}\n" for line in heads))
    put_back(tmp_path / "backup", ready)
    (ready / WITNESS_FILE_NAME).unlink()  # possible when it was not made append-only
    code, out, _ = verify(ready, capsys)
    assert code == 0 and "pas encore écrit" in out  # what the file alone cannot see (README)
    assert_altered(*verify(ready, capsys, "--witness", str(copied)), "plus ancienne que son témoin")


def test_system_journal_lines_agree(ready, tmp_path, capsys):
    session_end(ready, sessions=2)
    copied = tmp_path / "journal.txt"
    copied.write_text((ready / WITNESS_FILE_NAME).read_text())
    code, out, _ = verify(ready, capsys, "--witness", str(copied))
    assert code == 0 and "les lignes données avec --witness" in out


def test_a_witness_argument_without_heads(ready, tmp_path, capsys):
    empty = tmp_path / "nothing.txt"
    empty.write_text("kiosk started (fhir)\n")
    assert admin(ready, "audit", "verify", "--witness", str(empty)) == 2
    err = capsys.readouterr().err
    assert "aucune ligne « audit head »" in err and "Traceback" not in err
    assert admin(ready, "audit", "verify", "--witness", str(tmp_path / "missing.txt")) == 2
    assert "ne peut pas être lu" in capsys.readouterr().err


def test_as_a_real_process_after_a_rollback(ready, tmp_path):
    session_end(ready)
    copy_store(ready, tmp_path / "backup")
    session_end(ready)
    put_back(tmp_path / "backup", ready)
    env = {k: v for k, v in os.environ.items() if k not in ("CREDENTIALS_DIRECTORY", "KIOSK_STATE_DIR")}
    done = subprocess.run([sys.executable, "-m", "kiosk", "admin", "audit", "verify", "--state-dir", str(ready)],
                          capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode == 1 and done.stderr == ""
    assert done.stdout.count("\n") == 1 and "plus ancienne que son témoin" in done.stdout


def test_head_lines_are_what_the_log_says(ready):
    session_end(ready)
    with open_installed(ready, clock=FakeClock(), environ={}) as storage:
        ended = [e for e in storage.journal.entries() if e.action is AuditAction.SESSION_ENDED][-1]
    assert (ready / WITNESS_FILE_NAME).read_text() == head_line(ended.seq, ended.mac) + "\n"
