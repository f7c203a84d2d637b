"""The HealthSpace port: everything the kiosk asks of "Mon espace santé".

Implemented by the demo backend (kiosk.services.backend.demo) and the FHIR
backend (kiosk.services.backend.fhir); both pass tests/contract/healthspace_contract.py.

Shared semantics (every implementation follows them; the contract suite checks them):

Sign-in, in two steps
    ``start_sign_in(identifier)`` checks the identifier (15 digits with a valid
    key, else ``Rejected("errors.rejected.identifier")``; unknown, else
    ``SignInFailed("errors.sign_in_failed.unknown_identifier")``), "sends" a
    one-time code of ``SignInChallenge.code_length`` digits and returns the
    challenge. ``finish_sign_in(handle, code)`` returns a ``PatientSession``.
    A wrong code raises ``SignInFailed`` with ``attempts_left``. Failures are
    counted per identifier (a new challenge does not reset them): the
    ``MAX_CODE_ATTEMPTS``-th consecutive failure raises
    ``NotAllowed("errors.not_allowed.locked", retry_after=seconds)`` instead,
    and for ``LOCKOUT`` both steps raise that same error for the identifier,
    even with the right code. A success resets the count. A handle is good
    for one success and ``CHALLENGE_LIFETIME``; an unknown, used or expired
    handle raises ``SignInFailed("errors.sign_in_failed.expired")``.

Sessions
    Every other method takes the ``PatientSession``; a signed-out or unknown
    token raises ``NotAllowed("errors.not_allowed.signed_out")``. When the space
    is not active (closed or opposed), only ``get_space_status`` and
    ``sign_out`` work; the rest raise ``NotAllowed("errors.not_allowed.space_closed")``.

Forgetting the person
    At the end of every kiosk session the kiosk calls ``forget()`` at once (on the
    UI thread: it is in memory only, never waits for the network and never raises),
    then ``sign_out`` for the session that was open, off the UI thread. After
    ``forget()`` the implementation holds nothing about anyone who used it: every
    token stops working, every pending sign-in handle is expired, and paging links,
    caches and patient objects are dropped. A call that was still running when
    ``forget()`` came keeps nothing either. Only what protects the service outlives
    it: wrong-code counts and lockouts, kept under a keyed fingerprint of the
    identifier, never the identifier itself.

Paging
    ``page`` counts from 1; ``page_size`` from 1 to ``MAX_PAGE_SIZE``; anything
    else raises ``Rejected("errors.rejected.paging")``. A page past the end is
    an empty page with the right ``total``. Lists are newest first, ties
    broken by id, so pages never overlap.

Writes
    Hide/show, block/unblock, emergency access are idempotent (doing it twice
    is the same as once) and return the new state. ``reply`` takes a
    client-made ``idempotency_key``: a retry with the same key returns the
    first message and adds nothing. A write that could not be done raises
    ``Unavailable("errors.unavailable.not_sent")``; a read, ``Unavailable()``.

Ids that do not exist, or belong to another patient, raise ``NotFound``.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Protocol, runtime_checkable

from kiosk.core.models import (
    AccessEvent,
    AccessRight,
    Appointment,
    Category,
    Document,
    DocumentContent,
    Message,
    MessageThread,
    Page,
    PatientSession,
    Reminder,
    SignInChallenge,
    SpaceStatus,
    TemporaryAccessCode,
)

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
MAX_CODE_ATTEMPTS = 5
LOCKOUT = timedelta(minutes=15)
CHALLENGE_LIFETIME = timedelta(minutes=10)
#: The durations a temporary access code may have (1 hour, 1 day, 1 week).
ACCESS_CODE_DURATIONS: tuple[timedelta, ...] = (timedelta(hours=1), timedelta(days=1), timedelta(weeks=1))
MAX_ACTIVE_ACCESS_CODES = 3
MAX_MESSAGE_LENGTH = 2000
MAX_IDEMPOTENCY_KEY_LENGTH = 64


@runtime_checkable
class HealthSpace(Protocol):
    # ----------------------------------------------------------- sign-in
    def start_sign_in(self, identifier: str) -> SignInChallenge:
        """Check the identifier and send a one-time code. Rejected / SignInFailed / NotAllowed(locked)."""

    def finish_sign_in(self, handle: str, code: str) -> PatientSession:
        """Check the one-time code. SignInFailed (wrong, attempts_left) / SignInFailed(expired) / NotAllowed(locked)."""

    def sign_out(self, session: PatientSession) -> None:
        """End the session; the token stops working. Never raises for an already-ended session.

        It may talk to the service (the kiosk calls it off the UI thread) and also lets go of
        the connections kept open for the session.
        """

    def forget(self) -> None:
        """Drop everything held about every person at once (see "Forgetting the person"). Never raises."""

    # --------------------------------------------------------- documents
    def list_documents(
        self,
        session: PatientSession,
        *,
        category: Category | None = None,
        page: int = 1,
        page_size: int = DEFAULT_PAGE_SIZE,
    ) -> Page[Document]:
        """Documents newest first (hidden ones included, flagged), optionally of one category."""

    def document_counts(self, session: PatientSession) -> dict[Category, int]:
        """How many documents in each category; every Category is a key (0 when none)."""

    def get_document(self, session: PatientSession, document_id: str) -> Document:
        """One document's description. NotFound."""

    def get_document_content(self, session: PatientSession, document_id: str) -> DocumentContent:
        """Its pages of text, or its binary data (PDF, image). NotFound."""

    def hide_document(self, session: PatientSession, document_id: str) -> Document:
        """Hide from professionals (its author and the GP still see it). Idempotent. NotFound."""

    def show_document(self, session: PatientSession, document_id: str) -> Document:
        """Show it to professionals again. Idempotent. NotFound."""

    # ---------------------------------------------------------- messages
    def list_threads(self, session: PatientSession) -> list[MessageThread]:
        """Threads with unread messages first, then by last message, newest first."""

    def get_thread(self, session: PatientSession, thread_id: str) -> MessageThread:
        """One thread, messages oldest first. Does not mark anything read. NotFound."""

    def mark_thread_read(self, session: PatientSession, thread_id: str) -> MessageThread:
        """Mark every message of the thread read; returns the thread. Idempotent. NotFound."""

    def reply(self, session: PatientSession, thread_id: str, body: str, *, idempotency_key: str) -> Message:
        """Send the patient's answer (stripped; 1..MAX_MESSAGE_LENGTH characters, else Rejected).

        A second call with the same ``idempotency_key`` returns the first message and adds
        nothing; the same key with another body or thread is ``Rejected("errors.rejected.idempotency_key")``.
        """

    # ------------------------------------------------------------ agenda
    def list_appointments(self, session: PatientSession) -> list[Appointment]:
        """Appointments that have not started yet (by the backend's clock), soonest first."""

    def list_reminders(self, session: PatientSession) -> list[Reminder]:
        """Vaccination and screening reminders, overdue ones included, earliest due first."""

    # --------------------------------------------------- who sees my data
    def list_access_rights(self, session: PatientSession) -> list[AccessRight]:
        """Professionals with access to the record (blocked ones included, flagged), by name."""

    def block_professional(self, session: PatientSession, professional_id: str) -> AccessRight:
        """Block one of the listed professionals. Idempotent. NotFound."""

    def unblock_professional(self, session: PatientSession, professional_id: str) -> AccessRight:
        """Unblock them. Idempotent. NotFound."""

    def get_emergency_access(self, session: PatientSession) -> bool:
        """True when emergency services may open the record."""

    def set_emergency_access(self, session: PatientSession, enabled: bool) -> bool:
        """Turn emergency access on or off; returns the new value."""

    def list_access_events(
        self, session: PatientSession, *, page: int = 1, page_size: int = DEFAULT_PAGE_SIZE
    ) -> Page[AccessEvent]:
        """Who opened the record and when, newest first."""

    # ---------------------------------------------------- temporary codes
    def create_access_code(self, session: PatientSession, duration: timedelta) -> TemporaryAccessCode:
        """A new code valid for one of ACCESS_CODE_DURATIONS (else Rejected("errors.rejected.duration")).

        At most MAX_ACTIVE_ACCESS_CODES active at once, else NotAllowed("errors.not_allowed.too_many_codes").
        """

    def revoke_access_code(self, session: PatientSession, code: str) -> TemporaryAccessCode:
        """Stop a code at once (dashes and case do not matter). Idempotent. NotFound."""

    def list_access_codes(self, session: PatientSession) -> list[TemporaryAccessCode]:
        """Codes neither revoked nor expired, newest first."""

    # -------------------------------------------------------- space status
    def get_space_status(self, session: PatientSession) -> SpaceStatus:
        """Active, opposed or closed, with the date. Works whatever the state."""

    def close_space(self, session: PatientSession, *, delete_documents: bool = False) -> SpaceStatus:
        """Ask to close the space (documents kept 10 years unless ``delete_documents``)."""

    def oppose_space(self, session: PatientSession) -> SpaceStatus:
        """Refuse the space (opposition): like closing, with the documents deleted."""


__all__ = [
    "ACCESS_CODE_DURATIONS",
    "CHALLENGE_LIFETIME",
    "DEFAULT_PAGE_SIZE",
    "HealthSpace",
    "LOCKOUT",
    "MAX_ACTIVE_ACCESS_CODES",
    "MAX_CODE_ATTEMPTS",
    "MAX_IDEMPOTENCY_KEY_LENGTH",
    "MAX_MESSAGE_LENGTH",
    "MAX_PAGE_SIZE",
]
