"""Helper accounts (pharmacists, advisors): PINs hashed with Argon2id, lockout
after repeated failures, every change journaled with the helper's fingerprint.
"""

from __future__ import annotations

import enum
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from kiosk.core.audit import AuditAction, Journal, SubjectKind
from kiosk.core.clock import Clock
from kiosk.services.storage.errors import AccountError
from kiosk.services.storage.store import Store

MAX_FAILURES = 5
LOCK_SECONDS = 5 * 60
PIN_MIN, PIN_MAX = 6, 12
IDENTIFIER_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{2,39}$")
TEXT_MAX = 80


class SignInStatus(str, enum.Enum):
    OK = "ok"
    WRONG_PIN = "wrong_pin"
    LOCKED = "locked"
    DISABLED = "disabled"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class HelperAccount:
    identifier: str
    display_name: str
    organisation: str
    created_at: datetime
    disabled: bool
    locked_until: datetime | None
    fingerprint: str  # how this helper appears in the audit journal


@dataclass(frozen=True)
class SignInResult:
    status: SignInStatus
    helper: HelperAccount | None = None
    attempts_left: int | None = None
    locked_until: datetime | None = None

    @property
    def ok(self) -> bool:
        return self.status is SignInStatus.OK


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

    def _fp(self, identifier: str) -> str:
        return self._journal.fingerprint(SubjectKind.HELPER, identifier)

    def _account(self, row) -> HelperAccount:
        identifier, name, organisation, created, disabled, locked = row
        return HelperAccount(
            identifier, name, organisation, _time(created), disabled is not None, _time(locked), self._fp(identifier)
        )

    _COLUMNS = "identifier, display_name, organisation, created_at, disabled_at, locked_until"

    # -- administration --------------------------------------------------------
    def add(self, identifier: str, display_name: str, organisation: str, pin: str) -> HelperAccount:
        identifier = check_identifier(identifier)
        display_name = check_text(display_name, "Le nom")
        organisation = check_text(organisation, "L'organisation")
        pin_hash = self._hasher.hash(check_pin(pin))
        with self._store.transaction() as db:
            if db.execute("SELECT 1 FROM helper WHERE identifier = ?", (identifier,)).fetchone():
                raise AccountError(f"L'identifiant {identifier} existe déjà : choisissez-en un autre.")
            db.execute(
                "INSERT INTO helper (identifier, display_name, organisation, pin_hash, created_at) "
                "VALUES (?, ?, ?, ?, ?)",
                (identifier, display_name, organisation, pin_hash, _text(self._clock.now())),
            )
        self._journal.append(AuditAction.HELPER_ADDED, subject_fingerprints=[self._fp(identifier)])
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
        with self._store.transaction() as db:
            row = db.execute("SELECT disabled_at FROM helper WHERE identifier = ?", (identifier,)).fetchone()
            if row is None:
                raise AccountError(f"Aucun compte d'aidant ne s'appelle {identifier} : vérifiez avec « kiosk admin helper list ».")
            if row[0] is None:
                db.execute(
                    "UPDATE helper SET disabled_at = ? WHERE identifier = ?", (_text(self._clock.now()), identifier)
                )
        if row[0] is None:
            self._journal.append(AuditAction.HELPER_DISABLED, subject_fingerprints=[self._fp(identifier)])
        return self.get(identifier)

    # -- signing in --------------------------------------------------------------
    def verify_pin(self, identifier: str, pin: str) -> SignInResult:
        """Check a PIN; 5 wrong PINs in a row lock the account for 5 minutes."""
        now = self._clock.now()
        fp = self._fp(str(identifier))
        row = self._store.connection().execute(
            "SELECT pin_hash, disabled_at, failed_count, locked_until FROM helper WHERE identifier = ?",
            (identifier,),
        ).fetchone()
        if row is None:
            if self._dummy_hash is None:
                self._dummy_hash = self._hasher.hash("not-a-pin")
            self._check(self._dummy_hash, pin)  # same work as a real check: no hint that the account is unknown
            self._failed(fp, "unknown")
            return SignInResult(SignInStatus.UNKNOWN)
        pin_hash, disabled_at, failures, locked_text = row
        if disabled_at is not None:
            self._failed(fp, "disabled")
            return SignInResult(SignInStatus.DISABLED)
        locked_until = _time(locked_text)
        if locked_until is not None and now < locked_until:
            self._failed(fp, "locked")
            return SignInResult(SignInStatus.LOCKED, locked_until=locked_until)
        if locked_until is not None:  # the lock has expired: a fresh count of attempts
            failures = 0
        if self._check(pin_hash, pin):
            with self._store.transaction() as db:
                new_hash = self._hasher.hash(pin) if self._hasher.check_needs_rehash(pin_hash) else pin_hash
                db.execute(
                    "UPDATE helper SET failed_count = 0, locked_until = NULL, pin_hash = ? WHERE identifier = ?",
                    (new_hash, identifier),
                )
            self._journal.append(AuditAction.HELPER_SIGNED_IN, subject_fingerprints=[fp])
            return SignInResult(SignInStatus.OK, helper=self.get(identifier))
        failures += 1
        if failures >= MAX_FAILURES:
            until = now + timedelta(seconds=LOCK_SECONDS)
            with self._store.transaction() as db:
                db.execute(
                    "UPDATE helper SET failed_count = 0, locked_until = ? WHERE identifier = ?",
                    (_text(until), identifier),
                )
            self._failed(fp, "wrong_pin", failures=failures)
            self._journal.append(
                AuditAction.HELPER_LOCKED, subject_fingerprints=[fp], details={"lock_s": LOCK_SECONDS}
            )
            return SignInResult(SignInStatus.LOCKED, locked_until=until, attempts_left=0)
        with self._store.transaction() as db:
            db.execute(
                "UPDATE helper SET failed_count = ?, locked_until = NULL WHERE identifier = ?", (failures, identifier)
            )
        self._failed(fp, "wrong_pin", failures=failures)
        return SignInResult(SignInStatus.WRONG_PIN, attempts_left=MAX_FAILURES - failures)

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
