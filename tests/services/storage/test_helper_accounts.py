"""Helper accounts: Argon2id PINs, lockout after 5 failures, unlock after 5 minutes."""

from __future__ import annotations

import pytest

from kiosk.core.audit import AuditAction
from kiosk.services.storage import AccountError, SignInStatus
from kiosk.services.storage.helper_accounts import LOCK_SECONDS, MAX_FAILURES

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
