"""Helper accounts: Argon2id PINs, a lockout that escalates (5 minutes, 1 hour, until unlocked),
the administrator's changes, and the optional TOTP second factor checked at the FakeClock's time."""

from __future__ import annotations

from datetime import timedelta

import pyotp
import pytest

from kiosk.core.audit import AuditAction
from kiosk.services.storage import AccountError, SignInStatus
from kiosk.services.storage.helper_accounts import (
    LOCK_SECONDS,
    MAX_FAILURES,
    TICKET_SECONDS,
    new_totp_secret,
    totp_uri,
)

from .tampering import raw_connection

PIN = "482913"


@pytest.fixture
def helper(storage):
    return storage.helpers.add("marie.pharma", "Marie Test", "Pharmacie du Port", PIN)


def actions(storage):
    return [e.action for e in storage.journal.entries()]


def test_pin_is_hashed_with_argon2id(storage, state, helper):
    storage.close()
    conn = raw_connection(state)
    (pin_hash,) = conn.execute("SELECT pin_hash FROM helper WHERE identifier = 'marie.pharma'").fetchone()
    conn.close()
    assert pin_hash.startswith("$argon2id$")
    assert PIN not in pin_hash


def test_same_pin_gives_different_hashes(storage, state):
    storage.helpers.add("aaa", "A", "O", PIN)
    storage.helpers.add("bbb", "B", "O", PIN)
    storage.close()
    conn = raw_connection(state)
    hashes = [r[0] for r in conn.execute("SELECT pin_hash FROM helper")]
    conn.close()
    assert len(set(hashes)) == 2


def test_right_pin_signs_in_and_is_journaled(storage, helper):
    result = storage.helpers.verify_pin("marie.pharma", PIN)
    assert result.ok and result.helper.display_name == "Marie Test"
    entries = list(storage.journal.entries())
    assert entries[-1].action is AuditAction.HELPER_SIGNED_IN
    assert entries[-1].subjects == (helper.fingerprint,)
    assert actions(storage)[-2] is AuditAction.HELPER_ADDED


def test_wrong_pin_counts_down(storage, helper):
    for left in range(MAX_FAILURES - 1, 0, -1):
        result = storage.helpers.verify_pin("marie.pharma", "000111")
        assert result.status is SignInStatus.WRONG_PIN and result.attempts_left == left
    assert actions(storage).count(AuditAction.HELPER_SIGN_IN_FAILED) == MAX_FAILURES - 1


def test_success_resets_the_count(storage, helper):
    for _ in range(MAX_FAILURES - 1):
        storage.helpers.verify_pin("marie.pharma", "000111")
    assert storage.helpers.verify_pin("marie.pharma", PIN).ok
    assert storage.helpers.verify_pin("marie.pharma", "000111").attempts_left == MAX_FAILURES - 1


def test_five_failures_lock_for_five_minutes_then_unlock(storage, helper, clock):
    for _ in range(MAX_FAILURES - 1):
        storage.helpers.verify_pin("marie.pharma", "000111")
    fifth = storage.helpers.verify_pin("marie.pharma", "000111")
    assert fifth.status is SignInStatus.LOCKED
    assert (fifth.locked_until - clock.now()).total_seconds() == LOCK_SECONDS == 300
    assert AuditAction.HELPER_LOCKED in actions(storage)

    clock.advance(LOCK_SECONDS - 1)
    still = storage.helpers.verify_pin("marie.pharma", PIN)  # even the right PIN
    assert still.status is SignInStatus.LOCKED
    assert storage.helpers.get("marie.pharma").locked_until == fifth.locked_until

    clock.advance(1)
    assert storage.helpers.verify_pin("marie.pharma", PIN).ok
    assert storage.helpers.get("marie.pharma").locked_until is None


def test_after_the_lock_a_fresh_count_starts(storage, helper, clock):
    for _ in range(MAX_FAILURES):
        storage.helpers.verify_pin("marie.pharma", "000111")
    clock.advance(LOCK_SECONDS)
    result = storage.helpers.verify_pin("marie.pharma", "000111")
    assert result.status is SignInStatus.WRONG_PIN and result.attempts_left == MAX_FAILURES - 1


def test_lock_survives_a_restart(storage, helper, state, clock):
    for _ in range(MAX_FAILURES):
        storage.helpers.verify_pin("marie.pharma", "000111")
    storage.close()
    from kiosk.services.storage import open_installed

    with open_installed(state, clock=clock, environ={}) as again:
        assert again.helpers.verify_pin("marie.pharma", PIN).status is SignInStatus.LOCKED


def test_disabled_account_cannot_sign_in(storage, helper):
    storage.helpers.disable("marie.pharma")
    assert storage.helpers.get("marie.pharma").disabled
    assert storage.helpers.verify_pin("marie.pharma", PIN).status is SignInStatus.DISABLED
    assert AuditAction.HELPER_DISABLED in actions(storage)


def test_unknown_account(storage):
    assert storage.helpers.verify_pin("personne", PIN).status is SignInStatus.UNKNOWN
    assert actions(storage)[-1] is AuditAction.HELPER_SIGN_IN_FAILED
    with pytest.raises(AccountError, match="Aucun compte"):
        storage.helpers.disable("personne")


def test_list_accounts(storage, helper):
    storage.helpers.add("abel", "Abel Test", "France Services", "739164")
    listed = storage.helpers.list()
    assert [a.identifier for a in listed] == ["abel", "marie.pharma"]
    assert listed[1].organisation == "Pharmacie du Port" and not listed[1].disabled


@pytest.mark.parametrize("pin", ["12345", "12a456", " 482913", "4829 13", "1234567890123", "111111", "123456", "987654", "٤٨٢٩١٣"])
def test_weak_or_malformed_pins_are_refused(storage, pin):
    with pytest.raises(AccountError, match="PIN"):
        storage.helpers.add("someone", "S", "O", pin)
    assert storage.helpers.list() == []


@pytest.mark.parametrize("identifier", ["ab", "Marie", "marie pharma", "é-marie", "x" * 41, ""])
def test_bad_identifiers_are_refused(storage, identifier):
    with pytest.raises(AccountError, match="identifiant"):
        storage.helpers.add(identifier, "S", "O", PIN)


def test_duplicate_identifier_is_refused(storage, helper):
    with pytest.raises(AccountError, match="existe déjà"):
        storage.helpers.add("marie.pharma", "Other", "O", "739164")


def test_names_must_be_one_line(storage):
    with pytest.raises(AccountError, match="Le nom"):
        storage.helpers.add("someone", "Line\nbreak", "O", PIN)
    with pytest.raises(AccountError, match="L'organisation"):
        storage.helpers.add("someone", "S", "", PIN)


# -- the lockout escalates -----------------------------------------------------------------------

WRONG = "000111"


def fail(storage, times, identifier="marie.pharma"):
    return [storage.helpers.verify_pin(identifier, WRONG) for _ in range(times)][-1]


def test_the_lockout_escalates_5_minutes_1_hour_then_the_administrator(storage, helper, clock):
    first = fail(storage, 5)
    assert first.status is SignInStatus.LOCKED and not first.held_for_admin
    assert first.locked_until - clock.now() == timedelta(minutes=5)
    clock.advance(5 * 60)

    for left in (4, 3, 2, 1):  # five more tries, counted towards the next lock
        assert storage.helpers.verify_pin("marie.pharma", WRONG).attempts_left == left
    second = storage.helpers.verify_pin("marie.pharma", WRONG)
    assert second.status is SignInStatus.LOCKED and second.locked_until - clock.now() == timedelta(hours=1)
    clock.advance(59 * 60)
    assert storage.helpers.verify_pin("marie.pharma", PIN).status is SignInStatus.LOCKED
    clock.advance(60)

    third = fail(storage, 5)
    assert third.status is SignInStatus.LOCKED and third.held_for_admin and third.locked_until is None
    clock.advance(30 * 24 * 3600)  # a month later: still locked, even with the right PIN
    still = storage.helpers.verify_pin("marie.pharma", PIN)
    assert still.status is SignInStatus.LOCKED and still.held_for_admin
    assert storage.helpers.get("marie.pharma").held_for_admin

    locks = [e for e in storage.journal.entries() if e.action is AuditAction.HELPER_LOCKED]
    assert [dict(e.details) for e in locks] == [
        {"lock_s": 300, "failures": 5}, {"lock_s": 3600, "failures": 10},
        {"failures": 15, "reason": "until_unlocked"},
    ]

    storage.helpers.unlock("marie.pharma")
    assert not storage.helpers.get("marie.pharma").held_for_admin
    assert storage.helpers.verify_pin("marie.pharma", WRONG).attempts_left == MAX_FAILURES - 1  # a fresh count
    assert storage.helpers.verify_pin("marie.pharma", PIN).ok
    assert actions(storage).count(AuditAction.HELPER_UNLOCKED) == 1


def test_a_sign_in_between_locks_starts_the_count_again(storage, helper, clock):
    fail(storage, 5)
    clock.advance(LOCK_SECONDS)
    assert storage.helpers.verify_pin("marie.pharma", PIN).ok
    fail(storage, 4)
    fifth = storage.helpers.verify_pin("marie.pharma", WRONG)
    assert fifth.locked_until - clock.now() == timedelta(minutes=5)  # the first step again, not one hour


def test_the_administrators_lock_survives_a_restart(storage, helper, state, clock):
    for _ in range(3):
        fail(storage, 5)
        clock.advance(3600)
    storage.close()
    from kiosk.services.storage import open_installed

    with open_installed(state, clock=clock, environ={}) as again:
        result = again.helpers.verify_pin("marie.pharma", PIN)
        assert result.status is SignInStatus.LOCKED and result.held_for_admin
        again.helpers.unlock("marie.pharma")
        assert again.helpers.verify_pin("marie.pharma", PIN).ok


# -- the administrator's changes ---------------------------------------------------------------

def test_enable_after_disable(storage, helper):
    storage.helpers.disable("marie.pharma")
    storage.helpers.disable("marie.pharma")  # twice: journaled once
    assert storage.helpers.enable("marie.pharma").disabled is False
    assert storage.helpers.verify_pin("marie.pharma", PIN).ok
    assert actions(storage).count(AuditAction.HELPER_DISABLED) == 1
    assert actions(storage).count(AuditAction.HELPER_ENABLED) == 1


def test_reset_pin_changes_the_pin_and_unlocks(storage, helper, clock):
    for _ in range(3):
        fail(storage, 5)
        clock.advance(3600)
    storage.helpers.reset_pin("marie.pharma", "739164")
    assert storage.helpers.verify_pin("marie.pharma", PIN).status is SignInStatus.WRONG_PIN
    assert storage.helpers.verify_pin("marie.pharma", "739164").ok
    entry = [e for e in storage.journal.entries() if e.action is AuditAction.HELPER_PIN_CHANGED][-1]
    assert entry.subjects == (helper.fingerprint,)
    with pytest.raises(AccountError, match="trop facile"):
        storage.helpers.reset_pin("marie.pharma", "111111")


def test_remove_deletes_the_account_and_the_journal_keeps_its_fingerprint(storage, state, helper):
    storage.helpers.remove("marie.pharma")
    assert storage.helpers.get("marie.pharma") is None
    assert storage.helpers.verify_pin("marie.pharma", PIN).status is SignInStatus.UNKNOWN
    removed = [e for e in storage.journal.entries() if e.action is AuditAction.HELPER_REMOVED]
    assert [e.subjects for e in removed] == [(helper.fingerprint,)]
    conn = raw_connection(state)
    assert conn.execute("SELECT count(*) FROM helper").fetchone()[0] == 0
    conn.close()
    assert storage.helpers.add("marie.pharma", "Marie Test", "Pharmacie du Port", "739164").identifier


def test_re_adding_a_disabled_identifier_says_what_to_do(storage, helper):
    storage.helpers.disable("marie.pharma")
    with pytest.raises(AccountError, match="helper enable marie.pharma"):
        storage.helpers.add("marie.pharma", "Other", "O", "739164")


@pytest.mark.parametrize("change", ["enable", "unlock", "remove"])
def test_changes_to_an_unknown_account_are_one_sentence(storage, change):
    with pytest.raises(AccountError, match="Aucun compte"):
        getattr(storage.helpers, change)("personne")
    with pytest.raises(AccountError, match="Aucun compte"):
        storage.helpers.reset_pin("personne", "739164")


# -- the second factor (TOTP) -------------------------------------------------------------------

@pytest.fixture
def secret():
    return new_totp_secret()


@pytest.fixture
def totp_helper(storage, secret):
    return storage.helpers.add("abel", "Abel Test", "France Services", PIN, totp_secret=secret)


def code_at(secret, moment) -> str:
    return pyotp.TOTP(secret).at(moment)


def test_totp_accepted_after_the_pin_at_the_clocks_time(storage, totp_helper, secret, clock):
    assert totp_helper.totp and storage.helpers.get("abel").totp
    first = storage.helpers.verify_pin("abel", PIN)
    assert first.status is SignInStatus.CODE_NEEDED and first.ticket and first.helper is None
    assert AuditAction.HELPER_SIGNED_IN not in actions(storage)  # not yet: the code comes first
    done = storage.helpers.verify_code(first.ticket, code_at(secret, clock.now()))
    assert done.ok and done.helper.identifier == "abel"
    entry = list(storage.journal.entries())[-1]
    assert entry.action is AuditAction.HELPER_SIGNED_IN and dict(entry.details) == {"mode": "totp"}
    assert actions(storage).count(AuditAction.HELPER_TOTP_SET) == 1


def test_totp_refused_when_wrong_reused_or_too_old(storage, totp_helper, secret, clock):
    ticket = storage.helpers.verify_pin("abel", PIN).ticket
    wrong = storage.helpers.verify_code(ticket, "000000" if code_at(secret, clock.now()) != "000000" else "111111")
    assert wrong.status is SignInStatus.WRONG_CODE and wrong.attempts_left == MAX_FAILURES - 1
    assert wrong.ticket == ticket  # another try without the PIN again
    old = code_at(secret, clock.now() - timedelta(seconds=90))  # three steps ago: too old
    assert storage.helpers.verify_code(ticket, old).status is SignInStatus.WRONG_CODE
    previous = code_at(secret, clock.now() - timedelta(seconds=30))  # one step ago: a phone a little slow
    assert storage.helpers.verify_code(ticket, previous).ok

    again = storage.helpers.verify_pin("abel", PIN).ticket
    replay = storage.helpers.verify_code(again, previous)  # a code is good once
    assert replay.status is SignInStatus.WRONG_CODE
    assert storage.helpers.verify_code(again, code_at(secret, clock.now())).ok  # a later step is fine


def test_a_wrong_pin_never_asks_for_the_code(storage, totp_helper):
    result = storage.helpers.verify_pin("abel", WRONG)
    assert result.status is SignInStatus.WRONG_PIN and result.ticket is None


def test_wrong_codes_lock_like_wrong_pins(storage, totp_helper, secret, clock):
    ticket = storage.helpers.verify_pin("abel", PIN).ticket
    fail(storage, 2, "abel")
    for _ in range(2):
        assert storage.helpers.verify_code(ticket, "12345x").status is SignInStatus.WRONG_CODE
    locked = storage.helpers.verify_code(ticket, "999999" if code_at(secret, clock.now()) != "999999" else "888888")
    assert locked.status is SignInStatus.LOCKED and locked.locked_until - clock.now() == timedelta(minutes=5)
    assert storage.helpers.verify_code(ticket, code_at(secret, clock.now())).status is SignInStatus.EXPIRED
    reasons = [e.details.get("reason") for e in storage.journal.entries()
               if e.action is AuditAction.HELPER_SIGN_IN_FAILED]
    assert reasons.count("wrong_code") == 3 and reasons.count("wrong_pin") == 2


def test_the_ticket_expires_and_follows_the_account(storage, totp_helper, secret, clock):
    ticket = storage.helpers.verify_pin("abel", PIN).ticket
    clock.advance(TICKET_SECONDS)
    assert storage.helpers.verify_code(ticket, code_at(secret, clock.now())).status is SignInStatus.EXPIRED

    ticket = storage.helpers.verify_pin("abel", PIN).ticket
    storage.helpers.disable("abel")
    assert storage.helpers.verify_code(ticket, code_at(secret, clock.now())).status is SignInStatus.DISABLED
    storage.helpers.enable("abel")

    ticket = storage.helpers.verify_pin("abel", PIN).ticket
    storage.helpers.reset_pin("abel", "739164")  # a PIN changed meanwhile: the ticket is worthless
    assert storage.helpers.verify_code(ticket, code_at(secret, clock.now())).status is SignInStatus.EXPIRED
    assert storage.helpers.verify_code("made-up", "123456").status is SignInStatus.EXPIRED


def test_reset_pin_with_a_new_factor_retires_the_old_one(storage, totp_helper, secret, clock):
    fresh = new_totp_secret()
    storage.helpers.reset_pin("abel", "739164", totp_secret=fresh)
    ticket = storage.helpers.verify_pin("abel", "739164").ticket
    if code_at(secret, clock.now()) != code_at(fresh, clock.now()):
        assert storage.helpers.verify_code(ticket, code_at(secret, clock.now())).status is SignInStatus.WRONG_CODE
    assert storage.helpers.verify_code(ticket, code_at(fresh, clock.now())).ok


def test_the_secret_is_kept_in_the_encrypted_store_only(storage, state, totp_helper, secret):
    from .tampering import file_bytes

    storage.close()
    conn = raw_connection(state)  # with the key
    assert conn.execute("SELECT totp_secret FROM helper WHERE identifier = 'abel'").fetchone()[0] == secret
    conn.close()
    assert secret.encode() not in file_bytes(state)  # without it: nothing readable on disk


def test_the_enrolment_uri(secret):
    uri = totp_uri("abel", secret)
    assert uri.startswith("otpauth://totp/") and f"secret={secret}" in uri and "abel" in uri
    assert "issuer=Kiosque" in uri


def test_a_helper_without_second_factor_signs_in_with_the_pin_alone(storage, helper):
    assert not helper.totp
    assert storage.helpers.verify_pin("marie.pharma", PIN).ok
