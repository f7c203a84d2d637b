"""Each store fault, for real, gets its own error and sentence: wrong key, cut file, damaged
file, read-only folder, full disk, missing file. Only the wrong key mentions the backup."""

from __future__ import annotations

import os

import pytest
import sqlcipher3

from kiosk.core.audit import AuditAction
from kiosk.core.clock import FakeClock
from kiosk.core.journal_guard import GuardedJournal, JournalDown, cause_of
from kiosk.services.storage import KeyProblem, StoreError, initialise, open_installed
from kiosk.services.storage.errors import (
    MSG_DAMAGED,
    MSG_FULL,
    MSG_NO_DATABASE,
    MSG_READ_ONLY,
    MSG_TRUNCATED,
    MSG_WRONG_KEY,
    StoreDamaged,
    StoreFull,
    StoreMissing,
    StoreReadOnly,
    StoreTruncated,
    WrongKey,
)
from kiosk.services.storage.faults import PAGE_SIZE
from kiosk.services.storage.keys import KEY_FILE_NAME
from kiosk.services.storage.store import DB_FILE_NAME

from .disks import Filler, needs_root, read_only_view, small_disk
from .tampering import raw_connection


def opening_error(state) -> StoreError:
    with pytest.raises(StoreError) as caught:
        open_installed(state, clock=FakeClock(), environ={}).close()
    return caught.value


@pytest.fixture
def filled(state):
    """A store with a few pages of entries, every page in the main file."""
    with open_installed(state, clock=FakeClock(), environ={}) as storage:
        for n in range(40):
            storage.settings.set(f"filler.n{n}", "x" * 200)
    assert (state / DB_FILE_NAME).stat().st_size >= 8 * PAGE_SIZE
    return state


def rewrite(path, change) -> None:
    data = bytearray(path.read_bytes())
    path.write_bytes(bytes(change(data)))


# -- the file ------------------------------------------------------------------------------------

def test_wrong_key_is_the_only_one_that_mentions_the_backup(filled):
    (filled / KEY_FILE_NAME).write_text("c3" * 32 + "\n")
    error = opening_error(filled)
    assert isinstance(error, WrongKey) and str(error) == MSG_WRONG_KEY
    assert "sauvegarde" in str(error)


@pytest.mark.parametrize("where", [500, 3000], ids=["header-area", "end-of-page"])
def test_a_damaged_first_page_is_not_a_wrong_key(filled, where):
    def flip(data):
        data[where] ^= 0x01
        return data

    rewrite(filled / DB_FILE_NAME, flip)
    error = opening_error(filled)
    assert isinstance(error, StoreDamaged) and str(error) == MSG_DAMAGED


def test_a_damaged_later_page(filled):
    def flip(data):
        data[3 * PAGE_SIZE + 100] ^= 0x80
        return data

    rewrite(filled / DB_FILE_NAME, flip)
    error = opening_error(filled)
    assert type(error) is StoreDamaged and str(error) == MSG_DAMAGED


def test_a_wiped_file(filled):
    rewrite(filled / DB_FILE_NAME, lambda data: bytes(len(data)))
    assert str(opening_error(filled)) == MSG_DAMAGED


@pytest.mark.parametrize("keep", [0, 100, PAGE_SIZE, 3 * PAGE_SIZE, 5 * PAGE_SIZE - 1000],
                         ids=["empty", "inside-page-1", "one-page", "three-pages", "mid-page"])
def test_a_cut_file(filled, keep):
    rewrite(filled / DB_FILE_NAME, lambda data: data[:keep])
    error = opening_error(filled)
    assert isinstance(error, StoreTruncated) and str(error) == MSG_TRUNCATED


def test_a_missing_file(state):
    (state / DB_FILE_NAME).unlink()
    error = opening_error(state)
    assert isinstance(error, StoreMissing) and str(error) == MSG_NO_DATABASE


def test_the_sentences_are_all_different_and_only_one_says_backup():
    sentences = [MSG_WRONG_KEY, MSG_DAMAGED, MSG_TRUNCATED, MSG_READ_ONLY, MSG_FULL, MSG_NO_DATABASE]
    assert len(set(sentences)) == len(sentences)
    assert [s for s in sentences if "sauvegarde" in s] == [MSG_WRONG_KEY]
    for sentence in sentences:
        assert sentence.count(" : ") == 1 and sentence.endswith(".")  # what happened : what to do.


# -- the disk: full ------------------------------------------------------------------------------

@needs_root
def test_init_on_a_full_disk_leaves_nothing_and_works_once_there_is_room(tmp_path):
    with small_disk(tmp_path / "disk") as disk:
        filler = Filler(disk).fill()
        state = disk / "state"
        with pytest.raises(KeyProblem) as caught:
            initialise(state, clock=FakeClock(), environ={})
        assert str(caught.value) == MSG_FULL.format(path=state)
        assert list(state.iterdir()) == []  # no empty key, no temporary file
        filler.free()
        result = initialise(state, clock=FakeClock(), environ={})
        assert result.key_created and result.store_created


@needs_root
def test_init_with_room_for_the_key_but_not_the_database(tmp_path):
    with small_disk(tmp_path / "disk") as disk:
        state = disk / "state"
        state.mkdir()
        filler = Filler(disk).fill(leave=3 * PAGE_SIZE)
        with pytest.raises(StoreError) as caught:
            initialise(state, clock=FakeClock(), environ={})
        assert isinstance(caught.value, StoreFull) and str(caught.value) == MSG_FULL.format(path=state)
        assert sorted(p.name for p in state.iterdir()) == []  # the new key went with the database
        filler.free()
        result = initialise(state, clock=FakeClock(), environ={})
        assert result.key_created and result.store_created
        with open_installed(state, clock=FakeClock(), environ={}) as storage:
            assert storage.journal.verify().ok


@needs_root
def test_appends_on_a_full_disk_are_typed_and_lose_nothing_once_freed(tmp_path):
    with small_disk(tmp_path / "disk") as disk:
        state = disk / "state"
        initialise(state, clock=FakeClock(), environ={})
        with open_installed(state, clock=FakeClock(), environ={}) as storage:
            storage.journal.append(AuditAction.SESSION_STARTED)
            filler = Filler(disk).fill()
            failures = []
            for _ in range(200):
                try:
                    storage.journal.append(AuditAction.SESSION_STARTED, details={"mode": "assisted"})
                except StoreError as error:
                    failures.append(error)
            assert len(failures) >= 195  # a few may still fit in pages SQLite had already
            assert all(type(e) is StoreFull and e.cause == "full" for e in failures)
            assert not any(isinstance(e, sqlcipher3.Error) for e in failures)
            assert str(failures[-1]) == MSG_FULL.format(path=state)
            filler.free()
            entry = storage.journal.append(AuditAction.SESSION_ENDED)
            report = storage.journal.verify()
            assert report.ok and report.checked == entry.seq == 3 + 200 - len(failures)


@needs_root
def test_the_journal_guard_names_a_full_disk(tmp_path):
    with small_disk(tmp_path / "disk") as disk:
        state = disk / "state"
        initialise(state, clock=FakeClock(), environ={})
        with open_installed(state, clock=FakeClock(), environ={}) as storage:
            guard = GuardedJournal(storage.journal)
            guard.append(AuditAction.SESSION_STARTED)
            Filler(disk).fill()
            for _ in range(50):
                try:
                    guard.append(AuditAction.SESSION_STARTED)
                except JournalDown:
                    break
            assert guard.down and guard.cause == "full"


@needs_root
def test_opening_on_a_full_disk(tmp_path):
    with small_disk(tmp_path / "disk") as disk:
        state = disk / "state"
        initialise(state, clock=FakeClock(), environ={})
        Filler(disk).fill()
        error = opening_error(state)
        assert isinstance(error, StoreFull) and str(error) == MSG_FULL.format(path=state)


# -- the disk: read-only -------------------------------------------------------------------------

@needs_root
def test_a_read_only_mount(state, tmp_path):
    with read_only_view(state, tmp_path / "ro") as view:
        error = opening_error(view)
        assert isinstance(error, StoreReadOnly) and error.cause == "read_only"
        assert str(error) == MSG_READ_ONLY.format(path=view)


@needs_root
def test_a_read_only_mount_under_an_open_store(tmp_path):
    with small_disk(tmp_path / "disk") as disk:
        state = disk / "state"
        initialise(state, clock=FakeClock(), environ={})
        view_dir = tmp_path / "ro"
        with read_only_view(disk, view_dir) as view:
            # the kiosk has the store open on the writable side, so its -shm exists
            with open_installed(state, clock=FakeClock(), environ={}):
                with pytest.raises(StoreError) as caught:
                    with open_installed(view / "state", clock=FakeClock(), environ={}, purpose="admin"):
                        pass
        assert isinstance(caught.value, StoreReadOnly)
        assert str(caught.value) == MSG_READ_ONLY.format(path=view_dir / "state")


@needs_root
def test_init_on_a_read_only_mount(tmp_path):
    source = tmp_path / "source"
    source.mkdir()
    with read_only_view(source, tmp_path / "ro") as view:
        with pytest.raises(StoreError) as caught:
            initialise(view / "state", clock=FakeClock(), environ={})
        assert "lecture seule" in str(caught.value) and "sauvegarde" not in str(caught.value)


# -- cause_of --------------------------------------------------------------------------------------

def test_cause_of_reads_the_store_errors_and_sqlite_codes(state):
    assert cause_of(StoreFull("x")) == "full"
    assert cause_of(StoreReadOnly("x")) == "read_only"
    assert cause_of(StoreDamaged("x")) == "broken"
    conn = raw_connection(state)
    try:
        conn.execute("PRAGMA query_only = ON")
        with pytest.raises(sqlcipher3.DatabaseError) as caught:
            conn.execute("INSERT INTO setting VALUES ('a', '1', 'x')")
    finally:
        conn.close()
    assert cause_of(caught.value) == "read_only"
    assert cause_of(OSError(28, os.strerror(28))) == "full"
