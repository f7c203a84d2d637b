"""Which fault stopped the store, told apart from what SQLCipher and the disk say.

SQLCipher answers "file is not a database" (SQLITE_NOTADB) both for a wrong key
and for a damaged first page, and "disk I/O error" both for a full disk and for
a failing one. The disk and the file itself tell them apart:

- an empty file, or a size that is not a whole number of pages: cut (truncated);
- ``PRAGMA cipher_integrity_check`` with the key checks each page's HMAC: when
  no page at all opens, it is the wrong key; when some open and others do not,
  the file is damaged; when every page opens but SQLite finds pages missing
  (SQLITE_CORRUPT), the file was cut at a page boundary;
- a read-only mount or folder, a full disk and a missing file are seen on the
  disk: ``statvfs``, a real write beside the database (room.check_room), ``stat``.

Known limit: a damage confined to the first 16 bytes (the salt, from which the
HMAC key of every page is derived) looks like a wrong key.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

import sqlcipher3

from kiosk.core.journal_guard import cause_of
from kiosk.services.storage.errors import (
    MSG_DAMAGED,
    MSG_DISK_ERROR,
    MSG_FULL,
    MSG_NO_DATABASE,
    MSG_READ_ONLY,
    MSG_TRUNCATED,
    MSG_WRONG_KEY,
    StoreDamaged,
    StoreError,
    StoreFull,
    StoreMissing,
    StoreReadOnly,
    StoreTruncated,
    StoreUnavailable,
    WrongKey,
)

#: SQLCipher 4's page size (the store never changes it).
PAGE_SIZE = 4096
_SALT_BYTES = 16
_PLAIN_SQLITE = b"SQLite format 3\x00"

SQLITE_PERM = 3
SQLITE_READONLY = 8
SQLITE_IOERR = 10
SQLITE_CORRUPT = 11
SQLITE_FULL = 13
SQLITE_CANTOPEN = 14
SQLITE_NOTADB = 26

#: Codes that come from the file or the disk, not from the program.
FILE_OR_DISK = frozenset(
    {SQLITE_PERM, SQLITE_READONLY, SQLITE_IOERR, SQLITE_CORRUPT, SQLITE_FULL, SQLITE_CANTOPEN, SQLITE_NOTADB}
)


def sqlite_code(error: BaseException) -> int | None:
    """The primary SQLite result code of a database error, or None."""
    code = getattr(error, "sqlite_errorcode", None)
    return code & 0xFF if isinstance(code, int) else None


def from_file_or_disk(error: BaseException) -> bool:
    return sqlite_code(error) in FILE_OR_DISK


def full(folder: Path) -> StoreFull:
    return StoreFull(MSG_FULL.format(path=folder))


def read_only(folder: Path) -> StoreReadOnly:
    return StoreReadOnly(MSG_READ_ONLY.format(path=folder))


def _mounted_read_only(folder: Path) -> bool:
    try:
        return bool(os.statvfs(folder).f_flag & os.ST_RDONLY)
    except OSError:
        return False


def _not_writable(path: Path) -> bool:
    try:
        return path.exists() and not os.access(path, os.W_OK)
    except OSError:
        return False


def os_fault(error: OSError, folder: Path) -> StoreError:
    """The store error for an OSError met while writing in the store's folder."""
    cause = cause_of(error)
    if cause == "full":
        return full(folder)
    if cause == "read_only":
        return read_only(folder)
    return StoreUnavailable(MSG_DISK_ERROR.format(path=folder))


def disk_fault(database: Path, error: BaseException | None = None) -> StoreError:
    """The store error for a database error that came from the disk (full, read-only, missing, failing)."""
    from kiosk.services.storage.room import check_room

    database = Path(database)
    folder = database.parent
    code = sqlite_code(error) if error is not None else None
    if code == SQLITE_FULL:
        return full(folder)
    if not database.exists():
        return StoreMissing(MSG_NO_DATABASE)
    if code in (SQLITE_READONLY, SQLITE_PERM) or _mounted_read_only(folder):
        return read_only(folder)
    if _not_writable(folder) or _not_writable(database):
        return read_only(folder)
    try:
        check_room(database)  # a real write beside the database: full, read-only or fine?
    except OSError as problem:
        return os_fault(problem, folder)
    return StoreUnavailable(MSG_DISK_ERROR.format(path=folder))


def _is_truncated_size(size: int) -> bool:
    return size == 0 or size % PAGE_SIZE != 0


def unreadable(database: Path, db_key: bytes, error: BaseException | None = None) -> StoreError:
    """The key opens nothing, or SQLite finds the file malformed: wrong key, cut file or damaged file."""
    from kiosk.services.storage.store import keyed_connection

    database = Path(database)
    try:
        size = database.stat().st_size
        with open(database, "rb") as handle:
            first = handle.read(_SALT_BYTES)
    except FileNotFoundError:
        return StoreMissing(MSG_NO_DATABASE)
    except OSError as problem:
        return os_fault(problem, database.parent)
    if _is_truncated_size(size):
        return StoreTruncated(MSG_TRUNCATED)
    if first == _PLAIN_SQLITE or first == bytes(_SALT_BYTES):
        return StoreDamaged(MSG_DAMAGED)  # not encrypted, or wiped: no key would open it
    pages = size // PAGE_SIZE
    failed, short = 0, False
    try:
        conn = keyed_connection(database, db_key)
        try:
            for (line,) in conn.execute("PRAGMA cipher_integrity_check"):
                text = str(line)
                if "invalid size" in text:
                    short = True
                elif "HMAC" in text:
                    failed += 1
        finally:
            conn.close()
    except sqlcipher3.DatabaseError as problem:
        if from_file_or_disk(problem) and sqlite_code(problem) not in (SQLITE_NOTADB, SQLITE_CORRUPT):
            return disk_fault(database, problem)
        return StoreDamaged(MSG_DAMAGED)
    if short:
        return StoreTruncated(MSG_TRUNCATED)
    if failed >= pages:
        return WrongKey(MSG_WRONG_KEY)  # not one page opens with this key
    if failed:
        return StoreDamaged(MSG_DAMAGED)  # the key opens the other pages: these ones were changed
    if error is not None and sqlite_code(error) == SQLITE_CORRUPT:
        return StoreTruncated(MSG_TRUNCATED)  # every page there is genuine: some are missing
    return StoreDamaged(MSG_DAMAGED)


def explain(error: BaseException, database: Path, db_key: bytes) -> BaseException:
    """The store error for a database error met on the store's file; other errors are returned as they are."""
    code = sqlite_code(error)
    if code in (SQLITE_NOTADB, SQLITE_CORRUPT):
        return unreadable(database, db_key, error)
    if code in FILE_OR_DISK:
        return disk_fault(database, error)
    if isinstance(error, OSError):
        if error.errno == errno.ENOENT:
            return StoreMissing(MSG_NO_DATABASE)
        return os_fault(error, Path(database).parent)
    return error


__all__ = ["PAGE_SIZE", "disk_fault", "explain", "from_file_or_disk", "os_fault", "sqlite_code", "unreadable"]
