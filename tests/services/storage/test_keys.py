"""The store key: where it comes from and what is refused."""

from __future__ import annotations

import os
import stat

import pytest

from kiosk.core.clock import FakeClock
from kiosk.services.storage import KeyMaterial, KeyProblem, find_master_key, initialise
from kiosk.services.storage.errors import MSG_KEY_EMPTY, MSG_KEY_EMPTY_NO_DATABASE, MSG_NO_KEY
from kiosk.services.storage.keys import KEY_FILE_NAME, check_key_file, create_key_file, parse_key
from kiosk.services.storage.store import DB_FILE_NAME

HEX_KEY = "a1" * 32


def write_key(path, content: bytes, mode: int):
    path.write_bytes(content)
    os.chmod(path, mode)
    return path


def test_init_creates_a_private_key_file(tmp_path):
    initialise(tmp_path / "state", clock=FakeClock(), environ={})
    key = tmp_path / "state" / KEY_FILE_NAME
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "state").stat().st_mode) == 0o700
    assert len(parse_key(key.read_bytes(), "k")) == 32
    check_key_file(key)  # does not raise


def test_init_never_overwrites_a_key(tmp_path):
    initialise(tmp_path, clock=FakeClock(), environ={})
    before = (tmp_path / KEY_FILE_NAME).read_bytes()
    result = initialise(tmp_path, clock=FakeClock(), environ={})
    assert not result.key_created and not result.store_created
    assert (tmp_path / KEY_FILE_NAME).read_bytes() == before
    with pytest.raises(FileExistsError):
        create_key_file(tmp_path)


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o620, 0o602])
def test_key_readable_or_writable_by_others_is_refused(tmp_path, mode):
    write_key(tmp_path / KEY_FILE_NAME, HEX_KEY.encode(), mode)
    with pytest.raises(KeyProblem, match="lisible par d'autres comptes") as caught:
        find_master_key(tmp_path, {})
    assert "chmod 600" in str(caught.value)
    assert HEX_KEY not in str(caught.value)


@pytest.mark.parametrize("mode", [0o600, 0o400])
def test_private_key_is_accepted(tmp_path, mode):
    write_key(tmp_path / KEY_FILE_NAME, (HEX_KEY + "\n").encode(), mode)
    loaded = find_master_key(tmp_path, {})
    assert loaded.master == bytes.fromhex(HEX_KEY) and loaded.source == "file"
    assert HEX_KEY not in repr(loaded)


@pytest.mark.parametrize(
    "content",
    [b"a1" * 31, b"a1" * 33, b"zz" * 32, b"short", b"0123456789abcdef" * 2, bytes(range(200, 231)), bytes(range(1, 34))],
)
def test_wrong_length_or_format_is_refused(tmp_path, content):
    write_key(tmp_path / KEY_FILE_NAME, content, 0o600)
    with pytest.raises(KeyProblem, match="pas le bon format"):
        find_master_key(tmp_path, {})


def test_raw_32_bytes_are_accepted(tmp_path):
    raw = bytes(range(200, 232))
    write_key(tmp_path / KEY_FILE_NAME, raw, 0o600)
    assert find_master_key(tmp_path, {}).master == raw


def test_missing_key_is_one_sentence(tmp_path):
    with pytest.raises(KeyProblem) as caught:
        find_master_key(tmp_path, {})
    assert str(caught.value) == MSG_NO_KEY


def test_symlink_is_refused(tmp_path):
    target = write_key(tmp_path / "elsewhere", HEX_KEY.encode(), 0o600)
    (tmp_path / KEY_FILE_NAME).symlink_to(target)
    with pytest.raises(KeyProblem, match="fichier ordinaire"):
        find_master_key(tmp_path, {})


def test_systemd_credential_comes_first(tmp_path):
    creds = tmp_path / "creds"
    creds.mkdir()
    write_key(creds / "kiosk-db-key", bytes.fromhex("b2" * 32), 0o400)
    write_key(tmp_path / KEY_FILE_NAME, HEX_KEY.encode(), 0o600)
    loaded = find_master_key(tmp_path, {"CREDENTIALS_DIRECTORY": str(creds)})
    assert loaded.source == "credential" and loaded.master == bytes.fromhex("b2" * 32)


def test_loose_or_malformed_credential_is_refused(tmp_path):
    creds = tmp_path / "creds"
    creds.mkdir()
    write_key(creds / "kiosk-db-key", HEX_KEY.encode(), 0o644)
    with pytest.raises(KeyProblem, match="lisible par d'autres"):
        find_master_key(tmp_path, {"CREDENTIALS_DIRECTORY": str(creds)})
    write_key(creds / "kiosk-db-key", b"1234", 0o400)
    with pytest.raises(KeyProblem, match="pas le bon format"):
        find_master_key(tmp_path, {"CREDENTIALS_DIRECTORY": str(creds)})


def test_init_with_a_credential_writes_no_key_file(tmp_path):
    creds = tmp_path / "creds"
    creds.mkdir()
    write_key(creds / "kiosk-db-key", HEX_KEY.encode(), 0o400)
    result = initialise(tmp_path / "state", clock=FakeClock(), environ={"CREDENTIALS_DIRECTORY": str(creds)})
    assert result.key.source == "credential" and result.store_created
    assert not (tmp_path / "state" / KEY_FILE_NAME).exists()


def test_init_does_not_invent_a_key_for_an_existing_database(tmp_path):
    initialise(tmp_path, clock=FakeClock(), environ={})
    (tmp_path / KEY_FILE_NAME).unlink()
    with pytest.raises(KeyProblem) as caught:
        initialise(tmp_path, clock=FakeClock(), environ={})
    assert str(caught.value) == MSG_NO_KEY
    assert not (tmp_path / KEY_FILE_NAME).exists()


def test_derived_keys_are_distinct_stable_and_hidden():
    master = bytes.fromhex(HEX_KEY)
    one, two = KeyMaterial.from_master(master), KeyMaterial.from_master(master)
    assert one == two
    assert len({one.db_key, one.audit_key, one.fingerprint_key, master}) == 4
    assert all(len(k) == 32 for k in (one.db_key, one.audit_key, one.fingerprint_key))
    assert one.db_key.hex() not in repr(one) and "db_key" not in repr(one)
    assert KeyMaterial.from_master(bytes(32)) != one


# -- an empty key file, left by an older version's interrupted init ------------------------------

def test_empty_key_without_a_database_is_named_and_init_replaces_it(tmp_path, capsys):
    write_key(tmp_path / KEY_FILE_NAME, b"", 0o600)
    with pytest.raises(KeyProblem) as caught:
        find_master_key(tmp_path, {})
    assert str(caught.value) == MSG_KEY_EMPTY_NO_DATABASE.format(name=tmp_path / KEY_FILE_NAME)
    result = initialise(tmp_path, clock=FakeClock(), environ={})
    assert result.key_created and result.store_created
    assert len(parse_key((tmp_path / KEY_FILE_NAME).read_bytes(), "k")) == 32
    assert stat.S_IMODE((tmp_path / KEY_FILE_NAME).stat().st_mode) == 0o600


def test_empty_key_with_a_database_is_never_replaced(tmp_path):
    initialise(tmp_path, clock=FakeClock(), environ={})
    write_key(tmp_path / KEY_FILE_NAME, b"", 0o600)
    for attempt in (lambda: find_master_key(tmp_path, {}),
                    lambda: initialise(tmp_path, clock=FakeClock(), environ={})):
        with pytest.raises(KeyProblem) as caught:
            attempt()
        assert str(caught.value) == MSG_KEY_EMPTY.format(name=tmp_path / KEY_FILE_NAME)
        assert "sauvegarde" not in str(caught.value)
    assert (tmp_path / KEY_FILE_NAME).read_bytes() == b""  # the database's key is on paper, not here


def test_a_key_is_written_through_a_temporary_file_and_linked(tmp_path, monkeypatch):
    seen = []
    real_link = os.link

    def link(source, target, *args, **kwargs):
        seen.append((os.path.dirname(source), os.path.getsize(source), stat.S_IMODE(os.stat(source).st_mode)))
        return real_link(source, target, *args, **kwargs)

    monkeypatch.setattr(os, "link", link)
    path = create_key_file(tmp_path)
    assert seen == [(str(tmp_path), 65, 0o600)]  # whole and private before it gets its name
    assert sorted(p.name for p in tmp_path.iterdir()) == [KEY_FILE_NAME]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_key_that_cannot_be_written_leaves_nothing(tmp_path, monkeypatch):
    import errno

    def no_room(fd, data):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "write", no_room)
    with pytest.raises(KeyProblem) as caught:
        initialise(tmp_path, clock=FakeClock(), environ={})
    monkeypatch.undo()
    assert "plein" in str(caught.value)
    assert list(tmp_path.iterdir()) == []
    assert initialise(tmp_path, clock=FakeClock(), environ={}).key_created
    assert (tmp_path / DB_FILE_NAME).exists()
