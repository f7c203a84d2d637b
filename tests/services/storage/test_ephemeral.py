"""Demo mode: a throw-away encrypted store, no `kiosk admin init` needed."""

from __future__ import annotations

import sqlite3

import pytest

from kiosk.core.clock import FakeClock
from kiosk.core.audit import AuditAction
from kiosk.services.storage import StoreError, open_ephemeral
from kiosk.services.storage.store import DB_FILE_NAME


def test_ephemeral_store_works_and_is_removed_on_close(monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path / "nowhere"))  # nothing installed, nothing needed
    storage = open_ephemeral(clock=FakeClock())
    directory = storage.path.parent
    assert storage.key_source == "memory"
    storage.helpers.add("formateur", "Formateur CANARIDEMO", "Formation", "482913")
    assert storage.helpers.verify_pin("formateur", "482913").ok
    storage.store.checkpoint()
    data = storage.path.read_bytes()
    assert not data.startswith(b"SQLite format 3") and b"CANARIDEMO" not in data
    assert storage.journal.verify().ok
    assert next(storage.journal.entries()).action is AuditAction.STORE_CREATED
    storage.close()
    assert not directory.exists()
    assert not (tmp_path / "nowhere").exists()
    with pytest.raises(StoreError):
        storage.store.connection()


def test_two_ephemeral_stores_are_separate():
    with open_ephemeral(clock=FakeClock()) as one, open_ephemeral(clock=FakeClock()) as two:
        one.settings.set("x", 1)
        assert two.settings.get("x") is None
        assert one.path != two.path
        with pytest.raises(sqlite3.DatabaseError):
            sqlite3.connect(one.path).execute("SELECT * FROM sqlite_master").fetchall()


def test_close_twice_is_harmless():
    storage = open_ephemeral(clock=FakeClock())
    storage.close()
    storage.close()
    assert not storage.path.exists()


def test_nothing_left_in_the_directory_name(tmp_path):
    with open_ephemeral(clock=FakeClock()) as storage:
        assert storage.path.name == DB_FILE_NAME
        assert "kiosk-demo-" in storage.path.parent.name
