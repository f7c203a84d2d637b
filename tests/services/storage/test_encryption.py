"""The store on real SQLCipher files: encrypted on disk, wrong key and damage caught at open."""

from __future__ import annotations

import os
import sqlite3
import stat
import threading

import pytest

from kiosk.core.clock import FakeClock
from kiosk.services.storage import StoreError, initialise, open_installed
from kiosk.services.storage.errors import MSG_DAMAGED, MSG_NO_DATABASE, MSG_TOO_NEW, MSG_TRUNCATED, MSG_WRONG_KEY
from kiosk.services.storage.keys import KEY_FILE_NAME
from kiosk.services.storage.migrations import LATEST_VERSION
from kiosk.services.storage.store import DB_FILE_NAME

from .tampering import file_bytes, raw_connection

CANARY = "CANARI-QUOKKA-7731"


def write_canary(state):
    storage = open_installed(state, clock=FakeClock(), environ={})
    storage.helpers.add("canari", CANARY, CANARY + " pharmacie", "482913")
    storage.settings.set("welcome.note", CANARY)
    assert storage.settings.get("welcome.note") == CANARY
    storage.close()


def test_file_is_not_plain_sqlite(state):
    head = (state / DB_FILE_NAME).read_bytes()[:16]
    assert head and not head.startswith(b"SQLite format 3")


def test_canary_is_absent_from_the_bytes_on_disk(state, tmp_path):
    write_canary(state)
    data = file_bytes(state)
    assert len(data) > 4096
    assert CANARY.encode() not in data
    assert CANARY.encode("utf-16-le") not in data
    # The same check catches the canary in a plain SQLite file: it can fail.
    plain = sqlite3.connect(tmp_path / "plain.db")
    plain.execute("CREATE TABLE t (x)")
    plain.execute("INSERT INTO t VALUES (?)", (CANARY,))
    plain.commit()
    plain.close()
    assert CANARY.encode() in (tmp_path / "plain.db").read_bytes()


def test_canary_is_readable_with_the_key(state):
    write_canary(state)
    with open_installed(state, clock=FakeClock(), environ={}) as storage:
        assert storage.settings.get("welcome.note") == CANARY
        assert storage.helpers.get("canari").display_name == CANARY


def test_standard_sqlite_cannot_read_it(state):
    conn = sqlite3.connect(state / DB_FILE_NAME)
    with pytest.raises(sqlite3.DatabaseError):
        conn.execute("SELECT * FROM sqlite_master").fetchall()
    conn.close()


def test_database_files_are_private(state):
    with open_installed(state, clock=FakeClock(), environ={}) as storage:
        storage.settings.set("a", 1)
        for path in state.glob(DB_FILE_NAME + "*"):
            assert stat.S_IMODE(path.stat().st_mode) & 0o077 == 0, path.name


def test_wrong_key_fails_with_the_clear_sentence(state):
    key = state / KEY_FILE_NAME
    key.write_text("c3" * 32 + "\n")
    os.chmod(key, 0o600)
    with pytest.raises(StoreError) as caught:
        open_installed(state, clock=FakeClock(), environ={})
    assert str(caught.value) == MSG_WRONG_KEY


def test_missing_database(tmp_path):
    initialise(tmp_path, clock=FakeClock(), environ={})
    (tmp_path / DB_FILE_NAME).unlink()
    with pytest.raises(StoreError) as caught:
        open_installed(tmp_path, clock=FakeClock(), environ={})
    assert str(caught.value) == MSG_NO_DATABASE


def flip_byte(path, offset):
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x01
    path.write_bytes(bytes(data))


def test_flipped_byte_in_a_page_is_detected_at_open(state):
    write_canary(state)
    path = state / DB_FILE_NAME
    size = path.stat().st_size
    assert size >= 3 * 4096
    flip_byte(path, 2 * 4096 + 1000)  # inside page 3
    with pytest.raises(StoreError) as caught:
        open_installed(state, clock=FakeClock(), environ={})
    assert str(caught.value) == MSG_DAMAGED


def test_flipped_byte_in_the_first_page_stops_start(state):
    flip_byte(state / DB_FILE_NAME, 500)
    with pytest.raises(StoreError) as caught:
        open_installed(state, clock=FakeClock(), environ={})
    assert str(caught.value) == MSG_DAMAGED  # not the wrong key: the other pages open with it


def test_truncated_file_is_refused(state):
    path = state / DB_FILE_NAME
    path.write_bytes(b"")
    with pytest.raises(StoreError) as caught:
        open_installed(state, clock=FakeClock(), environ={})
    assert str(caught.value) == MSG_TRUNCATED


def test_schema_version_table_and_wal(storage):
    assert storage.store.schema_version() == LATEST_VERSION
    conn = storage.store.connection()
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"schema_version", "helper", "audit", "audit_head", "setting"} <= tables


def test_a_newer_schema_is_refused(state):
    conn = raw_connection(state)
    conn.execute("INSERT INTO schema_version (version, applied_at) VALUES (?, 'x')", (LATEST_VERSION + 1,))
    conn.close()
    with pytest.raises(StoreError) as caught:
        open_installed(state, clock=FakeClock(), environ={})
    assert str(caught.value) == MSG_TOO_NEW


def test_migrations_run_once(state):
    for _ in range(2):
        with open_installed(state, clock=FakeClock(), environ={}) as storage:
            rows = storage.store.connection().execute("SELECT version FROM schema_version").fetchall()
            assert [r[0] for r in rows] == [v for v in range(1, LATEST_VERSION + 1)]


def test_one_connection_per_thread(storage):
    main = storage.store.connection()
    assert storage.store.connection() is main
    seen = {}

    def work():
        conn = storage.store.connection()
        seen["conn"] = conn
        seen["same"] = storage.store.connection() is conn
        storage.settings.set("from.thread", 7)

    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    assert seen["conn"] is not main and seen["same"]
    assert storage.settings.get("from.thread") == 7


def test_closed_store_refuses_use(state):
    storage = open_installed(state, clock=FakeClock(), environ={})
    storage.close()
    with pytest.raises(StoreError):
        storage.store.connection()


def test_check_installed_for_doctor(state):
    from kiosk.services.storage import check_installed

    assert check_installed(state, environ={}) == "file"
    os.chmod(state / KEY_FILE_NAME, 0o640)
    with pytest.raises(StoreError, match="chmod 600"):
        check_installed(state, environ={})
