"""The patients' sign-in lockouts in the encrypted store (the SignInLockStore port of
kiosk.core.sign_in_attempts), so that a lockout survives a restart of the kiosk.

A row holds a keyed fingerprint of the identifier (never the identifier), the wrong
codes since the last success and the end of a lock. The fingerprint key is drawn once,
at random, and kept in the same encrypted store, so the fingerprints stay the same
from one start to the next. A count with no lock is forgotten a day after the last
wrong code; a lock, once it is over.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta, timezone

from kiosk.core.clock import Clock
from kiosk.core.sign_in_attempts import AttemptRecord
from kiosk.services.storage.store import Store

KEEP_COUNTS = timedelta(days=1)


def _text(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat()


class StoredSignInLocks:
    """SignInLockStore on the SQLCipher store."""

    def __init__(self, store: Store, clock: Clock) -> None:
        self._store = store
        self._clock = clock

    def __repr__(self) -> str:
        return "StoredSignInLocks()"

    def key(self) -> bytes:
        """The fingerprint key of this store: made on first use, the same at every start."""
        with self._store.transaction() as db:
            db.execute("INSERT OR IGNORE INTO sign_in_lock_key (id, key) VALUES (1, ?)", (secrets.token_bytes(32),))
            (key,) = db.execute("SELECT key FROM sign_in_lock_key WHERE id = 1").fetchone()
        return bytes(key)

    def get(self, fingerprint: str) -> AttemptRecord | None:
        row = self._store.connection().execute(
            "SELECT failures, locked_until, updated_at FROM sign_in_lock WHERE fingerprint = ?", (fingerprint,)
        ).fetchone()
        if row is None:
            return None
        failures, locked_text, updated_text = row
        locked_until = datetime.fromisoformat(locked_text) if locked_text else None
        if locked_until is None and datetime.fromisoformat(updated_text) + KEEP_COUNTS <= self._clock.now():
            return None  # an old count, forgotten
        return AttemptRecord(int(failures), locked_until)

    def put(self, fingerprint: str, record: AttemptRecord | None) -> None:
        now = self._clock.now()
        with self._store.transaction() as db:
            if record is None:
                db.execute("DELETE FROM sign_in_lock WHERE fingerprint = ?", (fingerprint,))
            else:
                db.execute(
                    "INSERT INTO sign_in_lock (fingerprint, failures, locked_until, updated_at) VALUES (?, ?, ?, ?) "
                    "ON CONFLICT (fingerprint) DO UPDATE SET failures = excluded.failures, "
                    "locked_until = excluded.locked_until, updated_at = excluded.updated_at",
                    (fingerprint, record.failures,
                     _text(record.locked_until) if record.locked_until else None, _text(now)),
                )
            # what no longer protects anything goes: locks that are over, counts a day old
            db.execute(
                "DELETE FROM sign_in_lock WHERE (locked_until IS NOT NULL AND locked_until <= ?) "
                "OR (locked_until IS NULL AND updated_at <= ?)",
                (_text(now), _text(now - KEEP_COUNTS)),
            )

    def clear(self) -> None:
        with self._store.transaction() as db:
            db.execute("DELETE FROM sign_in_lock")
