"""The audit journal in the encrypted store: append-only, HMAC-chained.

Each entry's MAC is HMAC-SHA256(audit key, seq | at | action | subjects |
details | previous MAC), over the exact stored text. The database refuses
UPDATE, DELETE and out-of-order INSERT with triggers; the chain catches what
is done behind those triggers (edited, deleted, inserted or reordered rows),
and a sealed head row catches the removal of the last entries.

The chain starts with the STORE_CREATED entry (seq 1) and ends with the sealed
head: a journal that was emptied, or whose tables were dropped (and maybe
created again, empty), is reported as altered, never as "intact, 0 entries".

What the chain cannot catch: someone holding the key, or a whole older copy
of the file put back in place. For the latter, the head is also written
outside the store at each session end (witness.py) and compared by
`kiosk admin audit verify`. Export the journal off the kiosk regularly.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Iterator, Mapping, Sequence

from kiosk.core.audit import (
    FINGERPRINT_HEX_LENGTH,
    AuditAction,
    AuditEntry,
    BreakReason,
    DetailValue,
    SubjectKind,
    VerifyReport,
    check_details,
    check_fingerprints,
)
from kiosk.core.clock import Clock
from kiosk.services.storage.errors import StoreError
from kiosk.services.storage.keys import KeyMaterial
from kiosk.services.storage.migrations import GUARD_TRIGGERS
from kiosk.services.storage.store import DatabaseError, Store

GENESIS_MAC = "0" * 64
_SEP = "\x1f"
JOURNAL_TABLES = ("audit", "audit_head")


@dataclass(frozen=True)
class JournalReport(VerifyReport):
    """A VerifyReport that also names a journal table found missing ("audit" or "audit_head")."""

    missing_table: str | None = None


def _canonical(value) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def _utc_text(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("journal times must be aware datetimes")
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _parse_utc(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc)


class Fingerprinter:
    """Opaque keyed fingerprints: stable for one kiosk, meaningless without its key."""

    def __init__(self, key: bytes) -> None:
        self._key = key

    def __repr__(self) -> str:
        return "Fingerprinter()"

    def __call__(self, kind: SubjectKind, value: str) -> str:
        kind = SubjectKind(kind)
        digest = hmac.new(self._key, f"{kind.value}{_SEP}{value}".encode("utf-8"), hashlib.sha256)
        return f"{kind.value}-{digest.hexdigest()[:FINGERPRINT_HEX_LENGTH]}"


class SqlJournal:
    """The Journal port on the SQLCipher store."""

    def __init__(self, store: Store, keys: KeyMaterial, clock: Clock) -> None:
        self._store = store
        self._mac_key = keys.audit_key
        self._fingerprint = Fingerprinter(keys.fingerprint_key)
        self._clock = clock

    def __repr__(self) -> str:
        return "SqlJournal()"

    # -- writing -------------------------------------------------------------
    def fingerprint(self, kind: SubjectKind, value: str) -> str:
        return self._fingerprint(kind, value)

    def append(
        self,
        action: AuditAction,
        *,
        subject_fingerprints: Sequence[str] = (),
        details: Mapping[str, DetailValue] | None = None,
    ) -> AuditEntry:
        action = AuditAction(action)
        subjects = check_fingerprints(subject_fingerprints)
        clean = check_details(details)
        moment = self._clock.now()
        at = _utc_text(moment)
        subjects_text = _canonical(list(subjects))
        details_text = _canonical(clean)
        with self._store.transaction() as db:
            row = db.execute("SELECT seq, mac FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
            seq, prev = (row[0] + 1, row[1]) if row else (1, GENESIS_MAC)
            mac = self._mac(seq, at, action.value, subjects_text, details_text, prev)
            db.execute(
                "INSERT INTO audit (seq, at, action, subjects, details, prev_mac, mac) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (seq, at, action.value, subjects_text, details_text, prev, mac),
            )
            seal = self._seal(seq, mac)
            if seq == 1:
                db.execute("INSERT INTO audit_head (id, seq, mac, seal) VALUES (1, ?, ?, ?)", (seq, mac, seal))
            else:
                db.execute("UPDATE audit_head SET seq = ?, mac = ?, seal = ? WHERE id = 1", (seq, mac, seal))
        return AuditEntry(seq, _parse_utc(at), action, subjects, clean, mac)

    # -- reading -------------------------------------------------------------
    def entries(self, since: datetime | None = None) -> Iterator[AuditEntry]:
        sql = "SELECT seq, at, action, subjects, details, mac FROM audit"
        params: tuple = ()
        if since is not None:
            sql += " WHERE at >= ?"
            params = (_utc_text(since),)
        rows = self._store.connection().execute(sql + " ORDER BY seq", params).fetchall()
        for seq, at, action, subjects, details, mac in rows:
            yield AuditEntry(
                seq, _parse_utc(at), AuditAction(action), tuple(json.loads(subjects)), json.loads(details), mac
            )

    def export(self, since: datetime | None = None) -> Iterator[str]:
        """One JSON object per entry (no trailing newline), oldest first."""
        for entry in self.entries(since):
            yield _canonical(entry.as_dict())

    # -- checking ------------------------------------------------------------
    def head(self) -> tuple[int, str] | None:
        """The sealed head: the last entry's sequence number and MAC (None before the first entry)."""
        row = self._store.connection().execute("SELECT seq, mac FROM audit_head WHERE id = 1").fetchone()
        return (int(row[0]), str(row[1])) if row else None

    def stored_macs(self) -> Iterator[tuple[int, str]]:
        """(seq, MAC) of every entry, in order: what the witness is compared with."""
        for seq, mac in self._store.connection().execute("SELECT seq, mac FROM audit ORDER BY seq"):
            yield int(seq), str(mac)

    def verify(self) -> VerifyReport:
        """Check the whole chain, from the STORE_CREATED entry (seq 1) to the sealed head.

        Never raises for a journal that was tampered with (missing or recreated tables
        included): that is a report. A file or disk fault is a StoreError with its sentence.
        """
        try:
            return self._verify(self._store.connection())
        except DatabaseError as error:
            told = self._store.explain(error)
            if isinstance(told, StoreError):
                raise told from None
            # the tables are there, but not as the kiosk made them (columns dropped or renamed)
            return JournalReport(0, 1, BreakReason.ALTERED)

    def _verify(self, db) -> VerifyReport:
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if "audit" not in tables:
            return JournalReport(0, 1, BreakReason.TRUNCATED, missing_table="audit")
        rows = db.execute(
            "SELECT seq, at, action, subjects, details, prev_mac, mac FROM audit ORDER BY seq"
        ).fetchall()
        expected, prev, checked = 1, GENESIS_MAC, 0
        for seq, at, action, subjects, details, prev_mac, mac in rows:
            if not isinstance(seq, int) or seq < expected:
                return VerifyReport(checked, seq if isinstance(seq, int) else expected, BreakReason.INSERTED)
            if seq > expected:
                return VerifyReport(checked, expected, BreakReason.MISSING)
            good = (
                prev_mac == prev
                and _known_action(action)
                and (seq != 1 or action == AuditAction.STORE_CREATED.value)  # the journal's birth
                and all(isinstance(v, str) for v in (at, subjects, details, prev_mac, mac))
                and hmac.compare_digest(str(mac), self._mac(seq, at, action, subjects, details, prev_mac))
            )
            if not good:
                return VerifyReport(checked, seq, BreakReason.ALTERED)
            prev, expected, checked = mac, expected + 1, checked + 1
        last = expected - 1
        if "audit_head" not in tables:
            return JournalReport(checked, last + 1, BreakReason.TRUNCATED, missing_table="audit_head")
        head = db.execute("SELECT seq, mac, seal FROM audit_head WHERE id = 1").fetchone()
        if head is None:
            # No head: the last entries may be gone with it, and a journal with no entry at all
            # was emptied (every store is born with its STORE_CREATED entry).
            return VerifyReport(checked, last + 1, BreakReason.TRUNCATED)
        head_seq, head_mac, seal = head
        sealed = isinstance(seal, str) and hmac.compare_digest(seal, self._seal(head_seq, head_mac))
        if not sealed or not isinstance(head_seq, int) or head_seq > last:
            return VerifyReport(checked, last + 1, BreakReason.TRUNCATED)
        if head_seq < last:
            return VerifyReport(checked, head_seq + 1, BreakReason.ALTERED)
        if head_mac != prev:
            return VerifyReport(checked, last, BreakReason.ALTERED)
        triggers = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
        if not GUARD_TRIGGERS <= triggers:
            return VerifyReport(checked, None, BreakReason.GUARDS_REMOVED)
        return VerifyReport(checked)

    # -- MACs ----------------------------------------------------------------
    def _mac(self, seq: int, at: str, action: str, subjects: str, details: str, prev: str) -> str:
        message = _SEP.join((str(seq), at, action, subjects, details, prev)).encode("utf-8")
        return hmac.new(self._mac_key, message, hashlib.sha256).hexdigest()

    def _seal(self, seq: int, mac: str) -> str:
        message = _SEP.join(("head", str(seq), str(mac))).encode("utf-8")
        return hmac.new(self._mac_key, message, hashlib.sha256).hexdigest()


def _known_action(value: object) -> bool:
    try:
        AuditAction(value)
    except ValueError:
        return False
    return True
