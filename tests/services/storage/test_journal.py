"""The audit journal: append-only in the database, HMAC-chained, no personal data."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
import sqlcipher3

from kiosk.core.audit import AuditAction, AuditDataError, BreakReason, SubjectKind
from kiosk.core.clock import PARIS, FakeClock
from kiosk.services.storage import initialise, open_ephemeral, open_installed
from kiosk.services.storage.migrations import GUARD_TRIGGERS

from .tampering import file_bytes, raw_connection, tamper

PATIENT_NAME = "Zoé CANARIPATIENT"
PATIENT_ID = "2 82 12 75 123 456 78"
DOC_TITLE = "Compte rendu CANARITITRE"
PRO_NAME = "Docteur CANARIDOC"


def fill(journal, clock, count=6):
    patient = journal.fingerprint(SubjectKind.PATIENT, PATIENT_ID)
    for i in range(count):
        clock.advance(60)
        journal.append(
            AuditAction.DOCUMENT_VIEWED,
            subject_fingerprints=[patient, journal.fingerprint(SubjectKind.DOCUMENT, f"{DOC_TITLE} {i}")],
            details={"category": "ordonnance", "count": i},
        )


@pytest.fixture
def filled(state, clock):
    storage = open_installed(state, clock=clock, environ={})
    fill(storage.journal, clock)
    total = storage.journal.verify().checked
    storage.close()
    return total  # entries in the journal (init's entry included)


def verify(state):
    with open_installed(state, clock=FakeClock(), environ={}) as storage:
        return storage.journal.verify()


# -- normal life --------------------------------------------------------------
def test_chain_verifies_and_entries_come_back(storage, clock):
    fill(storage.journal, clock, 3)
    report = storage.journal.verify()
    assert report.ok and report.checked == 4 and report.first_broken is None
    entries = list(storage.journal.entries())
    assert [e.seq for e in entries] == [1, 2, 3, 4]
    assert entries[0].action is AuditAction.STORE_CREATED
    assert entries[-1].details == {"category": "ordonnance", "count": 2}
    assert entries[-1].at == clock.now()
    assert len({e.mac for e in entries}) == 4


def test_the_first_entry_is_dated_by_the_injected_clock(tmp_path):
    far = FakeClock(datetime(2031, 6, 15, 8, 0, tzinfo=PARIS))
    initialise(tmp_path / "state", clock=far, environ={})
    far.advance(90)
    with open_installed(tmp_path / "state", clock=far, environ={}, purpose="kiosk") as storage:
        created, opened = storage.journal.entries()
        schema_dates = storage.store.connection().execute("SELECT applied_at FROM schema_version").fetchall()
    assert created.action is AuditAction.STORE_CREATED and created.at == datetime(2031, 6, 15, 8, 0, tzinfo=PARIS)
    assert opened.action is AuditAction.STORE_OPENED and opened.at == far.now()
    assert {datetime.fromisoformat(text) for (text,) in schema_dates} == {datetime(2031, 6, 15, 8, 0, tzinfo=PARIS)}
    with open_ephemeral(clock=far) as demo:
        assert [e.at for e in demo.journal.entries()] == [far.now()]


def test_entries_since_and_export_as_json_lines(storage, clock):
    fill(storage.journal, clock, 4)  # at 10:01, 10:02, 10:03, 10:04
    since = datetime(2026, 12, 1, 10, 3, tzinfo=PARIS)
    assert [e.seq for e in storage.journal.entries(since)] == [4, 5]
    lines = list(storage.journal.export(since))
    assert len(lines) == 2
    first = json.loads(lines[0])
    assert first["seq"] == 4 and first["action"] == "document.viewed"
    assert datetime.fromisoformat(first["at"]) == since
    assert set(first) == {"seq", "at", "action", "subjects", "details", "mac"}
    assert list(storage.journal.export(since + timedelta(days=1))) == []


def test_fingerprints_are_keyed_stable_and_opaque(storage, tmp_path):
    fp = storage.journal.fingerprint(SubjectKind.PATIENT, PATIENT_ID)
    assert fp == storage.journal.fingerprint(SubjectKind.PATIENT, PATIENT_ID)
    assert fp.startswith("pat-") and len(fp) == 4 + 24
    assert fp != storage.journal.fingerprint(SubjectKind.DOCUMENT, PATIENT_ID)
    assert PATIENT_ID.replace(" ", "") not in fp
    with open_ephemeral(clock=FakeClock()) as other:  # another key, another fingerprint
        assert other.journal.fingerprint(SubjectKind.PATIENT, PATIENT_ID) != fp


# -- the database refuses changes ---------------------------------------------
def test_database_rejects_update_and_delete(storage, clock):
    fill(storage.journal, clock, 2)
    conn = storage.store.connection()
    for sql in (
        "UPDATE audit SET action = 'session.started' WHERE seq = 2",
        "DELETE FROM audit WHERE seq = 2",
        "DELETE FROM audit",
        "INSERT INTO audit (seq, at, action, subjects, details, prev_mac, mac) VALUES (99, 'x', 'x', '[]', '{}', 'x', 'x')",
        "INSERT INTO audit (seq, at, action, subjects, details, prev_mac, mac) VALUES (0, 'x', 'x', '[]', '{}', 'x', 'x')",
        "DELETE FROM audit_head",
        "UPDATE audit_head SET seq = 1",
    ):
        with pytest.raises(sqlcipher3.DatabaseError, match="append-only"):
            conn.execute(sql)
    assert storage.journal.verify().ok
    assert [e.seq for e in storage.journal.entries()] == [1, 2, 3]


def test_raw_connection_with_guards_still_refuses(state):
    conn = raw_connection(state)
    with pytest.raises(sqlcipher3.DatabaseError, match="append-only"):
        conn.execute("DELETE FROM audit")
    conn.close()


# -- tampering behind the application's back ----------------------------------
def test_edited_row_is_reported(state, filled):
    tamper(state, "UPDATE audit SET details = '{\"category\":\"imagerie\",\"count\":2}' WHERE seq = 4")
    report = verify(state)
    assert (report.first_broken, report.reason) == (4, BreakReason.ALTERED)


def test_edited_time_is_reported(state, filled):
    tamper(state, "UPDATE audit SET at = '2020-01-01T00:00:00.000000Z' WHERE seq = 3")
    assert (verify(state).first_broken, verify(state).reason) == (3, BreakReason.ALTERED)


def test_deleted_row_is_reported(state, filled):
    tamper(state, "DELETE FROM audit WHERE seq = 3")
    report = verify(state)
    assert (report.first_broken, report.reason) == (3, BreakReason.MISSING)
    assert report.checked == 2


def test_deleted_and_renumbered_rows_are_reported(state, filled):
    tamper(state, "DELETE FROM audit WHERE seq = 3", "UPDATE audit SET seq = seq - 1 WHERE seq > 3")
    report = verify(state)
    assert (report.first_broken, report.reason) == (3, BreakReason.ALTERED)


def test_deleted_last_rows_are_reported(state, filled):
    tamper(state, f"DELETE FROM audit WHERE seq >= {filled - 1}")
    report = verify(state)
    assert (report.first_broken, report.reason) == (filled - 1, BreakReason.TRUNCATED)


def test_deleted_last_row_with_head_rewritten_is_reported(state, filled):
    tamper(
        state,
        f"DELETE FROM audit WHERE seq = {filled}",
        f"UPDATE audit_head SET seq = {filled - 1}, mac = (SELECT mac FROM audit WHERE seq = {filled - 1})",
    )
    report = verify(state)
    assert report.reason is BreakReason.TRUNCATED and report.first_broken == filled


def test_inserted_row_in_the_middle_is_reported(state, filled):
    tamper(
        state,
        "UPDATE audit SET seq = seq + 1000 WHERE seq >= 3",
        "UPDATE audit SET seq = seq - 999 WHERE seq >= 1000",
        "INSERT INTO audit (seq, at, action, subjects, details, prev_mac, mac) "
        "SELECT 3, at, 'document.hidden', subjects, details, mac, mac FROM audit WHERE seq = 2",
    )
    report = verify(state)
    assert (report.first_broken, report.reason) == (3, BreakReason.ALTERED)


def test_inserted_row_at_the_end_is_reported(state, filled):
    tamper(
        state,
        "INSERT INTO audit (seq, at, action, subjects, details, prev_mac, mac) "
        f"SELECT seq + 1, at, 'consent.given', subjects, details, mac, mac FROM audit WHERE seq = {filled}",
    )
    report = verify(state)
    assert (report.first_broken, report.reason) == (filled + 1, BreakReason.ALTERED)


def test_inserted_row_before_the_first_is_reported(state, filled):
    tamper(
        state,
        "INSERT INTO audit (seq, at, action, subjects, details, prev_mac, mac) "
        "SELECT 0, at, action, subjects, details, prev_mac, mac FROM audit WHERE seq = 1",
    )
    report = verify(state)
    assert (report.first_broken, report.reason) == (0, BreakReason.INSERTED)


def test_reordered_rows_are_reported(state, filled):
    tamper(
        state,
        "UPDATE audit SET seq = -seq WHERE seq IN (3, 4)",
        "UPDATE audit SET seq = 4 WHERE seq = -3",
        "UPDATE audit SET seq = 3 WHERE seq = -4",
    )
    report = verify(state)
    assert (report.first_broken, report.reason) == (3, BreakReason.ALTERED)


def test_removed_guards_are_reported(state, filled):
    tamper(state, keep_guards=False)
    report = verify(state)
    assert report.reason is BreakReason.GUARDS_REMOVED and report.checked == filled
    conn = raw_connection(state)
    names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
    conn.close()
    assert not names & GUARD_TRIGGERS


def test_untouched_journal_stays_intact_across_opens(state, filled):
    assert verify(state).ok
    assert verify(state).checked == filled


# -- emptied, dropped, reborn: never "intact, 0 entries" ------------------------------------------
def test_an_emptied_journal_is_truncated_from_the_first_entry(state, filled):
    tamper(state, "DELETE FROM audit", "DELETE FROM audit_head")
    report = verify(state)
    assert (report.ok, report.checked, report.first_broken, report.reason) == (False, 0, 1, BreakReason.TRUNCATED)


def test_dropped_tables_are_a_report_not_an_exception(state, filled):
    tamper(state, "DROP TABLE audit_head", keep_guards=False)
    report = verify(state)
    assert report.reason is BreakReason.TRUNCATED and report.missing_table == "audit_head"
    assert report.checked == filled
    tamper(state, "DROP TABLE audit", keep_guards=False)
    report = verify(state)
    assert (report.first_broken, report.reason, report.missing_table) == (1, BreakReason.TRUNCATED, "audit")


def test_a_journal_that_does_not_start_with_the_store_creation(state, clock):
    with open_installed(state, clock=clock, environ={}) as storage:
        storage.journal.append(AuditAction.SESSION_STARTED)
    tamper(state, "DELETE FROM audit WHERE seq = 1")
    report = verify(state)
    assert (report.first_broken, report.reason) == (1, BreakReason.MISSING)


def test_a_first_entry_rewritten_with_the_key_as_another_action(state, clock):
    from kiosk.services.storage import KeyMaterial, find_master_key
    from kiosk.services.storage.journal import GENESIS_MAC, SqlJournal

    keys = KeyMaterial.from_master(find_master_key(state, {}).master)
    with open_installed(state, clock=clock, environ={}) as storage:
        forger = SqlJournal(storage.store, keys, clock)
        at, subjects, details = storage.store.connection().execute(
            "SELECT at, subjects, details FROM audit WHERE seq = 1").fetchone()
    mac = forger._mac(1, at, "session.started", subjects, details, GENESIS_MAC)
    tamper(state, ("UPDATE audit SET action = 'session.started', mac = ? WHERE seq = 1", (mac,)),
           ("UPDATE audit_head SET mac = ?, seal = ? WHERE id = 1", (mac, forger._seal(1, mac))))
    report = verify(state)
    assert (report.first_broken, report.reason) == (1, BreakReason.ALTERED)


def test_head_and_stored_macs(storage, clock):
    first = next(iter(storage.journal.entries()))
    entry = storage.journal.append(AuditAction.SESSION_STARTED)
    assert storage.journal.head() == (entry.seq, entry.mac)
    assert list(storage.journal.stored_macs()) == [(first.seq, first.mac), (entry.seq, entry.mac)]


# -- no personal data -----------------------------------------------------------
def test_no_name_identifier_or_title_in_journal_or_export(state, clock):
    storage = open_installed(state, clock=clock, environ={})
    journal = storage.journal
    patient = journal.fingerprint(SubjectKind.PATIENT, PATIENT_ID)
    patient_by_name = journal.fingerprint(SubjectKind.PATIENT, PATIENT_NAME)
    doc = journal.fingerprint(SubjectKind.DOCUMENT, DOC_TITLE)
    pro = journal.fingerprint(SubjectKind.PROFESSIONAL, PRO_NAME)
    storage.helpers.add("helper.canari", "Aidante CANARIHELPER", "Pharmacie CANARIORG", "482913")
    storage.helpers.verify_pin("helper.canari", "482913")
    journal.append(AuditAction.PATIENT_SIGNED_IN, subject_fingerprints=[patient, patient_by_name])
    journal.append(AuditAction.DOCUMENT_HIDDEN, subject_fingerprints=[patient, doc], details={"category": "imagerie"})
    journal.append(AuditAction.PROFESSIONAL_BLOCKED, subject_fingerprints=[patient, pro])
    journal.append(AuditAction.CONSENT_GIVEN, subject_fingerprints=[patient], details={"scopes": ["documents", "messages"]})
    export = "\n".join(journal.export())
    storage.close()

    conn = raw_connection(state)
    table = "\n".join(repr(row) for row in conn.execute("SELECT * FROM audit"))
    conn.close()
    assert patient in export and doc in table  # the entries are there, by fingerprint
    canaries = [PATIENT_NAME, PATIENT_ID, DOC_TITLE, PRO_NAME, "CANARIHELPER", "CANARIORG", "helper.canari"]
    for text in (export, table):
        for canary in canaries + [c.replace(" ", "") for c in canaries] + ["CANARI"]:
            assert canary.lower() not in text.lower(), canary
    assert b"CANARI" not in file_bytes(state)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"subject_fingerprints": [PATIENT_NAME]},
        {"subject_fingerprints": PATIENT_ID},
        {"subject_fingerprints": ["pat-" + "0" * 23]},
        {"details": {"title": "ordonnance"}},
        {"details": {"name": "dupont"}},
        {"details": {"category": PATIENT_NAME}},
        {"details": {"category": DOC_TITLE}},
        {"details": {"scopes": [PATIENT_NAME]}},
        {"details": {"count": 1.5}},
        {"details": {"reason": "x" * 40}},
    ],
)
def test_personal_data_is_refused(storage, kwargs):
    with pytest.raises(AuditDataError):
        storage.journal.append(AuditAction.DOCUMENT_VIEWED, **kwargs)
    assert [e.seq for e in storage.journal.entries()] == [1]


def test_unknown_action_is_refused(storage):
    with pytest.raises(ValueError):
        storage.journal.append("document.stolen")


def test_appends_from_several_threads_keep_one_chain(storage):
    import threading

    def work():
        for _ in range(10):
            storage.journal.append(AuditAction.MESSAGE_READ, details={"count": 1})

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    report = storage.journal.verify()
    assert report.ok and report.checked == 41
