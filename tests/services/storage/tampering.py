"""Going behind the application's back, for tests: a raw keyed connection, the raw bytes on disk."""

from __future__ import annotations

from pathlib import Path

from kiosk.services.storage import KeyMaterial, find_master_key
from kiosk.services.storage.store import DB_FILE_NAME, keyed_connection


def raw_connection(state: Path):
    """A connection behind the application's back: the right key, none of its rules."""
    keys = KeyMaterial.from_master(find_master_key(state, {}).master)
    return keyed_connection(state / DB_FILE_NAME, keys.db_key)


def file_bytes(state: Path) -> bytes:
    """Every byte the database left on disk (main file, and WAL / shared memory if present)."""
    data = b""
    for path in sorted(state.glob(DB_FILE_NAME + "*")):
        data += path.read_bytes()
    return data


def tamper(state, *statements, keep_guards=True):
    """Change the journal behind the application's back: drop the triggers, run SQL, put them back."""
    conn = raw_connection(state)
    saved = conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'").fetchall()
    for name, _ in saved:
        conn.execute(f"DROP TRIGGER {name}")
    for statement in statements:
        if isinstance(statement, tuple):
            conn.execute(*statement)
        else:
            conn.execute(statement)
    if keep_guards:
        for _, sql in saved:
            conn.execute(sql)
    conn.close()
