"""The patients' sign-in lockout in the encrypted store: locked, the kiosk restarts (the store
is closed and opened again), still locked; the lock belongs to the identifier, never to the
next patient; nothing but a keyed fingerprint is kept."""

from __future__ import annotations

from datetime import timedelta

import pytest

from kiosk.app import build_backend, sign_in_attempts
from kiosk.core import ports
from kiosk.core.clock import FakeClock
from kiosk.core.errors import NotAllowed, SignInFailed
from kiosk.core.sign_in_attempts import AttemptRecord, MemoryLockStore, SignInAttempts
from kiosk.services.backend.demo import DEMO_NOW, DEMO_ROLES, DemoHealthSpace, demo_sign_in_code, load_demo_data
from kiosk.services.storage import open_installed
from kiosk.services.storage.sign_in_locks import KEEP_COUNTS, StoredSignInLocks
from kiosk.settings import Settings
from tests.contract.healthspace_contract import HealthSpaceContract, OfflineSetup
from tests.contract.known import known_from_demo

from .tampering import file_bytes, raw_connection

INS_A = load_demo_data().by_id(DEMO_ROLES["rich"]).patient.ins
INS_B = load_demo_data().by_id(DEMO_ROLES["child"]).patient.ins


@pytest.fixture
def clock():
    return FakeClock(DEMO_NOW)


def wrong(ins: str) -> str:
    right = demo_sign_in_code(ins)
    return "0" * len(right) if right != "0" * len(right) else "1" * len(right)


def lock_out(space, ins: str) -> None:
    for n in range(ports.MAX_CODE_ATTEMPTS):
        challenge = space.start_sign_in(ins)
        error = NotAllowed if n == ports.MAX_CODE_ATTEMPTS - 1 else SignInFailed
        with pytest.raises(error):
            space.finish_sign_in(challenge.handle, wrong(ins))


def signs_in(space, ins: str) -> bool:
    challenge = space.start_sign_in(ins)
    return space.finish_sign_in(challenge.handle, demo_sign_in_code(ins)).patient.ins == ins


def kiosk_backend(storage, clock):
    """What the composition root builds: the backend, its lockouts in this store."""
    return build_backend(Settings(), clock, storage)


def test_locked_then_restart_still_locked(state, storage, clock):
    space = kiosk_backend(storage, clock)
    lock_out(space, INS_A)
    storage.close()  # the kiosk stops

    with open_installed(state, clock=clock, environ={}) as again:  # and starts again
        space = kiosk_backend(again, clock)
        with pytest.raises(NotAllowed) as info:
            space.start_sign_in(INS_A)
        assert info.value.key == "errors.not_allowed.locked"
        assert 0 < info.value.retry_after <= ports.LOCKOUT.total_seconds()
        assert signs_in(space, INS_B)  # the next patient is not locked out
        clock.advance(ports.LOCKOUT.total_seconds())
        assert signs_in(space, INS_A)  # the lock is over


def test_the_wrong_codes_count_across_a_restart(state, storage, clock):
    space = kiosk_backend(storage, clock)
    for _ in range(ports.MAX_CODE_ATTEMPTS - 1):
        with pytest.raises(SignInFailed):
            space.finish_sign_in(space.start_sign_in(INS_A).handle, wrong(INS_A))
    storage.close()
    with open_installed(state, clock=clock, environ={}) as again:
        space = kiosk_backend(again, clock)
        with pytest.raises(NotAllowed):  # the fifth, after the restart, locks
            space.finish_sign_in(space.start_sign_in(INS_A).handle, wrong(INS_A))


def test_the_lock_belongs_to_the_identifier_not_to_the_next_patient(storage, clock):
    space = kiosk_backend(storage, clock)
    for _ in range(ports.MAX_CODE_ATTEMPTS - 1):  # A nearly locked
        with pytest.raises(SignInFailed):
            space.finish_sign_in(space.start_sign_in(INS_A).handle, wrong(INS_A))
    space.forget()  # A leaves; B comes
    challenge = space.start_sign_in(INS_B)
    with pytest.raises(SignInFailed) as info:  # B's first wrong code is B's first
        space.finish_sign_in(challenge.handle, wrong(INS_B))
    assert info.value.attempts_left == ports.MAX_CODE_ATTEMPTS - 1
    assert signs_in(space, INS_B)
    with pytest.raises(NotAllowed):  # A's count went on
        space.finish_sign_in(space.start_sign_in(INS_A).handle, wrong(INS_A))
    with pytest.raises(NotAllowed):
        space.start_sign_in(INS_A)
    assert signs_in(space, INS_B)


def test_only_a_keyed_fingerprint_is_kept(state, storage, clock):
    space = kiosk_backend(storage, clock)
    lock_out(space, INS_A)
    storage.close()
    conn = raw_connection(state)
    rows = conn.execute("SELECT fingerprint, failures, locked_until FROM sign_in_lock").fetchall()
    conn.close()
    assert len(rows) == 1
    fingerprint, failures, locked_until = rows[0]
    assert INS_A not in fingerprint and len(fingerprint) == 32 and failures == 0 and locked_until
    assert INS_A.encode() not in file_bytes(state)


def test_the_fingerprint_key_is_the_stores_own_and_stays(state, storage, clock, tmp_path):
    key = StoredSignInLocks(storage.store, clock).key()
    assert StoredSignInLocks(storage.store, clock).key() == key and len(key) == 32
    storage.close()
    with open_installed(state, clock=clock, environ={}) as again:
        assert StoredSignInLocks(again.store, clock).key() == key
    from kiosk.services.storage import open_ephemeral

    other = open_ephemeral(clock=clock)
    try:
        assert StoredSignInLocks(other.store, clock).key() != key
    finally:
        other.close()


def test_old_counts_and_finished_locks_are_not_kept(state, storage, clock):
    locks = StoredSignInLocks(storage.store, clock)
    locks.put("a" * 32, AttemptRecord(2, None))
    locks.put("b" * 32, AttemptRecord(0, clock.now() + ports.LOCKOUT))
    clock.advance(KEEP_COUNTS.total_seconds())
    assert locks.get("a" * 32) is None  # a day without a try: forgotten
    assert locks.get("b" * 32) is not None
    locks.put("c" * 32, AttemptRecord(1, None))  # any write sweeps what no longer protects anything
    conn = storage.store.connection()
    assert [r[0] for r in conn.execute("SELECT fingerprint FROM sign_in_lock ORDER BY fingerprint")] == ["c" * 32]


def test_the_demo_reset_forgets_the_lockouts(storage, clock):
    space = kiosk_backend(storage, clock)
    lock_out(space, INS_A)
    space.reset()
    assert signs_in(space, INS_A)


class _Broken:
    def get(self, fingerprint):
        raise OSError("disk")

    def put(self, fingerprint, record):
        raise OSError("disk")

    def clear(self):
        raise OSError("disk")


def test_a_store_that_fails_never_unlocks_within_the_process(clock, caplog):
    attempts = SignInAttempts(clock.now, _Broken())
    fp = attempts.fingerprint(INS_A)
    for _ in range(ports.MAX_CODE_ATTEMPTS - 1):
        with pytest.raises(SignInFailed):
            attempts.failed(fp)
    with pytest.raises(NotAllowed):
        attempts.failed(fp)
    with pytest.raises(NotAllowed):
        attempts.check(fp)
    attempts.check(attempts.fingerprint(INS_B))  # another identifier is free
    assert "sign-in lockouts cannot be" in caplog.text and INS_A not in caplog.text


def test_a_store_that_cannot_give_its_key_leaves_the_counts_in_memory(clock):
    class NoKeyStore:
        store = None  # real(...).store: not a Store, so the key cannot be made

    attempts = sign_in_attempts(NoKeyStore(), clock)
    fp = attempts.fingerprint(INS_A)
    with pytest.raises(SignInFailed):
        attempts.failed(fp)


def test_memory_store_semantics(clock):
    attempts = SignInAttempts(clock.now, MemoryLockStore())
    fp = attempts.fingerprint(INS_A)
    assert fp == attempts.fingerprint(INS_A) != SignInAttempts(clock.now).fingerprint(INS_A)
    for left in range(ports.MAX_CODE_ATTEMPTS - 1, 0, -1):
        with pytest.raises(SignInFailed) as info:
            attempts.failed(fp)
        assert info.value.attempts_left == left
    attempts.succeeded(fp)
    with pytest.raises(SignInFailed) as info:
        attempts.failed(fp)
    assert info.value.attempts_left == ports.MAX_CODE_ATTEMPTS - 1


def test_the_fhir_backend_takes_the_kiosks_attempts(storage, clock):
    from kiosk.services.backend.fhir.backend import make_fhir_backend

    attempts = sign_in_attempts(storage, clock)
    settings = Settings(backend="https://fhir.invalid/r4")
    space = make_fhir_backend(settings, clock, attempts=attempts)
    try:
        assert space._attempts is attempts and space._fingerprint == attempts.fingerprint
    finally:
        space.close()


class TestDemoWithStoredLockoutsContract(HealthSpaceContract):
    """The HealthSpace promises, with the lockouts in the encrypted store."""

    @pytest.fixture
    def space(self, storage, clock):
        return kiosk_backend(storage, clock)

    @pytest.fixture
    def known(self, clock):
        return known_from_demo(clock.now())

    @pytest.fixture
    def offline(self, space, known):
        session = self.sign_in(space, known, known.rich)
        space.set_unavailable(True)
        return OfflineSetup(space, session)


def test_a_lock_started_before_a_restart_keeps_its_end(state, storage, clock):
    space = kiosk_backend(storage, clock)
    lock_out(space, INS_A)
    clock.advance(ports.LOCKOUT.total_seconds() - 60)
    storage.close()
    with open_installed(state, clock=clock, environ={}) as again:
        with pytest.raises(NotAllowed) as info:
            kiosk_backend(again, clock).start_sign_in(INS_A)
        assert info.value.retry_after == pytest.approx(60)
    assert timedelta(seconds=info.value.retry_after) <= ports.LOCKOUT
