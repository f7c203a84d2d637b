"""Schema migrations: an ordered list of SQL scripts, applied once each.

The version table records which have run. To change the schema, append a new
(version, script) pair; never edit a script that has shipped.

- 1: helper accounts, the audit journal and its head, stored settings.
- 2: helper accounts: a lock that only an administrator lifts (after 15 failures), and the
  optional second factor (TOTP secret, and the last time step accepted, so a code is good once).
- 3: the patients' sign-in lockouts, by keyed fingerprint of the identifier, and that key.
"""

from __future__ import annotations

APPEND_ONLY = "audit journal is append-only"

MIGRATIONS: tuple[tuple[int, str], ...] = (
    (
        1,
        f"""
        CREATE TABLE helper (
            identifier   TEXT PRIMARY KEY,
            display_name TEXT NOT NULL,
            organisation TEXT NOT NULL,
            pin_hash     TEXT NOT NULL,
            created_at   TEXT NOT NULL,
            disabled_at  TEXT,
            failed_count INTEGER NOT NULL DEFAULT 0,
            locked_until TEXT
        );

        CREATE TABLE audit (
            seq      INTEGER PRIMARY KEY,
            at       TEXT NOT NULL,
            action   TEXT NOT NULL,
            subjects TEXT NOT NULL,
            details  TEXT NOT NULL,
            prev_mac TEXT NOT NULL,
            mac      TEXT NOT NULL
        );
        CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
            BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END;
        CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
            BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END;
        CREATE TRIGGER audit_in_order BEFORE INSERT ON audit
            WHEN NEW.seq IS NOT COALESCE((SELECT MAX(seq) FROM audit), 0) + 1
            BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END;

        CREATE TABLE audit_head (
            id   INTEGER PRIMARY KEY CHECK (id = 1),
            seq  INTEGER NOT NULL,
            mac  TEXT NOT NULL,
            seal TEXT NOT NULL
        );
        CREATE TRIGGER audit_head_forward BEFORE UPDATE ON audit_head
            WHEN NEW.seq <= OLD.seq
            BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END;
        CREATE TRIGGER audit_head_no_delete BEFORE DELETE ON audit_head
            BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END;

        CREATE TABLE setting (
            key        TEXT PRIMARY KEY,
            value      TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        """,
    ),
    (
        2,
        """
        ALTER TABLE helper ADD COLUMN held_for_admin INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE helper ADD COLUMN totp_secret TEXT;
        ALTER TABLE helper ADD COLUMN totp_last_step INTEGER;
        """,
    ),
    (
        3,
        """
        CREATE TABLE sign_in_lock (
            fingerprint  TEXT PRIMARY KEY,
            failures     INTEGER NOT NULL,
            locked_until TEXT,
            updated_at   TEXT NOT NULL
        );
        CREATE TABLE sign_in_lock_key (
            id  INTEGER PRIMARY KEY CHECK (id = 1),
            key BLOB NOT NULL
        );
        """,
    ),
)

GUARD_TRIGGERS = frozenset(
    {"audit_no_update", "audit_no_delete", "audit_in_order", "audit_head_forward", "audit_head_no_delete"}
)

LATEST_VERSION = MIGRATIONS[-1][0]
