"""How the kiosk opens its store: installed (key from systemd or the key file)
or ephemeral (demo: a throw-away encrypted store, removed on close)."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import weakref
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping, Sequence

from kiosk.core.audit import AuditAction
from kiosk.core.clock import Clock, SystemClock
from kiosk.services.storage import faults, witness
from kiosk.services.storage.errors import StoreError
from kiosk.services.storage.helper_accounts import HelperAccounts
from kiosk.services.storage.journal import SqlJournal
from kiosk.services.storage.keys import (
    KEY_FILE_NAME,
    KeyMaterial,
    LoadedKey,
    create_key_file,
    credential_path,
    ensure_private_dir,
    find_master_key,
    is_empty_key_file,
    sync_folder,
)
from kiosk.services.storage.migrations import LATEST_VERSION
from kiosk.services.storage.store import DB_FILE_NAME, DatabaseError, Store
from kiosk.services.storage.stored_settings import StoredSettings


@dataclass
class Storage:
    """Everything the kiosk keeps: the store, the journal, helper accounts, settings."""

    store: Store
    journal: SqlJournal
    helpers: HelperAccounts
    settings: StoredSettings
    key_source: str  # "credential", "file" or "memory"
    _cleanup: weakref.finalize | None = field(default=None, repr=False)

    @property
    def path(self) -> Path:
        return self.store.path

    def close(self) -> None:
        self.store.close()
        if self._cleanup is not None:
            self._cleanup()

    # -- the witness of the journal's head, outside the store (witness.py) ----------------------
    def record_head(self) -> tuple[int, str] | None:
        """Write the journal's head outside the store (a log line, a line in the witness file).

        Called at each session end. Nothing for a demo store, which is thrown away.
        Raises OSError or StoreError when it cannot be written: the caller logs it.
        """
        if self.key_source == "memory":
            return None
        head = self.journal.head()
        if head is None:
            return None
        witness.record_head(self.path.parent, *head)
        try:
            if not self.settings.get(witness.WITNESS_SETTING):
                self.settings.set(witness.WITNESS_SETTING, True)  # from now on, a missing witness is seen
        except StoreError as error:  # the head is out; the mark is tried again at the next session end
            witness.log.warning("witness mark not stored: %s", type(error).__name__)
        return head

    def check_witness(self, last: int, extra: Sequence[tuple[int, str]] = ()) -> witness.WitnessCheck:
        """Compare the journal, verified up to entry `last`, with its witness (and `extra` heads)."""
        return witness.check(self.journal, last, self.path.parent, expected=self._witness_expected(), extra=extra)

    def _witness_expected(self) -> bool:
        """Has this store had a witness? Its setting says so, and so does its chained journal
        (the settings.changed entry of that setting), which outlives the setting row."""
        try:
            if self.settings.get(witness.WITNESS_SETTING):
                return True
            marker = json.dumps({"setting": witness.WITNESS_SETTING.replace(".", "_")}, separators=(",", ":"))
            row = self.store.connection().execute(
                "SELECT 1 FROM audit WHERE action = ? AND details = ? LIMIT 1",
                (AuditAction.SETTINGS_CHANGED.value, marker),
            ).fetchone()
            return row is not None
        except DatabaseError as error:
            told = self.store.explain(error)
            if isinstance(told, StoreError):
                raise told from None
            return True  # the settings table was tampered with: the witness is required

    def __enter__(self) -> "Storage":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _command_line_clock(clock: Clock | None) -> Clock:
    """The given clock; the system clock only for the command-line tools, which have no other."""
    return SystemClock() if clock is None else clock


def _assemble(store: Store, keys: KeyMaterial, clock: Clock, source: str, cleanup=None) -> Storage:
    journal = SqlJournal(store, keys, clock)
    return Storage(
        store=store,
        journal=journal,
        helpers=HelperAccounts(store, journal, clock),
        settings=StoredSettings(store, journal, clock),
        key_source=source,
        _cleanup=cleanup,
    )


def open_installed(
    state_dir: Path,
    *,
    clock: Clock | None = None,
    environ: Mapping[str, str] | None = None,
    purpose: str | None = None,
) -> Storage:
    """Open the store of an installed kiosk; StoreError (one French sentence) if anything is wrong.

    `purpose` (a short token such as "kiosk" or "admin") journals a STORE_OPENED entry;
    None opens without writing anything (for read-only checks). Everything the store
    writes is dated by `clock`; only the command-line tools, which have no other clock,
    leave it out and get the system clock.
    """
    clock = _command_line_clock(clock)
    loaded = find_master_key(Path(state_dir), environ)
    keys = KeyMaterial.from_master(loaded.master)
    store = Store(Path(state_dir) / DB_FILE_NAME, keys, clock=clock)
    storage = _assemble(store, keys, clock, loaded.source)
    if purpose is not None:
        try:
            storage.journal.append(AuditAction.STORE_OPENED, details={"purpose": purpose})
        except BaseException:
            storage.close()
            raise
    return storage


@dataclass(frozen=True)
class InitResult:
    key: LoadedKey
    key_created: bool
    store_created: bool
    database: Path
    witness: Path | None = None  # the witness file, when it could be created
    witness_append_only: bool | None = None  # None: this file system has no such attribute


def initialise(
    state_dir: Path, *, clock: Clock | None = None, environ: Mapping[str, str] | None = None
) -> InitResult:
    """Create what is missing (private state dir, key file unless a credential is given, database).

    Never overwrites a key or a database: running it again only checks them. An empty key
    file (an older version's interrupted run) is replaced only while there is no database.
    A new database is made whole under a temporary name, its first journal entry included,
    and only then put in place: a full disk leaves neither half a key nor half a database,
    and the next run starts again from the beginning.
    The first journal entry is dated by `clock` (left out by `kiosk admin init` only).
    """
    clock = _command_line_clock(clock)
    state_dir = Path(state_dir)
    ensure_private_dir(state_dir)
    database = state_dir / DB_FILE_NAME
    store_created = not database.exists()
    key_created = False
    key_file = state_dir / KEY_FILE_NAME
    # A new key only for a new database: a lost key must not silently replace the one of a database.
    if store_created and credential_path(environ) is None:
        if not key_file.exists():
            create_key_file(state_dir)
            key_created = True
        elif is_empty_key_file(key_file):
            create_key_file(state_dir, replace_empty=True)
            key_created = True
    try:
        loaded = find_master_key(state_dir, environ)
        keys = KeyMaterial.from_master(loaded.master)
        if store_created:
            _create_database(database, keys, clock, loaded.source)
        else:
            Store(database, keys, clock=clock).close()
    except BaseException:
        if key_created:  # a key for a database that was not made: the next run makes both again
            _remove_quietly(key_file)
        raise
    try:  # the witness file now, so root can make it append-only before the kiosk ever runs
        witness_file = witness.start_witness(state_dir)
    except OSError:
        return InitResult(loaded, key_created, store_created, database)  # made at the first session end
    return InitResult(loaded, key_created, store_created, database, witness_file,
                      witness.append_only(witness_file))


def _database_files(path: Path) -> list[Path]:
    return [path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")]


def _remove_quietly(path: Path) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def _create_database(database: Path, keys: KeyMaterial, clock: Clock, source: str) -> None:
    """Make the database under a temporary name, first entry included, then link it in place."""
    partial = database.with_name(database.name + ".new")
    for leftover in _database_files(partial):  # from a run that stopped half-way
        _remove_quietly(leftover)
    try:
        store = Store(partial, keys, clock=clock, create=True)
        storage = _assemble(store, keys, clock, source)
        try:
            storage.journal.append(
                AuditAction.STORE_CREATED, details={"schema_version": LATEST_VERSION, "mode": source}
            )
            store.checkpoint()  # everything in the main file: the WAL is not linked in place
        finally:
            storage.close()
        for extra in _database_files(partial)[1:]:
            if extra.exists() and extra.stat().st_size:
                raise faults.disk_fault(partial)
        try:
            fd = os.open(partial, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
            os.link(partial, database)  # never over a database that appeared meanwhile
            sync_folder(database.parent)
        except OSError as error:
            raise faults.os_fault(error, database.parent) from None
    finally:
        for leftover in _database_files(partial):
            _remove_quietly(leftover)


def open_ephemeral(*, clock: Clock) -> Storage:
    """A throw-away encrypted store for demo and training: random key in memory only,
    files in a private temporary directory removed on close (or at interpreter exit).
    Dated by the kiosk's clock, like the installed store."""
    directory = Path(tempfile.mkdtemp(prefix="kiosk-demo-"))
    os.chmod(directory, 0o700)
    keys = KeyMaterial.random()
    try:
        store = Store(directory / DB_FILE_NAME, keys, clock=clock, create=True)
    except BaseException:
        shutil.rmtree(directory, ignore_errors=True)
        raise
    # Removed on close(), when the store is collected, or at interpreter exit, whichever comes first.
    cleanup = weakref.finalize(store, shutil.rmtree, str(directory), True)
    storage = _assemble(store, keys, clock, "memory", cleanup)
    storage.journal.append(AuditAction.STORE_CREATED, details={"schema_version": LATEST_VERSION, "mode": "demo"})
    return storage


def check_installed(
    state_dir: Path, environ: Mapping[str, str] | None = None, *, clock: Clock | None = None
) -> str:
    """For `kiosk doctor`: open and check the store without writing; return the key source.

    Raises StoreError (KeyProblem for key problems) with the sentence to show.
    """
    storage = open_installed(state_dir, clock=clock, environ=environ)
    try:
        return storage.key_source
    finally:
        storage.close()
