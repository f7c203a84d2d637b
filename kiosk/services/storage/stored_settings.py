"""A small key/value table for settings changed on the kiosk itself (not for secrets)."""

from __future__ import annotations

import json
import re
from typing import Any

from kiosk.core.audit import AuditAction, Journal
from kiosk.core.clock import Clock
from kiosk.services.storage.store import Store

KEY_RE = re.compile(r"^[a-z][a-z0-9_.]{0,63}$")


class StoredSettings:
    def __init__(self, store: Store, journal: Journal, clock: Clock) -> None:
        self._store = store
        self._journal = journal
        self._clock = clock

    def get(self, key: str, default: Any = None) -> Any:
        row = self._store.connection().execute("SELECT value FROM setting WHERE key = ?", (key,)).fetchone()
        return json.loads(row[0]) if row else default

    def set(self, key: str, value: Any) -> None:
        """Store a JSON-able value; the change is journaled by key name only, never by value."""
        if not KEY_RE.match(key):
            raise ValueError("a setting key is lowercase letters, digits, dots and underscores")
        with self._store.transaction() as db:
            db.execute(
                "INSERT INTO setting (key, value, updated_at) VALUES (?, ?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
                (key, json.dumps(value, ensure_ascii=False), self._clock.now().isoformat()),
            )
        token = key.replace(".", "_")[:32]
        self._journal.append(AuditAction.SETTINGS_CHANGED, details={"setting": token})

    def all(self) -> dict[str, Any]:
        rows = self._store.connection().execute("SELECT key, value FROM setting ORDER BY key").fetchall()
        return {k: json.loads(v) for k, v in rows}
