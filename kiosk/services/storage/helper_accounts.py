"""Helper accounts (pharmacists, advisors): PINs hashed with Argon2id, a lockout that
escalates, an optional second factor, every change journaled with the helper's fingerprint.

- Failures count from the last sign-in (or the administrator's unlock or PIN reset): 5 lock
  the account for 5 minutes, 10 for 1 hour, 15 until an administrator unlocks it. A wrong
  second-factor code counts like a wrong PIN.
- The second factor is a TOTP code (RFC 6238, 6 digits, 30 s), as on the helper's phone or
  card: after a right PIN, ``verify_pin`` answers CODE_NEEDED with a ticket, good for a few
  minutes, and ``verify_code(ticket, code)`` finishes the sign-in. A code is good once.
  Its secret is kept in the encrypted store and shown once, when it is enrolled.
"""

from __future__ import annotations

import enum
import hmac
import re
import secrets
import threading
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from kiosk.core.audit import AuditAction, Journal, SubjectKind
from kiosk.core.clock import Clock
from kiosk.services.storage.errors import AccountError
from kiosk.services.storage.store import Store

MAX_FAILURES = 5  # the first lock
LOCK_SECONDS = 5 * 60
#: (failures since the last sign-in, lock in seconds; None: until an administrator unlocks)
LOCK_STEPS: tuple[tuple[int, int | None], ...] = ((5, 5 * 60), (10, 60 * 60), (15, None))
TOTP_DIGITS = 6
TOTP_WINDOW = 1  # one 30-second step either side: a phone's clock a little off still works
TICKET_SECONDS = 3 * 60  # between the right PIN and the code
TOTP_ISSUER = "Kiosque Santé"
PIN_MIN, PIN_MAX = 6, 12
IDENTIFIER_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{2,39}$")
TEXT_MAX = 80


class SignInStatus(str, enum.Enum):
    OK = "ok"
    WRONG_PIN = "wrong_pin"
    LOCKED = "locked"
    DISABLED = "disabled"
    UNKNOWN = "unknown"
    CODE_NEEDED = "code_needed"  # the PIN is right; the second-factor code comes next
    WRONG_CODE = "wrong_code"
    EXPIRED = "expired"  # the ticket between PIN and code is gone: type the PIN again


@dataclass(frozen=True)
class HelperAccount:
    identifier: str
    display_name: str
    organisation: str
    created_at: datetime
    disabled: bool
    locked_until: datetime | None
    fingerprint: str  # how this helper appears in the audit journal
    held_for_admin: bool = False  # locked until an administrator unlocks it
    totp: bool = False  # a second factor is enrolled


@dataclass(frozen=True)
class SignInResult:
    status: SignInStatus
    helper: HelperAccount | None = None
    attempts_left: int | None = None
    locked_until: datetime | None = None
    held_for_admin: bool = False  # LOCKED until an administrator unlocks (no end time)
    ticket: str | None = field(default=None, repr=False)  # CODE_NEEDED, WRONG_CODE: for verify_code

    @property
    def ok(self) -> bool:
        return self.status is SignInStatus.OK


def lock_after(failures: int) -> tuple[bool, int | None]:
    """(locks now, seconds or None for "until unlocked") for the n-th failure in a row."""
    for threshold, seconds in LOCK_STEPS:
        if failures == threshold:
            return True, seconds
    if failures > LOCK_STEPS[-1][0]:
        return True, None
    return False, None


def attempts_before_lock(failures: int) -> int:
    return next((threshold - failures for threshold, _ in LOCK_STEPS if threshold > failures), 0)


def no_such_account(identifier: str) -> AccountError:
    return AccountError(
        f"Aucun compte d'aidant ne s'appelle {identifier} : vérifiez avec « kiosk admin helper list »."
    )


def new_totp_secret() -> str:
    """A fresh TOTP secret (base32, 160 bits), for ``add`` or ``reset_pin``."""
    return pyotp.random_base32()


def totp_uri(identifier: str, secret: str) -> str:
    """The otpauth:// URI an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret, digits=TOTP_DIGITS).provisioning_uri(name=identifier, issuer_name=TOTP_ISSUER)


def check_totp_secret(secret: str) -> str:
    try:
        pyotp.TOTP(secret).at(0)
    except Exception:  # not base32: a programming error, never the person's
        raise AccountError("Le secret du second facteur n'est pas valide.") from None
    return secret


@dataclass
class _Ticket:
    identifier: str
    pin_hash: str  # a PIN reset meanwhile makes the ticket useless
    expires: datetime


def check_identifier(identifier: str) -> str:
    if not isinstance(identifier, str) or not IDENTIFIER_RE.match(identifier):
        raise AccountError(
            "L'identifiant doit avoir de 3 à 40 caractères : lettres minuscules, chiffres, point, tiret."
        )
    return identifier


def check_text(value: str, what: str) -> str:
    value = unicodedata.normalize("NFC", (value or "").strip())
    if not value or len(value) > TEXT_MAX or any(unicodedata.category(c).startswith("C") for c in value):
        raise AccountError(f"{what} doit avoir de 1 à {TEXT_MAX} caractères, sur une seule ligne.")
    return value


def check_pin(pin: str) -> str:
    if not isinstance(pin, str) or not (PIN_MIN <= len(pin) <= PIN_MAX) or not pin.isascii() or not pin.isdigit():
        raise AccountError(f"Le code PIN doit avoir de {PIN_MIN} à {PIN_MAX} chiffres, sans lettre ni espace.")
    steps = {int(b) - int(a) for a, b in zip(pin, pin[1:])}
    if steps <= {0} or steps == {1} or steps == {-1}:
        raise AccountError("Ce code PIN est trop facile à deviner : choisissez des chiffres moins simples.")
    return pin


def _text(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat()


def _time(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


class HelperAccounts:
    def __init__(
        self, store: Store, journal: Journal, clock: Clock, hasher: PasswordHasher | None = None
    ) -> None:
        self._store = store
        self._journal = journal
        self._clock = clock
        self._hasher = hasher or PasswordHasher()  # Argon2id, RFC 9106 low-memory profile
        self._dummy_hash: str | None = None  # made on first need: opening the store stays fast
        self._tickets: dict[str, _Ticket] = {}  # in memory only: a restart asks for the PIN again
        self._tickets_lock = threading.Lock()

    def _fp(self, identifier: str) -> str:
        return self._journal.fingerprint(SubjectKind.HELPER, identifier)

    def _account(self, row) -> HelperAccount:
        identifier, name, organisation, created, disabled, locked, held, totp = row
        return HelperAccount(
            identifier, name, organisation, _time(created), disabled is not None, _time(locked), self._fp(identifier),
            held_for_admin=bool(held), totp=totp is not None,
        )

    _COLUMNS = ("identifier, display_name, organisation, created_at, disabled_at, locked_until, "
                "held_for_admin, totp_secret")

    # -- administration --------------------------------------------------------
    def add(
        self, identifier: str, display_name: str, organisation: str, pin: str, *, totp_secret: str | None = None
    ) -> HelperAccount:
        """A new account; with `totp_secret` (from new_totp_secret()) it asks for a code after the PIN."""
        identifier = check_identifier(identifier)
        display_name = check_text(display_name, "Le nom")
        organisation = check_text(organisation, "L'organisation")
        if totp_secret is not None:
            check_totp_secret(totp_secret)
        pin_hash = self._hasher.hash(check_pin(pin))
        with self._store.transaction() as db:
            row = db.execute("SELECT disabled_at FROM helper WHERE identifier = ?", (identifier,)).fetchone()
            if row is not None and row[0] is not None:
                raise AccountError(
                    f"L'identifiant {identifier} existe déjà, désactivé : réactivez-le avec "
                    f"« kiosk admin helper enable {identifier} » ou retirez-le avec « kiosk admin helper remove »."
                )
            if row is not None:
                raise AccountError(f"L'identifiant {identifier} existe déjà : choisissez-en un autre.")
            db.execute(
                "INSERT INTO helper (identifier, display_name, organisation, pin_hash, created_at, totp_secret) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (identifier, display_name, organisation, pin_hash, _text(self._clock.now()), totp_secret),
            )
        self._journal.append(AuditAction.HELPER_ADDED, subject_fingerprints=[self._fp(identifier)])
        if totp_secret is not None:
            self._journal.append(AuditAction.HELPER_TOTP_SET, subject_fingerprints=[self._fp(identifier)])
        return self.get(identifier)

    def get(self, identifier: str) -> HelperAccount | None:
        row = self._store.connection().execute(
            f"SELECT {self._COLUMNS} FROM helper WHERE identifier = ?", (identifier,)
        ).fetchone()
        return self._account(row) if row else None

    def list(self) -> list[HelperAccount]:
        rows = self._store.connection().execute(
            f"SELECT {self._COLUMNS} FROM helper ORDER BY identifier"
        ).fetchall()
        return [self._account(r) for r in rows]

    def disable(self, identifier: str) -> HelperAccount:
        return self._set_disabled(identifier, True)

    def enable(self, identifier: str) -> HelperAccount:
        """A disabled account signs in again (its lock and failures as they were)."""
        return self._set_disabled(identifier, False)

    def _set_disabled(self, identifier: str, disabled: bool) -> HelperAccount:
        with self._store.transaction() as db:
            row = db.execute("SELECT disabled_at FROM helper WHERE identifier = ?", (identifier,)).fetchone()
            if row is None:
                raise no_such_account(identifier)
            changed = (row[0] is None) == disabled
            if changed:
                db.execute("UPDATE helper SET disabled_at = ? WHERE identifier = ?",
                           (_text(self._clock.now()) if disabled else None, identifier))
        if changed:
            self._journal.append(AuditAction.HELPER_DISABLED if disabled else AuditAction.HELPER_ENABLED,
                                 subject_fingerprints=[self._fp(identifier)])
        return self.get(identifier)

    def unlock(self, identifier: str) -> HelperAccount:
        """Lift any lock and start a fresh count of failures (journaled even when nothing was locked)."""
        with self._store.transaction() as db:
            if db.execute("SELECT 1 FROM helper WHERE identifier = ?", (identifier,)).fetchone() is None:
                raise no_such_account(identifier)
            db.execute("UPDATE helper SET failed_count = 0, locked_until = NULL, held_for_admin = 0 "
                       "WHERE identifier = ?", (identifier,))
        self._journal.append(AuditAction.HELPER_UNLOCKED, subject_fingerprints=[self._fp(identifier)])
        return self.get(identifier)

    def reset_pin(self, identifier: str, pin: str, *, totp_secret: str | None = None) -> HelperAccount:
        """A new PIN chosen with the administrator; it also unlocks. With `totp_secret`, a new second factor."""
        pin_hash = self._hasher.hash(check_pin(pin))
        if totp_secret is not None:
            check_totp_secret(totp_secret)
        with self._store.transaction() as db:
            if db.execute("SELECT 1 FROM helper WHERE identifier = ?", (identifier,)).fetchone() is None:
                raise no_such_account(identifier)
            db.execute("UPDATE helper SET pin_hash = ?, failed_count = 0, locked_until = NULL, held_for_admin = 0 "
                       "WHERE identifier = ?", (pin_hash, identifier))
            if totp_secret is not None:
                db.execute("UPDATE helper SET totp_secret = ?, totp_last_step = NULL WHERE identifier = ?",
                           (totp_secret, identifier))
        self._journal.append(AuditAction.HELPER_PIN_CHANGED, subject_fingerprints=[self._fp(identifier)])
        if totp_secret is not None:
            self._journal.append(AuditAction.HELPER_TOTP_SET, subject_fingerprints=[self._fp(identifier)])
        return self.get(identifier)

    def remove(self, identifier: str) -> None:
        """Delete the account: its PIN, second factor and lock. The journal keeps its fingerprint."""
        with self._store.transaction() as db:
            if db.execute("SELECT 1 FROM helper WHERE identifier = ?", (identifier,)).fetchone() is None:
                raise no_such_account(identifier)
            db.execute("DELETE FROM helper WHERE identifier = ?", (identifier,))
        self._journal.append(AuditAction.HELPER_REMOVED, subject_fingerprints=[self._fp(identifier)])

    # -- signing in --------------------------------------------------------------
    def verify_pin(self, identifier: str, pin: str) -> SignInResult:
        """Check a PIN. OK, or CODE_NEEDED with a ticket when a second factor is enrolled.

        Failures lock the account: 5 for 5 minutes, 10 for 1 hour, 15 until an administrator unlocks.
        """
        now = self._clock.now()
        fp = self._fp(str(identifier))
        row = self._store.connection().execute(
            "SELECT pin_hash, disabled_at, failed_count, locked_until, held_for_admin, totp_secret "
            "FROM helper WHERE identifier = ?",
            (identifier,),
        ).fetchone()
        if row is None:
            if self._dummy_hash is None:
                self._dummy_hash = self._hasher.hash("not-a-pin")
            self._check(self._dummy_hash, pin)  # same work as a real check: no hint that the account is unknown
            self._failed(fp, "unknown")
            return SignInResult(SignInStatus.UNKNOWN)
        pin_hash, disabled_at, failures, locked_text, held, totp_secret = row
        refused = self._refused(fp, disabled_at, _time(locked_text), held, now)
        if refused is not None:
            return refused
        if not self._check(pin_hash, pin):
            return self._failure(identifier, fp, failures + 1, "wrong_pin")
        if self._hasher.check_needs_rehash(pin_hash):
            pin_hash = self._hasher.hash(pin)
            with self._store.transaction() as db:
                db.execute("UPDATE helper SET pin_hash = ? WHERE identifier = ?", (pin_hash, identifier))
        if totp_secret is not None:
            ticket = secrets.token_urlsafe(24)
            with self._tickets_lock:
                for old in [t for t, v in self._tickets.items() if now >= v.expires or v.identifier == identifier]:
                    del self._tickets[old]
                self._tickets[ticket] = _Ticket(identifier, pin_hash, now + timedelta(seconds=TICKET_SECONDS))
            return SignInResult(SignInStatus.CODE_NEEDED, ticket=ticket)
        return self._signed_in(identifier, fp)

    def verify_code(self, ticket: str, code: str) -> SignInResult:
        """The second step: the TOTP code after a right PIN. A code is accepted once."""
        now = self._clock.now()
        with self._tickets_lock:
            pending = self._tickets.pop(ticket, None) if isinstance(ticket, str) else None
        if pending is None or now >= pending.expires:
            return SignInResult(SignInStatus.EXPIRED)
        identifier = pending.identifier
        fp = self._fp(identifier)
        row = self._store.connection().execute(
            "SELECT pin_hash, disabled_at, failed_count, locked_until, held_for_admin, totp_secret, totp_last_step "
            "FROM helper WHERE identifier = ?",
            (identifier,),
        ).fetchone()
        if row is None or row[0] != pending.pin_hash or row[5] is None:  # removed, or PIN or factor changed
            return SignInResult(SignInStatus.EXPIRED)
        _pin_hash, disabled_at, failures, locked_text, held, secret, last_step = row
        refused = self._refused(fp, disabled_at, _time(locked_text), held, now)
        if refused is not None:
            return refused
        step = self._totp_step(secret, code, now, last_step)
        if step is None:
            result = self._failure(identifier, fp, failures + 1, "wrong_code")
            if result.status is SignInStatus.LOCKED:
                return result
            with self._tickets_lock:  # another try at the code, within the same few minutes
                self._tickets[ticket] = pending
            return SignInResult(SignInStatus.WRONG_CODE, attempts_left=result.attempts_left, ticket=ticket)
        with self._store.transaction() as db:
            db.execute("UPDATE helper SET totp_last_step = ? WHERE identifier = ?", (step, identifier))
        return self._signed_in(identifier, fp, details={"mode": "totp"})

    def forget_tickets(self) -> None:
        """The session ended between PIN and code: the next person starts from the identifier."""
        with self._tickets_lock:
            self._tickets.clear()

    @staticmethod
    def _totp_step(secret: str, code: str, now: datetime, last_step: int | None) -> int | None:
        """The time step the code belongs to (now, or one step either side), if it was not used already."""
        code = (code or "").strip() if isinstance(code, str) else ""
        if len(code) != TOTP_DIGITS or not code.isascii() or not code.isdigit():
            return None
        totp = pyotp.TOTP(secret, digits=TOTP_DIGITS)
        current = totp.timecode(now)
        for step in range(current - TOTP_WINDOW, current + TOTP_WINDOW + 1):
            if hmac.compare_digest(totp.generate_otp(step), code):
                return step if last_step is None or step > last_step else None
        return None

    def _refused(self, fp: str, disabled_at, locked_until: datetime | None, held, now: datetime):
        if disabled_at is not None:
            self._failed(fp, "disabled")
            return SignInResult(SignInStatus.DISABLED)
        if held:
            self._failed(fp, "locked")
            return SignInResult(SignInStatus.LOCKED, held_for_admin=True, attempts_left=0)
        if locked_until is not None and now < locked_until:
            self._failed(fp, "locked")
            return SignInResult(SignInStatus.LOCKED, locked_until=locked_until, attempts_left=0)
        return None  # an expired lock: the count goes on from where it was, towards the next lock

    def _signed_in(self, identifier: str, fp: str, details: dict | None = None) -> SignInResult:
        with self._store.transaction() as db:
            db.execute("UPDATE helper SET failed_count = 0, locked_until = NULL WHERE identifier = ?", (identifier,))
        self._journal.append(AuditAction.HELPER_SIGNED_IN, subject_fingerprints=[fp], details=details)
        return SignInResult(SignInStatus.OK, helper=self.get(identifier))

    def _failure(self, identifier: str, fp: str, failures: int, reason: str) -> SignInResult:
        locks, seconds = lock_after(failures)
        until = self._clock.now() + timedelta(seconds=seconds) if locks and seconds is not None else None
        with self._store.transaction() as db:
            db.execute(
                "UPDATE helper SET failed_count = ?, locked_until = ?, held_for_admin = ? WHERE identifier = ?",
                (failures, _text(until) if until else None, int(locks and seconds is None), identifier),
            )
        self._failed(fp, reason, failures=failures)
        if not locks:
            status = SignInStatus.WRONG_CODE if reason == "wrong_code" else SignInStatus.WRONG_PIN
            return SignInResult(status, attempts_left=attempts_before_lock(failures))
        if seconds is None:
            self._journal.append(AuditAction.HELPER_LOCKED, subject_fingerprints=[fp],
                                 details={"failures": failures, "reason": "until_unlocked"})
            return SignInResult(SignInStatus.LOCKED, held_for_admin=True, attempts_left=0)
        self._journal.append(AuditAction.HELPER_LOCKED, subject_fingerprints=[fp],
                             details={"lock_s": seconds, "failures": failures})
        return SignInResult(SignInStatus.LOCKED, locked_until=until, attempts_left=0)

    def signed_out(self, identifier: str) -> None:
        self._journal.append(AuditAction.HELPER_SIGNED_OUT, subject_fingerprints=[self._fp(identifier)])

    def _check(self, pin_hash: str, pin: str) -> bool:
        try:
            return self._hasher.verify(pin_hash, str(pin))
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def _failed(self, fp: str, reason: str, failures: int | None = None) -> None:
        details: dict = {"reason": reason}
        if failures is not None:
            details["failures"] = failures
        self._journal.append(AuditAction.HELPER_SIGN_IN_FAILED, subject_fingerprints=[fp], details=details)
