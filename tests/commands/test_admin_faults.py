"""`kiosk admin` on real faulty files and disks: a full tmpfs, a read-only bind mount, cut and
damaged files, a wrong key, an empty key. Each: one sentence on stderr, exit status 2, no traceback;
only the wrong key mentions the backup."""

from __future__ import annotations

import io
import sys

import pytest

from kiosk.cli import main
from kiosk.core.clock import FakeClock
from kiosk.services.storage import open_installed
from kiosk.services.storage.errors import (
    MSG_DAMAGED,
    MSG_FULL,
    MSG_KEY_EMPTY,
    MSG_KEY_EMPTY_NO_DATABASE,
    MSG_NO_DATABASE,
    MSG_READ_ONLY,
    MSG_TRUNCATED,
    MSG_WRONG_KEY,
)
from kiosk.services.storage.faults import PAGE_SIZE
from kiosk.services.storage.keys import KEY_FILE_NAME
from kiosk.services.storage.store import DB_FILE_NAME
from tests.services.storage.disks import Filler, needs_root, read_only_view, small_disk

PIN = "482913"


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch):
    monkeypatch.delenv("CREDENTIALS_DIRECTORY", raising=False)
    monkeypatch.delenv("KIOSK_STATE_DIR", raising=False)


def admin(state, *args) -> int:
    return main(["admin", *args, "--state-dir", str(state)])


def one_sentence(capsys, code: int) -> str:
    captured = capsys.readouterr()
    assert code == 2, captured.out + captured.err
    assert "Traceback" not in captured.err and "Error" not in captured.err
    lines = captured.err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("kiosk : "), captured.err
    return lines[0][len("kiosk : "):]


@pytest.fixture
def ready(tmp_path, capsys):
    state = tmp_path / "state"
    assert admin(state, "init") == 0
    with open_installed(state, clock=FakeClock(), environ={}) as storage:
        for n in range(30):
            storage.settings.set(f"page.n{n}", "x" * 300)  # a store of several pages
    capsys.readouterr()
    return state


def rewrite(path, change):
    path.write_bytes(bytes(change(bytearray(path.read_bytes()))))


def flip(offset):
    def change(data):
        data[offset] ^= 0x01
        return data
    return change


# -- the file ------------------------------------------------------------------------------------

@pytest.mark.parametrize("fault, sentence", [
    ("wrong key", MSG_WRONG_KEY),
    ("first page flipped", MSG_DAMAGED),
    ("later page flipped", MSG_DAMAGED),
    ("cut mid-page", MSG_TRUNCATED),
    ("cut at a page", MSG_TRUNCATED),
    ("emptied", MSG_TRUNCATED),
    ("removed", MSG_NO_DATABASE),
])
def test_each_file_fault_has_its_sentence(ready, capsys, fault, sentence):
    database = ready / DB_FILE_NAME
    if fault == "wrong key":
        (ready / KEY_FILE_NAME).write_text("d4" * 32 + "\n")
    elif fault == "first page flipped":
        rewrite(database, flip(700))
    elif fault == "later page flipped":
        rewrite(database, flip(2 * PAGE_SIZE + 900))
    elif fault == "cut mid-page":
        rewrite(database, lambda data: data[:len(data) - 1500])
    elif fault == "cut at a page":
        rewrite(database, lambda data: data[:2 * PAGE_SIZE])
    elif fault == "emptied":
        database.write_bytes(b"")
    elif fault == "removed":
        database.unlink()
    for command in (("audit", "verify"), ("helper", "list"), ("audit", "export")):
        said = one_sentence(capsys, admin(ready, *command))
        assert said == sentence
        assert ("sauvegarde" in said) == (fault == "wrong key")


def test_an_empty_key_left_by_an_older_version(tmp_path, capsys):
    state = tmp_path / "state"
    state.mkdir(mode=0o700)
    (state / KEY_FILE_NAME).write_bytes(b"")
    (state / KEY_FILE_NAME).chmod(0o600)
    said = one_sentence(capsys, admin(state, "helper", "list"))
    assert said == MSG_KEY_EMPTY_NO_DATABASE.format(name=state / KEY_FILE_NAME)
    assert admin(state, "init") == 0  # no database yet: init replaces it
    assert "Clé créée" in capsys.readouterr().out
    (state / KEY_FILE_NAME).write_bytes(b"")
    said = one_sentence(capsys, admin(state, "init"))  # a database now: the key is on paper
    assert said == MSG_KEY_EMPTY.format(name=state / KEY_FILE_NAME)
    assert (state / KEY_FILE_NAME).read_bytes() == b""


# -- the disk --------------------------------------------------------------------------------------

@needs_root
def test_init_on_a_full_disk_then_after_freeing_space(tmp_path, capsys):
    with small_disk(tmp_path / "disk") as disk:
        state = disk / "state"
        filler = Filler(disk).fill()
        said = one_sentence(capsys, admin(state, "init"))
        assert said == MSG_FULL.format(path=state)
        assert not (state / KEY_FILE_NAME).exists() and not (state / DB_FILE_NAME).exists()
        assert list(state.iterdir()) == []
        said = one_sentence(capsys, admin(state, "init"))  # still full: the same sentence, not a key problem
        assert said == MSG_FULL.format(path=state)
        filler.free()
        assert admin(state, "init") == 0
        out = capsys.readouterr().out
        assert "Clé créée" in out and "Base chiffrée créée" in out and "Gardez une copie de la clé" in out
        assert admin(state, "audit", "verify") == 0
        assert "Journal intact : 1 entrée vérifiée." in capsys.readouterr().out


@needs_root
def test_init_with_room_for_the_key_only(tmp_path, capsys):
    with small_disk(tmp_path / "disk") as disk:
        state = disk / "state"
        state.mkdir(mode=0o700)
        filler = Filler(disk).fill(leave=2 * PAGE_SIZE)
        said = one_sentence(capsys, admin(state, "init"))
        assert said == MSG_FULL.format(path=state)
        assert list(state.iterdir()) == []  # neither the key nor half a database
        filler.free()
        assert admin(state, "init") == 0
        assert "Clé créée" in capsys.readouterr().out


@needs_root
def test_commands_on_a_full_disk(tmp_path, capsys, monkeypatch):
    with small_disk(tmp_path / "disk") as disk:
        state = disk / "state"
        assert admin(state, "init") == 0
        capsys.readouterr()
        filler = Filler(disk).fill()
        monkeypatch.setattr(sys, "stdin", io.StringIO(PIN + "\n"))
        for command in (("audit", "verify"),
                        ("helper", "add", "abel", "--name", "A", "--organisation", "O", "--pin-stdin")):
            said = one_sentence(capsys, admin(state, *command))
            assert said == MSG_FULL.format(path=state)
        filler.free()
        assert admin(state, "audit", "verify") == 0
        assert "Journal intact" in capsys.readouterr().out


@needs_root
def test_commands_on_a_read_only_mount(ready, tmp_path, capsys):
    with read_only_view(ready, tmp_path / "ro") as view:
        for command in (("audit", "verify"), ("helper", "list")):
            said = one_sentence(capsys, admin(view, *command))
            assert said == MSG_READ_ONLY.format(path=view)
    assert admin(ready, "audit", "verify") == 0  # nothing was lost


@needs_root
def test_init_on_a_read_only_mount(tmp_path, capsys):
    source = tmp_path / "source"
    source.mkdir()
    with read_only_view(source, tmp_path / "ro") as view:
        said = one_sentence(capsys, admin(view / "state", "init"))
        assert "lecture seule" in said and "sauvegarde" not in said
