"""The store key: where it comes from, how it is checked, and the keys derived from it.

One 256-bit master key per kiosk, loaded in this order:

1. a systemd credential, ``$CREDENTIALS_DIRECTORY/kiosk-db-key`` (the service
   unit uses ``LoadCredentialEncrypted=kiosk-db-key:…``);
2. the key file ``kiosk-db.key`` in the state directory, created by
   ``kiosk admin init`` with mode 0600 and refused if group or others may read
   or write it, or if another account owns it.

The file holds 64 hexadecimal characters (a trailing newline is allowed) or 32
raw bytes. The key is never logged, never in settings and never in a message.

A key file is written whole or not at all: a temporary file in the same folder,
written, synced, then linked under its name (never over another key) and the
folder synced. An empty key file left by an older version's interrupted
``init`` gets its own sentence, and ``init`` replaces it only while there is no
database yet.

Three working keys are derived from the master key with HKDF-SHA256 (RFC 5869),
each with its own label: the SQLCipher key, the audit-chain HMAC key and the
fingerprint key. One secret is provisioned, backed up and protected; a leak of
a derived key (say, the fingerprint key) does not reveal the others.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import stat
import string
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

from kiosk.services.storage.errors import (
    MSG_KEY_EMPTY,
    MSG_KEY_EMPTY_NO_DATABASE,
    MSG_KEY_FORMAT,
    MSG_KEY_LOOSE,
    MSG_KEY_NOT_FILE,
    MSG_KEY_OWNER,
    MSG_KEY_UNREADABLE,
    MSG_NO_KEY,
    MSG_UNWRITABLE,
    KeyProblem,
)


class EmptyKey(KeyProblem):
    """The key file is there but holds nothing (an interrupted `init` of an older version)."""

CREDENTIAL_NAME = "kiosk-db-key"
KEY_FILE_NAME = "kiosk-db.key"
KEY_BYTES = 32
_HKDF_SALT = b"kiosque-sante/v1"
_HEX = set(string.hexdigits.encode())


def parse_key(data: bytes, name: str) -> bytes:
    """The 32 key bytes from a key file's content, or KeyProblem."""
    if len(data) == KEY_BYTES and not set(data) <= _HEX:
        return bytes(data)
    text = data.strip()
    if len(text) == 2 * KEY_BYTES and set(text) <= _HEX:
        return bytes.fromhex(text.decode("ascii"))
    raise KeyProblem(MSG_KEY_FORMAT.format(name=name))


def _check_mode(st: os.stat_result, name: str, check_owner: bool = True) -> None:
    if not stat.S_ISREG(st.st_mode):
        raise KeyProblem(MSG_KEY_NOT_FILE.format(name=name))
    if check_owner and hasattr(os, "geteuid") and st.st_uid != os.geteuid():
        raise KeyProblem(MSG_KEY_OWNER.format(name=name))
    if st.st_mode & 0o077:
        raise KeyProblem(MSG_KEY_LOOSE.format(name=name))


def check_key_file(path: Path) -> None:
    """Raise KeyProblem if the key file is not a private regular file of this account."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        raise KeyProblem(MSG_NO_KEY) from None
    except OSError:
        raise KeyProblem(MSG_KEY_UNREADABLE.format(name=path)) from None
    _check_mode(st, str(path))


def read_key_file(path: Path, *, check_owner: bool = True) -> bytes:
    """Read and check one key file; permissions are checked on the opened file itself."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise KeyProblem(MSG_NO_KEY) from None
    except OSError:
        if os.path.islink(path):
            raise KeyProblem(MSG_KEY_NOT_FILE.format(name=path)) from None
        raise KeyProblem(MSG_KEY_UNREADABLE.format(name=path)) from None
    try:
        st = os.fstat(fd)
        _check_mode(st, str(path), check_owner=check_owner)
        data = os.read(fd, 4 * KEY_BYTES + 2)
    except OSError:
        raise KeyProblem(MSG_KEY_UNREADABLE.format(name=path)) from None
    finally:
        os.close(fd)
    if not data:
        raise EmptyKey(MSG_KEY_EMPTY.format(name=path))
    return parse_key(data, str(path))


def is_empty_key_file(path: Path) -> bool:
    """True for a regular, empty key file (what an interrupted `init` of an older version left)."""
    try:
        st = os.lstat(path)
    except OSError:
        return False
    return stat.S_ISREG(st.st_mode) and st.st_size == 0


@dataclass(frozen=True)
class LoadedKey:
    master: bytes = field(repr=False)
    source: str  # "credential" or "file"
    location: Path


def credential_path(environ: Mapping[str, str] | None = None) -> Path | None:
    env = os.environ if environ is None else environ
    directory = env.get("CREDENTIALS_DIRECTORY", "")
    if not directory:
        return None
    candidate = Path(directory) / CREDENTIAL_NAME
    return candidate if candidate.exists() else None


def find_master_key(state_dir: Path, environ: Mapping[str, str] | None = None) -> LoadedKey:
    """The master key: the systemd credential first, else the checked key file, else KeyProblem."""
    cred = credential_path(environ)
    if cred is not None:
        # systemd gives the credential to the service's account with mode 0400; the owner is
        # systemd's business, but a credential readable by others is still refused.
        return LoadedKey(read_key_file(cred, check_owner=False), "credential", cred)
    path = Path(state_dir) / KEY_FILE_NAME
    try:
        return LoadedKey(read_key_file(path), "file", path)
    except EmptyKey:
        from kiosk.services.storage.store import DB_FILE_NAME

        if not (Path(state_dir) / DB_FILE_NAME).exists():
            raise EmptyKey(MSG_KEY_EMPTY_NO_DATABASE.format(name=path)) from None
        raise


def _key_write_problem(error: OSError, folder: Path) -> KeyProblem:
    """A full or read-only disk gets the store's sentence for it; anything else, the folder's rights."""
    from kiosk.core.journal_guard import cause_of
    from kiosk.services.storage.errors import MSG_FULL, MSG_READ_ONLY

    cause = cause_of(error)
    if cause == "full":
        problem = KeyProblem(MSG_FULL.format(path=folder))
    elif cause == "read_only" and _read_only_mount(folder):
        problem = KeyProblem(MSG_READ_ONLY.format(path=folder))
    else:
        problem = KeyProblem(MSG_UNWRITABLE.format(path=folder))
    problem.cause = cause
    return problem


def _read_only_mount(folder: Path) -> bool:
    try:
        return bool(os.statvfs(folder).f_flag & os.ST_RDONLY)
    except OSError:
        return False


def ensure_private_dir(path: Path) -> None:
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as error:
        parent = path if path.exists() else path.parent
        raise _key_write_problem(error, parent) from None


def sync_folder(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def create_key_file(state_dir: Path, *, replace_empty: bool = False) -> Path:
    """Write a new random key file with mode 0600, whole or not at all.

    Never overwrites a key (FileExistsError); with `replace_empty`, an empty key file
    (an interrupted `init` of an older version) is replaced. A full or read-only disk
    is a KeyProblem with its sentence, and leaves no file behind.
    """
    state_dir = Path(state_dir)
    ensure_private_dir(state_dir)
    path = state_dir / KEY_FILE_NAME
    temporary = state_dir / f".{KEY_FILE_NAME}.{secrets.token_hex(6)}.tmp"
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(temporary, flags, 0o600)
    except OSError as error:
        raise _key_write_problem(error, state_dir) from None
    try:
        try:
            os.fchmod(fd, 0o600)
            data = (secrets.token_bytes(KEY_BYTES).hex() + "\n").encode("ascii")
            while data:
                data = data[os.write(fd, data):]
            os.fsync(fd)
        finally:
            os.close(fd)
        if replace_empty and is_empty_key_file(path):
            os.replace(temporary, path)
        else:
            os.link(temporary, path)  # fails if a key appeared meanwhile: never over a key
            os.unlink(temporary)
        sync_folder(state_dir)
    except FileExistsError:
        _remove(temporary)
        raise
    except OSError as error:
        _remove(temporary)
        raise _key_write_problem(error, state_dir) from None
    except BaseException:
        _remove(temporary)
        raise
    return path


def _remove(path: Path) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    except OSError:  # pragma: no cover - a folder that refuses the removal refused the file first
        pass


def hkdf_sha256(master: bytes, info: bytes, length: int = KEY_BYTES) -> bytes:
    """HKDF (RFC 5869) with SHA-256, extract then expand."""
    prk = hmac.new(_HKDF_SALT, master, hashlib.sha256).digest()
    out, block, counter = b"", b"", 1
    while len(out) < length:
        block = hmac.new(prk, block + info + bytes([counter]), hashlib.sha256).digest()
        out += block
        counter += 1
    return out[:length]


@dataclass(frozen=True)
class KeyMaterial:
    """The three working keys. Never printed: every field is hidden from repr."""

    db_key: bytes = field(repr=False)
    audit_key: bytes = field(repr=False)
    fingerprint_key: bytes = field(repr=False)

    @classmethod
    def from_master(cls, master: bytes) -> "KeyMaterial":
        if len(master) != KEY_BYTES:
            raise KeyProblem(MSG_KEY_FORMAT.format(name="(clé)"))
        return cls(
            db_key=hkdf_sha256(master, b"sqlcipher-database"),
            audit_key=hkdf_sha256(master, b"audit-hmac-chain"),
            fingerprint_key=hkdf_sha256(master, b"subject-fingerprint"),
        )

    @classmethod
    def random(cls) -> "KeyMaterial":
        return cls.from_master(secrets.token_bytes(KEY_BYTES))
