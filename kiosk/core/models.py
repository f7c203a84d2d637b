"""Domain models of the health space: frozen dataclasses, no I/O.

Everything a backend returns is one of these immutable values. Free text in
them (titles, message bodies, names) is *data* from the health space, shown as
is; every word the kiosk itself says comes from the locale catalogues, keyed by
the stable enum values below (for example ``domain.category.ordonnance``).

Dates: ``datetime`` values are timezone-aware; ``date`` values are calendar days.
"""

from __future__ import annotations

import enum
import math
import secrets
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Generic, TypeVar

T = TypeVar("T")


# ---------------------------------------------------------------- patient


@dataclass(frozen=True)
class Patient:
    """The person whose health space is open.

    ``id`` is the backend's opaque identifier; ``ins`` the 15-digit national
    health identifier typed at sign-in. ``representative`` names who manages a
    child's profile ("Mme Julie Exemple, sa mère"), or is None for an adult.
    """

    id: str
    ins: str
    title: str  # "Mme", "M." or "" for a child
    given_name: str
    family_name: str
    birth_date: date
    representative: str | None = None

    @property
    def display_name(self) -> str:
        parts = [self.title, self.given_name, self.family_name]
        return " ".join(p for p in parts if p)

    def age_on(self, day: date) -> int:
        years = day.year - self.birth_date.year
        if (day.month, day.day) < (self.birth_date.month, self.birth_date.day):
            years -= 1
        return years


@dataclass(frozen=True)
class PatientSession:
    """What a successful sign-in returns and every other port method takes.

    ``token`` is opaque to the kiosk (the demo's own token, or the FHIR
    backend's bearer/session reference); ``patient`` is who signed in.
    """

    token: str
    patient: Patient

    def __repr__(self) -> str:  # never print the token or the patient in logs
        return "PatientSession(<hidden>)"


@dataclass(frozen=True)
class SignInChallenge:
    """Handle of a started sign-in: the backend has "sent" a one-time code.

    ``channel`` says where the code went ("sms" or "email") so the screen can
    say "Nous avons envoyé un code par SMS"; ``code_length`` sizes the keypad
    field; ``expires`` is when the handle stops being accepted.
    """

    handle: str
    code_length: int
    channel: str
    expires: datetime

    def __repr__(self) -> str:
        return f"SignInChallenge(code_length={self.code_length}, channel={self.channel!r})"


# -------------------------------------------------------------- documents


class Category(str, enum.Enum):
    """Document categories. Values are stable (stored, sent to FHIR, used as i18n keys)."""

    ORDONNANCE = "ordonnance"
    RESULTAT = "resultat"
    COMPTE_RENDU = "compte_rendu"
    IMAGERIE = "imagerie"
    VACCINATION = "vaccination"
    CERTIFICAT = "certificat"
    AUTRE = "autre"

    @property
    def label_key(self) -> str:
        return f"domain.category.{self.value}"


class LabAssessment(str, enum.Enum):
    """Where a lab value sits against its reference range (i18n: ``domain.lab.<value>``)."""

    BELOW = "below"
    WITHIN = "within"
    ABOVE = "above"
    UNKNOWN = "unknown"  # no usable range

    @property
    def label_key(self) -> str:
        return f"domain.lab.{self.value}"


def assess_lab_value(value: float, low: float | None, high: float | None) -> LabAssessment:
    """Compare ``value`` with the inclusive range [low, high]; either bound may be missing.

    >>> assess_lab_value(1.32, 0.70, 1.10)
    <LabAssessment.ABOVE: 'above'>
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return LabAssessment.UNKNOWN
    if low is None and high is None:
        return LabAssessment.UNKNOWN
    if low is not None and value < low:
        return LabAssessment.BELOW
    if high is not None and value > high:
        return LabAssessment.ABOVE
    return LabAssessment.WITHIN


@dataclass(frozen=True)
class LabValue:
    """One lab result line: "Glycémie à jeun 1,32 g/L (normale 0,70 à 1,10)".

    ``code`` is the test's LOINC code ("1558-6"), shown through the catalogues
    (kiosk.core.labels); ``name`` is the laboratory's own words, shown for a code the
    kiosk does not know.
    """

    name: str
    value: float
    unit: str
    low: float | None = None
    high: float | None = None
    code: str = ""

    @property
    def assessment(self) -> LabAssessment:
        return assess_lab_value(self.value, self.low, self.high)


@dataclass(frozen=True)
class Document:
    """A document's description, as listed. Its body comes from ``get_document_content``.

    ``type_code`` is the document type's LOINC code ("57833-6"), shown through the
    catalogues (kiosk.core.labels); ``type`` is the backend's own label of it
    ("Ordonnance de médicaments"), shown for a code the kiosk does not know.
    ``media_type`` says what the content will be
    ("text/plain", "application/pdf", "image/png") so the list can show it
    before the content is fetched. ``lab_results`` is empty except for
    results that carry structured values.
    """

    id: str
    category: Category
    type: str
    title: str
    author: str
    organisation: str
    date: datetime
    media_type: str = "text/plain"
    hidden_from_professionals: bool = False
    lab_results: tuple[LabValue, ...] = ()
    type_code: str = ""


TEXT_PLAIN = "text/plain"


@dataclass(frozen=True)
class DocumentContent:
    """The body of a document: pages of text, or binary data with its media type.

    Exactly one of ``pages`` (for ``text/plain``) and ``data`` (anything else) is set.
    """

    media_type: str
    pages: tuple[str, ...] = ()
    data: bytes | None = None

    def __post_init__(self) -> None:
        if self.media_type == TEXT_PLAIN:
            if self.data is not None or not self.pages:
                raise ValueError("text content needs pages and no data")
        elif self.data is None or self.pages:
            raise ValueError("binary content needs data and no pages")

    @property
    def is_text(self) -> bool:
        return self.media_type == TEXT_PLAIN

    def __repr__(self) -> str:  # content is health data: keep it out of reprs and logs
        size = len(self.data) if self.data is not None else sum(len(p) for p in self.pages)
        return f"DocumentContent(media_type={self.media_type!r}, pages={len(self.pages)}, size={size})"


# --------------------------------------------------------------- people


@dataclass(frozen=True)
class Professional:
    """A health professional. ``rpps`` is the 11-digit RPPS number ("" for an organisation).

    ``gender`` is as FHIR ``Practitioner.gender`` has it: "female", "male", or "" when it is not
    known (or "other", or an organisation): the kiosk then writes about them in neutral words.
    ``profession_code`` is shown through the catalogues (kiosk.core.labels); ``profession``
    is the backend's own words, shown for a code the kiosk does not know.
    """

    id: str
    name: str
    profession: str
    rpps: str = ""
    organisation: str = ""
    gender: str = ""
    profession_code: str = ""


@dataclass(frozen=True)
class AccessRight:
    """A professional who can open the record, and whether the patient blocked them."""

    professional: Professional
    blocked: bool = False


class AccessAction(str, enum.Enum):
    """What a professional did (i18n: ``domain.access.<value>``)."""

    VIEWED_RECORD = "viewed_record"
    VIEWED_DOCUMENT = "viewed_document"
    ADDED_DOCUMENT = "added_document"
    EMERGENCY_ACCESS = "emergency_access"
    TEMPORARY_CODE = "temporary_code"

    @property
    def label_key(self) -> str:
        return f"domain.access.{self.value}"


@dataclass(frozen=True)
class AccessEvent:
    """One line of "who opened my record": who, their profession, when, what."""

    id: str
    who: str
    profession: str
    when: datetime
    action: AccessAction
    document_title: str | None = None
    profession_code: str = ""


# -------------------------------------------------------------- messages


@dataclass(frozen=True)
class Message:
    """One message. ``sender`` is the professional, or None when ``from_patient``.

    ``attachments`` are document ids, opened with ``get_document`` /
    ``get_document_content``.
    """

    id: str
    thread_id: str
    sender: Professional | None
    date: datetime
    body: str
    read: bool = False
    attachments: tuple[str, ...] = ()
    from_patient: bool = False


@dataclass(frozen=True)
class MessageThread:
    """A conversation started by a professional, with every message oldest first."""

    id: str
    subject: str
    professional: Professional
    messages: tuple[Message, ...]

    @property
    def unread_count(self) -> int:
        return sum(1 for m in self.messages if not m.read and not m.from_patient)

    @property
    def last_date(self) -> datetime:
        return max(m.date for m in self.messages)


def new_idempotency_key() -> str:
    """A client-made id for a write, reused on retry so the write happens once."""
    return uuid.uuid4().hex


# ---------------------------------------------------------------- agenda


@dataclass(frozen=True)
class Appointment:
    """An upcoming appointment: who, where, when, what for, what to bring.

    ``kind_code`` (HL7 v2-0276: "FOLLOWUP", "CHECKUP"…) and ``profession_code`` are shown
    through the catalogues (kiosk.core.labels); ``kind`` and ``profession`` are the
    backend's own words, shown for a code the kiosk does not know.
    """

    id: str
    who: str
    profession: str
    place: str
    address: str
    start: datetime
    duration: timedelta
    reason: str
    to_bring: tuple[str, ...] = ()
    profession_code: str = ""
    kind_code: str = ""
    kind: str = ""

    @property
    def end(self) -> datetime:
        return self.start + self.duration


class ReminderKind(str, enum.Enum):
    VACCINATION = "vaccination"
    SCREENING = "screening"

    @property
    def label_key(self) -> str:
        return f"domain.reminder.{self.value}"


@dataclass(frozen=True)
class Reminder:
    """A vaccination or screening reminder: what, when it is due, what it is for."""

    id: str
    kind: ReminderKind
    title: str
    due: date
    purpose: str


# --------------------------------------------------------- temporary codes

#: Alphabet of temporary codes: digits and capitals, minus 0 O 1 I L U (easy to read aloud and type).
ACCESS_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
ACCESS_CODE_LENGTH = 10
ACCESS_CODE_GROUP = 5
#: log2(30) * 10 = 49 bits.
ACCESS_CODE_ENTROPY_BITS = ACCESS_CODE_LENGTH * math.log2(len(ACCESS_CODE_ALPHABET))


def generate_access_code() -> str:
    """A new temporary access code from ``secrets``, grouped for reading: "7KQ3M-XP4RA"."""
    raw = "".join(secrets.choice(ACCESS_CODE_ALPHABET) for _ in range(ACCESS_CODE_LENGTH))
    return format_access_code(raw)


def format_access_code(raw: str) -> str:
    clean = normalise_access_code(raw)
    return "-".join(clean[i : i + ACCESS_CODE_GROUP] for i in range(0, len(clean), ACCESS_CODE_GROUP))


def normalise_access_code(text: str) -> str:
    """Upper-case, without spaces or dashes: what a professional may type back."""
    return "".join(ch for ch in text.upper() if ch not in " -")


@dataclass(frozen=True)
class TemporaryAccessCode:
    """A time-limited code the patient gives a professional; revocable."""

    code: str
    duration: timedelta
    created: datetime
    expires: datetime
    revoked: bool = False

    def is_active(self, now: datetime) -> bool:
        return not self.revoked and now < self.expires

    def remaining(self, now: datetime) -> timedelta:
        if not self.is_active(now):
            return timedelta(0)
        return self.expires - now

    def __repr__(self) -> str:
        return f"TemporaryAccessCode(<hidden>, expires={self.expires.isoformat()}, revoked={self.revoked})"


# ---------------------------------------------------------- space status


class SpaceState(str, enum.Enum):
    ACTIVE = "active"
    OPPOSED = "opposed"
    CLOSED = "closed"

    @property
    def label_key(self) -> str:
        return f"domain.space.{self.value}"


@dataclass(frozen=True)
class SpaceStatus:
    """State of the space. ``since`` is when it entered that state (creation date when active).

    ``deletion_requested`` means the patient asked, on closing, that the
    documents be deleted (within 3 months); otherwise they are kept 10 years.
    """

    state: SpaceState
    since: date
    deletion_requested: bool = False

    @property
    def is_active(self) -> bool:
        return self.state is SpaceState.ACTIVE


# ----------------------------------------------------------------- paging


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a longer list. ``page`` counts from 1; ``total`` counts every item."""

    items: tuple[T, ...]
    page: int
    page_size: int
    total: int

    @property
    def page_count(self) -> int:
        return max(1, math.ceil(self.total / self.page_size)) if self.page_size else 1

    @property
    def has_next(self) -> bool:
        return self.page * self.page_size < self.total

    @property
    def has_previous(self) -> bool:
        return self.page > 1


def paginate(items: list[T] | tuple[T, ...], page: int, page_size: int) -> Page[T]:
    """Slice an already-sorted sequence; a page past the end is empty (no error)."""
    start = (page - 1) * page_size
    return Page(items=tuple(items[start : start + page_size]), page=page, page_size=page_size, total=len(items))


# ------------------------------------------------------------ identifiers


def ins_is_well_formed(identifier: str) -> bool:
    """15 digits whose last 2 are the NIR control key (97 - number mod 97).

    Corsican department letters (2A / 2B) are accepted as the NIR allows.
    """
    if len(identifier) != 15:
        return False
    body, key = identifier[:13], identifier[13:]
    if not key.isdigit():
        return False
    dept = body[5:7]
    if dept == "2A":
        number_text = body[:5] + "19" + body[7:]
        offset = 1000000
    elif dept == "2B":
        number_text = body[:5] + "18" + body[7:]
        offset = 2000000
    else:
        number_text, offset = body, 0
    if not number_text.isdigit():
        return False
    number = int(number_text) - offset
    return 97 - number % 97 == int(key)


def ins_with_key(body13: str) -> str:
    """Append the control key to 13 digits (used to make fictional identifiers)."""
    if len(body13) != 13 or not body13.isdigit():
        raise ValueError("13 digits expected")
    return body13 + f"{97 - int(body13) % 97:02d}"


__all__ = [
    "ACCESS_CODE_ALPHABET",
    "ACCESS_CODE_ENTROPY_BITS",
    "AccessAction",
    "AccessEvent",
    "AccessRight",
    "Appointment",
    "Category",
    "Document",
    "DocumentContent",
    "LabAssessment",
    "LabValue",
    "Message",
    "MessageThread",
    "Page",
    "Patient",
    "PatientSession",
    "Professional",
    "Reminder",
    "ReminderKind",
    "SignInChallenge",
    "SpaceState",
    "SpaceStatus",
    "TemporaryAccessCode",
    "assess_lab_value",
    "format_access_code",
    "generate_access_code",
    "ins_is_well_formed",
    "ins_with_key",
    "new_idempotency_key",
    "normalise_access_code",
    "paginate",
]
