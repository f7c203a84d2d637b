"""The audit journal: a closed set of actions, its entries and the Journal port.

Entries never carry names, identifiers, titles or health content. A subject
(patient, document, professional, helper) appears only as an opaque keyed
fingerprint such as ``pat-3f9c…``, computed by ``Journal.fingerprint``. The
details are a small dict whose keys come from a closed list and whose values
are numbers, booleans or short lowercase tokens (counts, scopes, durations).
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Iterator, Mapping, Protocol, Sequence, Union


class AuditAction(str, enum.Enum):
    """Every action the journal may record. Values are stored: never rename one."""

    SESSION_STARTED = "session.started"
    SESSION_ENDED = "session.ended"
    SESSION_TIMED_OUT = "session.timed_out"

    HELPER_SIGNED_IN = "helper.signed_in"
    HELPER_SIGNED_OUT = "helper.signed_out"
    HELPER_SIGN_IN_FAILED = "helper.sign_in_failed"
    HELPER_LOCKED = "helper.locked"
    HELPER_ADDED = "helper.added"
    HELPER_DISABLED = "helper.disabled"
    HELPER_PIN_CHANGED = "helper.pin_changed"
    HELPER_ENABLED = "helper.enabled"
    HELPER_UNLOCKED = "helper.unlocked"
    HELPER_REMOVED = "helper.removed"
    HELPER_TOTP_SET = "helper.totp_set"  # a second factor enrolled (or replaced)

    CONSENT_GIVEN = "consent.given"
    CONSENT_WITHDRAWN = "consent.withdrawn"

    PATIENT_SIGNED_IN = "patient.signed_in"
    PATIENT_SIGN_IN_FAILED = "patient.sign_in_failed"

    DOCUMENT_VIEWED = "document.viewed"
    DOCUMENT_HIDDEN = "document.hidden"
    DOCUMENT_SHOWN = "document.shown"
    DOCUMENT_PRINTED = "document.printed"
    DOCUMENT_SHARED_BY_QR = "document.shared_by_qr"

    MESSAGE_READ = "message.read"
    MESSAGE_SENT = "message.sent"

    APPOINTMENT_SHARED_BY_QR = "appointment.shared_by_qr"

    PROFESSIONAL_BLOCKED = "professional.blocked"
    PROFESSIONAL_UNBLOCKED = "professional.unblocked"
    EMERGENCY_ACCESS_CHANGED = "emergency_access.changed"
    ACCESS_HISTORY_VIEWED = "access_history.viewed"

    CODE_CREATED = "code.created"
    CODE_REVOKED = "code.revoked"

    REFUSAL_REQUESTED = "space.refusal_requested"
    CLOSURE_REQUESTED = "space.closure_requested"

    STORE_CREATED = "store.created"
    STORE_OPENED = "store.opened"
    SETTINGS_CHANGED = "settings.changed"
    AUDIT_EXPORTED = "audit.exported"


class SubjectKind(str, enum.Enum):
    """What a fingerprint stands for; the value is the fingerprint's prefix."""

    PATIENT = "pat"
    DOCUMENT = "doc"
    PROFESSIONAL = "pro"
    HELPER = "hlp"
    MESSAGE = "msg"
    CODE = "cod"


FINGERPRINT_HEX_LENGTH = 24
FINGERPRINT_RE = re.compile(
    r"^(%s)-[0-9a-f]{%d}$" % ("|".join(k.value for k in SubjectKind), FINGERPRINT_HEX_LENGTH)
)

# The only keys a detail dict may use: none of them can hold a name or a title.
DETAIL_KEYS = frozenset(
    {
        "attempts_left", "category", "count", "duration_s", "enabled", "entries", "failures",
        "format", "kind", "language", "lock_s", "mode", "purpose", "reason", "schema_version",
        "scope", "scopes", "setting",
    }
)
TOKEN_RE = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,31}$")
MAX_LIST = 16

Token = Union[str, int, bool, None]
DetailValue = Union[Token, Sequence[str]]


class AuditDataError(ValueError):
    """A journal entry was given something that could be personal data (a programming error)."""


def check_fingerprints(fingerprints: Sequence[str]) -> tuple[str, ...]:
    if isinstance(fingerprints, str):
        raise AuditDataError("subject_fingerprints must be a sequence of fingerprints")
    result = tuple(fingerprints)
    for fp in result:
        if not isinstance(fp, str) or not FINGERPRINT_RE.match(fp):
            raise AuditDataError("a subject must be given as a fingerprint from Journal.fingerprint()")
    return result


def _check_token(key: str, value: object) -> None:
    if value is None or isinstance(value, (bool, int)):
        return
    if isinstance(value, str) and TOKEN_RE.match(value):
        return
    raise AuditDataError(f"detail {key!r} must be a number, a boolean or a short lowercase token")


def check_details(details: Mapping[str, DetailValue] | None) -> dict[str, DetailValue]:
    """Return a plain copy of details, or raise AuditDataError if anything could be personal."""
    if not details:
        return {}
    result: dict[str, DetailValue] = {}
    for key, value in details.items():
        if key not in DETAIL_KEYS:
            raise AuditDataError(f"detail key {key!r} is not in the closed list DETAIL_KEYS")
        if isinstance(value, (list, tuple)):
            if len(value) > MAX_LIST:
                raise AuditDataError(f"detail {key!r} has too many values")
            for item in value:
                if not isinstance(item, str):
                    raise AuditDataError(f"detail {key!r} must list tokens")
                _check_token(key, item)
            result[key] = list(value)
        else:
            _check_token(key, value)
            result[key] = value
    return result


@dataclass(frozen=True)
class AuditEntry:
    seq: int
    at: datetime
    action: AuditAction
    subjects: tuple[str, ...] = ()
    details: Mapping[str, DetailValue] = field(default_factory=dict)
    mac: str = ""

    def as_dict(self) -> dict:
        return {
            "seq": self.seq,
            "at": self.at.isoformat(),
            "action": self.action.value,
            "subjects": list(self.subjects),
            "details": dict(self.details),
            "mac": self.mac,
        }


class BreakReason(str, enum.Enum):
    ALTERED = "altered"  # an entry whose content, place or key does not match its MAC
    MISSING = "missing"  # a sequence number is missing: an entry was deleted
    INSERTED = "inserted"  # an entry with a number that should not be there
    TRUNCATED = "truncated"  # the last entries were deleted
    GUARDS_REMOVED = "guards_removed"  # the database no longer refuses UPDATE or DELETE


@dataclass(frozen=True)
class VerifyReport:
    checked: int
    first_broken: int | None = None
    reason: BreakReason | None = None

    @property
    def ok(self) -> bool:
        return self.reason is None


class Journal(Protocol):
    """The append-only audit journal."""

    def append(
        self,
        action: AuditAction,
        *,
        subject_fingerprints: Sequence[str] = (),
        details: Mapping[str, DetailValue] | None = None,
    ) -> AuditEntry:
        """Record one action; subjects only as fingerprints, details checked by check_details."""

    def fingerprint(self, kind: SubjectKind, value: str) -> str:
        """The opaque, keyed, stable fingerprint of one subject (e.g. a patient identifier)."""

    def entries(self, since: datetime | None = None) -> Iterator[AuditEntry]:
        """Entries in order, optionally only those at or after `since` (an aware datetime)."""

    def verify(self) -> VerifyReport:
        """Check the whole chain; report the first broken entry."""
