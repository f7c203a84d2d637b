"""The SQLCipher database: opening with a raw key, integrity check, WAL,
one connection per thread, and schema migrations.

    store = Store(path, keys, clock=clock)  # raises StoreError with one French sentence
    with store.transaction() as db:    # BEGIN IMMEDIATE … COMMIT / ROLLBACK
        db.execute(...)
    store.close()
"""

from __future__ import annotations

import os
import threading
from contextlib import contextmanager
from datetime import timezone
from pathlib import Path
from typing import Iterator

import sqlcipher3

from kiosk.core.clock import Clock
from kiosk.services.storage import faults
from kiosk.services.storage.errors import (
    MSG_CLOSED,
    MSG_DAMAGED,
    MSG_NO_DATABASE,
    MSG_TOO_NEW,
    MSG_TRUNCATED,
    StoreDamaged,
    StoreError,
    StoreMissing,
    StoreTruncated,
)
from kiosk.services.storage.keys import KeyMaterial
from kiosk.services.storage.migrations import LATEST_VERSION, MIGRATIONS

DB_FILE_NAME = "kiosk.db"
DatabaseError = sqlcipher3.DatabaseError


def keyed_connection(path: Path, db_key: bytes) -> "sqlcipher3.Connection":
    """A raw connection with the key set and nothing else (also used by tests and doctor)."""
    conn = sqlcipher3.connect(str(path), isolation_level=None, check_same_thread=False, timeout=10)
    try:
        conn.execute("PRAGMA cipher_log_level = NONE")
    except DatabaseError:  # pragma: no cover - older SQLCipher builds
        pass
    conn.execute(f"PRAGMA key = \"x'{db_key.hex()}'\"")
    return conn


class Store:
    def __init__(self, path: Path, keys: KeyMaterial, *, clock: Clock, create: bool = False) -> None:
        self.path = Path(path)
        self._clock = clock
        self._keys = keys
        self._local = threading.local()
        self._lock = threading.Lock()
        self._connections: list = []
        self._closed = False
        if not self.path.exists():
            if not create:
                raise StoreMissing(MSG_NO_DATABASE)
            _create_private_file(self.path)
        elif self.path.stat().st_size == 0:
            raise StoreTruncated(MSG_TRUNCATED)
        conn = self.connection()
        try:
            try:
                conn.execute("PRAGMA journal_mode = WAL").fetchall()
                problems = [str(row[0]) for row in conn.execute("PRAGMA cipher_integrity_check")]
                if problems:
                    short = any("invalid size" in problem for problem in problems)
                    raise StoreTruncated(MSG_TRUNCATED) if short else StoreDamaged(MSG_DAMAGED)
                self._migrate(conn)
            except DatabaseError as error:
                told = self.explain(error)
                # What the file or the disk did not explain is a file that is not what it should be.
                raise (told if isinstance(told, StoreError) else StoreDamaged(MSG_DAMAGED)) from None
        except BaseException:
            self.close()
            raise

    def explain(self, error: BaseException) -> BaseException:
        """The store error (one sentence) for a database error that came from the file or the disk."""
        return faults.explain(error, self.path, self._keys.db_key)

    # -- connections -------------------------------------------------------
    def connection(self) -> "sqlcipher3.Connection":
        """This thread's connection, opened on first use."""
        if self._closed:
            raise StoreError(MSG_CLOSED)
        conn = getattr(self._local, "conn", None)
        if conn is None:
            try:
                conn = keyed_connection(self.path, self._keys.db_key)
            except DatabaseError as error:
                raise self.explain(error) from None
            try:
                conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
                conn.execute("PRAGMA busy_timeout = 10000")
                conn.execute("PRAGMA foreign_keys = ON")
                conn.execute("PRAGMA secure_delete = ON")
                conn.execute("PRAGMA temp_store = MEMORY")
            except DatabaseError as error:
                conn.close()
                raise self.explain(error) from None
            self._local.conn = conn
            with self._lock:
                self._connections.append(conn)
        return conn

    @contextmanager
    def transaction(self) -> Iterator["sqlcipher3.Connection"]:
        """A write transaction taken at once (BEGIN IMMEDIATE), committed or rolled back.

        A full disk, a read-only folder, a damaged file... raise their own StoreError
        (StoreFull, StoreReadOnly, StoreDamaged...), never a raw database error, and
        leave the connection ready for the next transaction.
        """
        conn = self.connection()
        try:
            conn.execute("BEGIN IMMEDIATE")
        except DatabaseError as error:
            _rollback(conn)
            raise self._told(error) from None
        try:
            yield conn
        except BaseException as error:
            _rollback(conn)
            if isinstance(error, DatabaseError) and faults.from_file_or_disk(error):
                raise self.explain(error) from None
            raise
        try:
            conn.execute("COMMIT")
        except DatabaseError as error:
            _rollback(conn)
            raise self._told(error) from None

    def _told(self, error: DatabaseError) -> BaseException:
        return self.explain(error) if faults.from_file_or_disk(error) else error

    # -- schema ------------------------------------------------------------
    def schema_version(self) -> int:
        row = self.connection().execute("SELECT COALESCE(MAX(version), 0) FROM schema_version").fetchone()
        return int(row[0])

    def _migrate(self, conn) -> None:
        conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_version "
            "(version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)"
        )
        current = self.schema_version()
        if current > LATEST_VERSION:
            raise StoreError(MSG_TOO_NEW)
        for version, script in MIGRATIONS:
            if version <= current:
                continue
            conn.execute("BEGIN IMMEDIATE")
            try:
                for statement in _statements(script):
                    conn.execute(statement)
                conn.execute(
                    "INSERT INTO schema_version (version, applied_at) VALUES (?, ?)",
                    (version, self._clock.now().astimezone(timezone.utc).isoformat()),
                )
            except BaseException:
                _rollback(conn)
                raise
            conn.execute("COMMIT")

    # -- closing -------------------------------------------------------------
    def checkpoint(self) -> None:
        """Write the WAL back into the main file and empty it."""
        try:
            self.connection().execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
        except DatabaseError as error:
            raise self._told(error) from None

    def close(self) -> None:
        if self._closed:
            return
        with self._lock:
            connections, self._connections = self._connections, []
        for conn in connections:
            try:
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
            except DatabaseError:
                pass
            conn.close()
        self._closed = True
        self._local = threading.local()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _statements(script: str) -> list[str]:
    """Split a migration script into statements, keeping trigger bodies whole."""
    out: list[str] = []
    buffer = ""
    for line in script.splitlines(keepends=True):
        buffer += line
        if sqlcipher3.complete_statement(buffer):
            if buffer.strip():
                out.append(buffer.strip())
            buffer = ""
    if buffer.strip():
        out.append(buffer.strip())
    return out


def _rollback(conn) -> None:
    """Roll back what is left of a failed transaction (SQLite may have done it already)."""
    if conn.in_transaction:
        try:
            conn.execute("ROLLBACK")
        except DatabaseError:
            pass


def _create_private_file(path: Path) -> None:
    """Create the database file with mode 0600 first: SQLite gives its WAL files the same mode."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    except OSError as error:
        raise faults.os_fault(error, path.parent) from None
    os.close(fd)
