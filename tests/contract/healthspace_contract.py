"""The one contract every HealthSpace implementation passes (demo, FHIR, ...).

Use it by subclassing ``HealthSpaceContract`` in a ``test_*.py`` file and
providing three fixtures:

- ``space``: the implementation, signed out, over seeded data;
- ``known``: a :class:`KnownData` naming the seeded patients by role;
- ``offline``: an :class:`OfflineSetup`, the same kind of space when the
  service cannot be reached, with a session that was valid before.

The seeded data must hold the patients described in ``KnownData`` (the demo
data does: see tests/contract/known.py). Tests undo what they change when the
port allows it; the changes that cannot be undone (closing, opposing, lockout,
reading, replying) use dedicated patients or hold in any order, so a server
seeded once per test run works.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Callable, Iterator

import pytest

from kiosk.core import labels, ports
from kiosk.core.errors import HealthSpaceError, NotAllowed, NotFound, Rejected, SignInFailed, Unavailable
from kiosk.core.models import (
    ACCESS_CODE_ALPHABET,
    AccessAction,
    Category,
    LabAssessment,
    MessageThread,
    Page,
    PatientSession,
    ReminderKind,
    SpaceState,
    new_idempotency_key,
    normalise_access_code,
)
from kiosk.core.ports import HealthSpace


@dataclass(frozen=True)
class KnownData:
    """Seeded patients, by role (each a 15-digit identifier), and how to sign them in."""

    now: datetime  # the implementation's clock time during the tests
    code_for: Callable[[str], str]  # the one-time code the backend "sent" to that identifier
    rich: str  # many documents of several categories (text, PDF, image, lab results), unread threads, agenda
    empty: str  # no document, no thread, no access event
    privacy: str  # a hidden document, a blocked professional, emergency access off
    closed: str  # space closed
    large: str  # ``large_count`` documents, more than 20 access events
    large_count: int
    child: str  # a child's profile, with a representative
    closable: str  # active; the suite closes it
    opposable: str  # active; the suite opposes it
    lockable: str  # active; the suite locks its sign-in
    unknown: str  # well-formed, belongs to nobody
    malformed: tuple[str, ...] = ("", "12345", "2440399999001AB", "244039999900169", "abcdefghijklmno")


@dataclass(frozen=True)
class OfflineSetup:
    space: HealthSpace
    session: PatientSession  # valid before the service went away


def expect(error_type: type[HealthSpaceError], key: str | None = None):
    """pytest.raises for a typed error, checking its key (the base key when None)."""

    @contextlib.contextmanager
    def checker() -> Iterator[None]:
        with pytest.raises(error_type) as info:
            yield
        assert info.value.key == (key or error_type.base_key)

    return checker()


def wrong_code(known: KnownData, identifier: str, length: int) -> str:
    right = known.code_for(identifier)
    return next(c * length for c in "0123456789" if c * length != right)


def assert_newest_first(items, key) -> None:
    pairs = [(key(i), i.id) for i in items]
    for (d1, id1), (d2, id2) in zip(pairs, pairs[1:]):
        assert d1 > d2 or (d1 == d2 and id1 < id2), "not newest first, ties by id"


class HealthSpaceContract:
    """Base class: every test here runs on each implementation."""

    # ------------------------------------------------------ fixtures to provide
    @pytest.fixture
    def space(self) -> HealthSpace:
        raise NotImplementedError

    @pytest.fixture
    def known(self) -> KnownData:
        raise NotImplementedError

    @pytest.fixture
    def offline(self) -> OfflineSetup:
        raise NotImplementedError

    # ------------------------------------------------------------- helpers
    @staticmethod
    def sign_in(space: HealthSpace, known: KnownData, identifier: str) -> PatientSession:
        challenge = space.start_sign_in(identifier)
        return space.finish_sign_in(challenge.handle, known.code_for(identifier))

    @pytest.fixture
    def rich(self, space, known) -> PatientSession:
        return self.sign_in(space, known, known.rich)

    @pytest.fixture
    def empty(self, space, known) -> PatientSession:
        return self.sign_in(space, known, known.empty)

    @pytest.fixture
    def privacy(self, space, known) -> PatientSession:
        return self.sign_in(space, known, known.privacy)

    @pytest.fixture
    def large(self, space, known) -> PatientSession:
        return self.sign_in(space, known, known.large)

    @staticmethod
    def all_documents(space, session, category=None):
        docs, page = [], 1
        while True:
            result = space.list_documents(session, category=category, page=page, page_size=ports.MAX_PAGE_SIZE)
            docs += result.items
            if not result.has_next:
                return docs
            page += 1

    # ============================================================== sign-in
    def test_is_a_health_space(self, space):
        assert isinstance(space, HealthSpace)

    def test_sign_in_gives_the_patient_of_the_identifier(self, space, known):
        challenge = space.start_sign_in(known.rich)
        assert challenge.handle and challenge.code_length == len(known.code_for(known.rich))
        assert challenge.channel in ("sms", "email")
        assert challenge.expires > known.now
        session = space.finish_sign_in(challenge.handle, known.code_for(known.rich))
        assert session.token
        assert session.patient.ins == known.rich
        assert session.patient.display_name
        assert known.rich not in repr(session) and session.token not in repr(session)

    @pytest.mark.parametrize("role", ["rich", "empty", "privacy", "closed", "large", "child"])
    def test_every_seeded_patient_can_sign_in(self, space, known, role):
        identifier = getattr(known, role)
        session = self.sign_in(space, known, identifier)
        assert session.patient.ins == identifier
        assert space.get_space_status(session).state is (SpaceState.CLOSED if role == "closed" else SpaceState.ACTIVE)

    def test_identifier_with_spaces_is_accepted(self, space, known):
        spaced = " ".join(known.rich[i : i + 3] for i in range(0, 15, 3))
        challenge = space.start_sign_in(spaced)
        assert space.finish_sign_in(challenge.handle, known.code_for(known.rich)).patient.ins == known.rich

    def test_child_profile_names_its_representative(self, space, known):
        session = self.sign_in(space, known, known.child)
        assert session.patient.representative
        assert session.patient.age_on(known.now.date()) < 18

    def test_malformed_identifier_is_rejected(self, space, known):
        for identifier in known.malformed:
            with expect(Rejected, "errors.rejected.identifier"):
                space.start_sign_in(identifier)

    def test_unknown_identifier_fails_sign_in(self, space, known):
        with expect(SignInFailed, "errors.sign_in_failed.unknown_identifier"):
            space.start_sign_in(known.unknown)

    def test_wrong_code_says_attempts_left_and_the_right_one_still_works(self, space, known):
        challenge = space.start_sign_in(known.rich)
        wrong = wrong_code(known, known.rich, challenge.code_length)
        with expect(SignInFailed):
            space.finish_sign_in(challenge.handle, wrong)
        with pytest.raises(SignInFailed) as info:
            space.finish_sign_in(challenge.handle, wrong)
        assert info.value.attempts_left == ports.MAX_CODE_ATTEMPTS - 2
        assert wrong not in str(info.value) and known.rich not in str(info.value)
        session = space.finish_sign_in(challenge.handle, known.code_for(known.rich))
        assert session.patient.ins == known.rich

    def test_too_many_wrong_codes_lock_the_identifier_only(self, space, known):
        challenge = space.start_sign_in(known.lockable)
        wrong = wrong_code(known, known.lockable, challenge.code_length)
        for attempt in range(1, ports.MAX_CODE_ATTEMPTS):
            with pytest.raises(SignInFailed) as info:
                space.finish_sign_in(challenge.handle, wrong)
            assert info.value.key == "errors.sign_in_failed"
            assert info.value.attempts_left == ports.MAX_CODE_ATTEMPTS - attempt
        with pytest.raises(NotAllowed) as info:
            space.finish_sign_in(challenge.handle, wrong)
        assert info.value.key == "errors.not_allowed.locked"
        assert 0 < info.value.retry_after <= ports.LOCKOUT.total_seconds()
        with expect(NotAllowed, "errors.not_allowed.locked"):  # even the right code
            space.finish_sign_in(challenge.handle, known.code_for(known.lockable))
        with expect(NotAllowed, "errors.not_allowed.locked"):  # even a new challenge
            space.start_sign_in(known.lockable)
        assert self.sign_in(space, known, known.rich).patient.ins == known.rich

    def test_failures_are_counted_across_challenges(self, space, known):
        first = space.start_sign_in(known.rich)
        wrong = wrong_code(known, known.rich, first.code_length)
        with pytest.raises(SignInFailed):
            space.finish_sign_in(first.handle, wrong)
        second = space.start_sign_in(known.rich)
        with pytest.raises(SignInFailed) as info:
            space.finish_sign_in(second.handle, wrong)
        assert info.value.attempts_left == ports.MAX_CODE_ATTEMPTS - 2
        space.finish_sign_in(second.handle, known.code_for(known.rich))  # a success resets the count
        third = space.start_sign_in(known.rich)
        with pytest.raises(SignInFailed) as info:
            space.finish_sign_in(third.handle, wrong)
        assert info.value.attempts_left == ports.MAX_CODE_ATTEMPTS - 1

    def test_a_handle_works_once_and_unknown_handles_fail(self, space, known):
        challenge = space.start_sign_in(known.rich)
        space.finish_sign_in(challenge.handle, known.code_for(known.rich))
        with expect(SignInFailed, "errors.sign_in_failed.expired"):
            space.finish_sign_in(challenge.handle, known.code_for(known.rich))
        with expect(SignInFailed, "errors.sign_in_failed.expired"):
            space.finish_sign_in("no-such-handle", known.code_for(known.rich))

    def test_sign_out_ends_the_session(self, space, rich):
        space.list_threads(rich)
        space.sign_out(rich)
        with expect(NotAllowed, "errors.not_allowed.signed_out"):
            space.list_documents(rich)
        with expect(NotAllowed, "errors.not_allowed.signed_out"):
            space.get_space_status(rich)
        space.sign_out(rich)  # twice is fine

    def test_forged_session_is_refused(self, space, rich):
        forged = PatientSession("forged-token", rich.patient)
        with expect(NotAllowed, "errors.not_allowed.signed_out"):
            space.list_documents(forged)

    def test_two_sessions_are_independent(self, space, known, rich):
        before = space.list_documents(rich).total
        other = self.sign_in(space, known, known.privacy)
        assert other.token != rich.token and other.patient != rich.patient
        assert space.list_documents(other).total != before
        space.sign_out(other)
        assert space.list_documents(rich).total == before
        with expect(NotAllowed, "errors.not_allowed.signed_out"):
            space.list_documents(other)

    # ========================================================= forgetting
    def test_forget_ends_every_session_and_pending_sign_in(self, space, known, rich):
        other = self.sign_in(space, known, known.privacy)
        space.list_documents(rich, page=1, page_size=5)
        space.list_documents(rich, page=2, page_size=5)  # a paging link is kept for the next page
        pending = space.start_sign_in(known.empty)
        space.forget()
        for session in (rich, other):
            with expect(NotAllowed, "errors.not_allowed.signed_out"):
                space.list_documents(session, page=2, page_size=5)
            with expect(NotAllowed, "errors.not_allowed.signed_out"):
                space.get_space_status(session)
        with expect(SignInFailed, "errors.sign_in_failed.expired"):
            space.finish_sign_in(pending.handle, known.code_for(known.empty))
        space.sign_out(rich)  # signing out a forgotten session is fine
        space.forget()  # and forgetting twice
        again = self.sign_in(space, known, known.rich)  # the next person signs in as before
        assert space.list_documents(again, page=2, page_size=5).total > 5

    def test_forget_keeps_wrong_code_counts(self, space, known):
        challenge = space.start_sign_in(known.lockable)
        wrong = wrong_code(known, known.lockable, challenge.code_length)
        for _ in range(1, ports.MAX_CODE_ATTEMPTS):
            with pytest.raises(SignInFailed):
                space.finish_sign_in(challenge.handle, wrong)
        space.forget()  # leaving and coming back does not undo the count
        challenge = space.start_sign_in(known.lockable)
        with expect(NotAllowed, "errors.not_allowed.locked"):
            space.finish_sign_in(challenge.handle, wrong)
        with expect(NotAllowed, "errors.not_allowed.locked"):
            space.start_sign_in(known.lockable)

    # ============================================================ documents
    def test_documents_newest_first_and_pages_do_not_overlap(self, space, rich):
        first = space.list_documents(rich, page=1, page_size=5)
        second = space.list_documents(rich, page=2, page_size=5)
        assert isinstance(first, Page) and first.page == 1 and first.page_size == 5
        assert len(first.items) == 5 and first.total > 10
        assert first.has_next and not first.has_previous and second.has_previous
        both = first.items + second.items
        assert len({d.id for d in both}) == 10
        assert_newest_first(both, lambda d: d.date)
        assert all(d.date.tzinfo is not None for d in both)

    def test_whole_list_is_the_sum_of_its_pages(self, space, rich):
        total = space.list_documents(rich).total
        docs = self.all_documents(space, rich)
        assert len(docs) == total == len({d.id for d in docs})
        assert_newest_first(docs, lambda d: d.date)

    def test_last_partial_page_and_page_past_the_end(self, space, rich):
        total = space.list_documents(rich).total
        size = 7 if total % 7 else 6
        last = -(-total // size)
        page = space.list_documents(rich, page=last, page_size=size)
        assert len(page.items) == total - (last - 1) * size > 0
        assert not page.has_next and page.page_count == last
        beyond = space.list_documents(rich, page=last + 1, page_size=size)
        assert beyond.items == () and beyond.total == total and not beyond.has_next
        far = space.list_documents(rich, page=10_000, page_size=size)
        assert far.items == () and far.total == total

    def test_page_size_limits(self, space, rich):
        assert len(space.list_documents(rich, page_size=1).items) == 1
        assert space.list_documents(rich, page_size=ports.MAX_PAGE_SIZE).page_size == ports.MAX_PAGE_SIZE
        assert space.list_documents(rich).page_size == ports.DEFAULT_PAGE_SIZE
        for page, size in ((1, 0), (1, -1), (1, ports.MAX_PAGE_SIZE + 1), (0, 10), (-1, 10)):
            with expect(Rejected, "errors.rejected.paging"):
                space.list_documents(rich, page=page, page_size=size)

    def test_empty_patient_has_an_empty_first_page(self, space, empty):
        page = space.list_documents(empty)
        assert page.items == () and page.total == 0 and page.page == 1
        assert not page.has_next and page.page_count == 1
        assert space.list_documents(empty, page=2).items == ()
        assert set(space.document_counts(empty).values()) == {0}

    def test_category_filter_and_counts_agree(self, space, rich):
        counts = space.document_counts(rich)
        assert set(counts) == set(Category)
        assert sum(counts.values()) == space.list_documents(rich).total
        assert sum(1 for n in counts.values() if n) >= 4
        for category, count in counts.items():
            docs = self.all_documents(space, rich, category=category)
            assert len(docs) == count
            assert all(d.category is category for d in docs)
            assert_newest_first(docs, lambda d: d.date)

    def test_one_document_matches_the_list(self, space, rich):
        for listed in space.list_documents(rich, page_size=ports.MAX_PAGE_SIZE).items:
            assert space.get_document(rich, listed.id) == listed

    def test_text_pdf_image_and_lab_contents(self, space, rich):
        docs = self.all_documents(space, rich)
        kinds = {d.media_type for d in docs}
        assert {"text/plain", "application/pdf"} <= kinds and any(k.startswith("image/") for k in kinds)
        for doc in docs:
            content = space.get_document_content(rich, doc.id)
            assert content.media_type == doc.media_type
            if content.is_text:
                assert content.pages and all(p.strip() for p in content.pages) and content.data is None
            else:
                assert content.data and not content.pages
            if doc.media_type == "application/pdf":
                assert content.data.startswith(b"%PDF-")
            if doc.media_type == "image/png":
                assert content.data.startswith(b"\x89PNG")
        labs = [v for d in docs for v in d.lab_results]
        assert {v.assessment for v in labs} >= {LabAssessment.WITHIN, LabAssessment.ABOVE}
        for value in labs:
            assert value.name and value.unit and (value.low is not None or value.high is not None)

    def test_prescriptions_have_dosage_in_words(self, space, rich):
        prescriptions = self.all_documents(space, rich, category=Category.ORDONNANCE)
        assert prescriptions
        text = " ".join(" ".join(space.get_document_content(rich, d.id).pages) for d in prescriptions)
        assert "comprimé" in text and "pendant" in text

    def test_coded_data_carries_codes_the_kiosk_has_words_for(self, space, rich):
        """Document types, lab tests, professions and appointment kinds come with their code
        (said through the catalogues, kiosk.core.labels) and the service's own words beside it."""
        docs = self.all_documents(space, rich)
        assert all(labels.document_type_key(d.type_code) and d.type for d in docs if d.category is not Category.AUTRE)
        lab_values = [v for d in docs for v in d.lab_results]
        assert lab_values and all(labels.lab_test_key(v.code) and v.name for v in lab_values)
        people = [t.professional for t in space.list_threads(rich)] + [
            r.professional for r in space.list_access_rights(rich)]
        people += list(space.list_access_events(rich, page_size=ports.MAX_PAGE_SIZE).items)
        assert people and all(labels.profession_key(p.profession_code) and p.profession for p in people)
        appointments = space.list_appointments(rich)
        assert appointments and all(labels.profession_key(a.profession_code) for a in appointments)
        assert all(labels.appointment_kind_key(a.kind_code) for a in appointments)
        genders = {t.professional.gender for t in space.list_threads(rich)}
        assert {"female", "male"} <= genders  # the gendered words have what they need

    def test_unknown_document_is_not_found(self, space, rich):
        for call in (space.get_document, space.get_document_content, space.hide_document, space.show_document):
            with expect(NotFound):
                call(rich, "no-such-document")

    def test_another_patients_document_is_not_found(self, space, known, rich, privacy):
        theirs = space.list_documents(privacy).items[0].id
        with expect(NotFound):
            space.get_document(rich, theirs)
        with expect(NotFound):
            space.get_document_content(rich, theirs)
        with expect(NotFound):
            space.hide_document(rich, theirs)

    def test_hide_and_show_a_document(self, space, rich):
        doc = next(d for d in space.list_documents(rich).items if not d.hidden_from_professionals)
        try:
            hidden = space.hide_document(rich, doc.id)
            assert hidden.hidden_from_professionals and hidden.id == doc.id
            assert space.hide_document(rich, doc.id).hidden_from_professionals  # idempotent
            assert space.get_document(rich, doc.id).hidden_from_professionals
            listed = {d.id: d for d in self.all_documents(space, rich)}
            assert listed[doc.id].hidden_from_professionals
        finally:
            shown = space.show_document(rich, doc.id)
        assert not shown.hidden_from_professionals
        assert not space.show_document(rich, doc.id).hidden_from_professionals
        assert space.get_document(rich, doc.id) == doc

    def test_privacy_patient_has_a_hidden_document(self, space, privacy):
        docs = self.all_documents(space, privacy)
        assert any(d.hidden_from_professionals for d in docs)
        assert any(not d.hidden_from_professionals for d in docs)

    def test_large_patient_pages(self, space, known, large):
        size = 20
        first = space.list_documents(large, page_size=size)
        assert first.total == known.large_count and len(first.items) == size
        last_number = -(-known.large_count // size)
        last = space.list_documents(large, page=last_number, page_size=size)
        assert len(last.items) == known.large_count - (last_number - 1) * size
        assert space.list_documents(large, page=last_number + 1, page_size=size).items == ()
        middle = space.list_documents(large, page=10, page_size=size)
        after = space.list_documents(large, page=11, page_size=size)
        assert_newest_first(middle.items + after.items, lambda d: d.date)
        assert sum(space.document_counts(large).values()) == known.large_count
        assert first.items[0].date >= last.items[-1].date

    # ============================================================= messages
    def test_threads_unread_first_then_newest(self, space, rich):
        threads = space.list_threads(rich)
        assert all(isinstance(t, MessageThread) for t in threads)
        assert any(t.unread_count for t in threads) and any(not t.unread_count for t in threads)
        flags = [t.unread_count == 0 for t in threads]
        assert flags == sorted(flags), "unread threads first"
        for group in (True, False):
            part = [t for t in threads if (t.unread_count == 0) is group]
            assert_newest_first(part, lambda t: t.last_date)

    def test_threads_come_from_professionals_with_attachments_that_open(self, space, rich):
        threads = space.list_threads(rich)
        professions = {t.professional.profession for t in threads}
        assert len(professions) >= 3
        attachments = [a for t in threads for m in t.messages for a in m.attachments]
        assert attachments
        for document_id in attachments:
            assert space.get_document(rich, document_id).id == document_id
            assert space.get_document_content(rich, document_id)
        for thread in threads:
            assert [m.date for m in thread.messages] == sorted(m.date for m in thread.messages)
            assert thread.messages[0].sender == thread.professional and not thread.messages[0].from_patient
            for message in thread.messages:
                assert message.thread_id == thread.id and message.body.strip()
                assert (message.sender is None) == message.from_patient

    def test_get_thread_does_not_mark_read(self, space, rich):
        thread = next(t for t in space.list_threads(rich) if t.unread_count)
        again = space.get_thread(rich, thread.id)
        assert again.unread_count == thread.unread_count

    def test_mark_thread_read(self, space, rich):
        thread = next(t for t in space.list_threads(rich) if t.unread_count)
        marked = space.mark_thread_read(rich, thread.id)
        assert marked.unread_count == 0 and all(m.read for m in marked.messages)
        assert space.mark_thread_read(rich, thread.id).unread_count == 0
        assert space.get_thread(rich, thread.id).unread_count == 0
        assert next(t for t in space.list_threads(rich) if t.id == thread.id).unread_count == 0

    def test_empty_patient_has_no_thread(self, space, empty):
        assert space.list_threads(empty) == []

    def test_unknown_thread_is_not_found(self, space, rich, privacy):
        theirs = space.list_threads(privacy)[0].id
        for thread_id in ("no-such-thread", theirs):
            with expect(NotFound):
                space.get_thread(rich, thread_id)
            with expect(NotFound):
                space.mark_thread_read(rich, thread_id)
            with expect(NotFound):
                space.reply(rich, thread_id, "Merci.", idempotency_key=new_idempotency_key())

    def test_reply_shows_in_the_thread_once(self, space, rich):
        thread = space.list_threads(rich)[0]
        key = new_idempotency_key()
        message = space.reply(rich, thread.id, "  Merci, j'ai bien reçu.  ", idempotency_key=key)
        assert message.from_patient and message.sender is None and message.read
        assert message.body == "Merci, j'ai bien reçu." and message.thread_id == thread.id
        again = space.reply(rich, thread.id, "Merci, j'ai bien reçu.", idempotency_key=key)
        assert again.id == message.id
        after = space.get_thread(rich, thread.id)
        assert len(after.messages) == len(thread.messages) + 1
        assert after.messages[-1].id == message.id and after.messages[-1].body == message.body

    def test_same_key_for_another_reply_is_rejected(self, space, rich):
        thread = space.list_threads(rich)[0]
        key = new_idempotency_key()
        space.reply(rich, thread.id, "Je voudrais un rendez-vous.", idempotency_key=key)
        with expect(Rejected, "errors.rejected.idempotency_key"):
            space.reply(rich, thread.id, "Pouvez-vous me rappeler ?", idempotency_key=key)

    def test_bad_replies_are_rejected_and_not_added(self, space, rich):
        thread = space.list_threads(rich)[0]
        with expect(Rejected, "errors.rejected.message_empty"):
            space.reply(rich, thread.id, "   \n ", idempotency_key=new_idempotency_key())
        with expect(Rejected, "errors.rejected.message_too_long"):
            space.reply(rich, thread.id, "a" * (ports.MAX_MESSAGE_LENGTH + 1), idempotency_key=new_idempotency_key())
        for key in ("", "k" * (ports.MAX_IDEMPOTENCY_KEY_LENGTH + 1)):
            with expect(Rejected, "errors.rejected.idempotency_key"):
                space.reply(rich, thread.id, "Merci.", idempotency_key=key)
        assert len(space.get_thread(rich, thread.id).messages) == len(thread.messages)
        longest = space.reply(rich, thread.id, "b" * ports.MAX_MESSAGE_LENGTH, idempotency_key=new_idempotency_key())
        assert len(longest.body) == ports.MAX_MESSAGE_LENGTH

    # ================================================================ agenda
    def test_appointments_upcoming_soonest_first(self, space, known, rich):
        appointments = space.list_appointments(rich)
        assert len(appointments) >= 2
        starts = [a.start for a in appointments]
        assert starts == sorted(starts) and all(s >= known.now for s in starts)
        for a in appointments:
            assert a.who and a.place and a.address and a.reason and a.to_bring
            assert a.end > a.start

    def test_reminders_by_due_date(self, space, rich):
        reminders = space.list_reminders(rich)
        assert {r.kind for r in reminders} == set(ReminderKind)
        assert [r.due for r in reminders] == sorted(r.due for r in reminders)
        assert all(r.title and r.purpose for r in reminders)

    def test_empty_patient_has_no_appointment(self, space, empty):
        assert space.list_appointments(empty) == []
        assert isinstance(space.list_reminders(empty), list)

    # ===================================================== who sees my data
    def test_access_rights_by_name(self, space, rich, privacy):
        rights = space.list_access_rights(rich)
        assert len(rights) >= 3 and not any(r.blocked for r in rights)
        names = [r.professional.name.casefold() for r in rights]
        assert names == sorted(names)
        assert all(r.professional.id and r.professional.profession for r in rights)
        assert any(r.blocked for r in space.list_access_rights(privacy))

    def test_block_and_unblock(self, space, rich):
        target = space.list_access_rights(rich)[0].professional
        try:
            blocked = space.block_professional(rich, target.id)
            assert blocked.blocked and blocked.professional == target
            assert space.block_professional(rich, target.id).blocked
            assert next(r for r in space.list_access_rights(rich) if r.professional.id == target.id).blocked
        finally:
            unblocked = space.unblock_professional(rich, target.id)
        assert not unblocked.blocked
        assert not space.unblock_professional(rich, target.id).blocked
        assert not any(r.blocked for r in space.list_access_rights(rich))

    def test_block_unknown_professional_is_not_found(self, space, rich):
        with expect(NotFound):
            space.block_professional(rich, "no-such-professional")
        with expect(NotFound):
            space.unblock_professional(rich, "no-such-professional")

    def test_emergency_access(self, space, rich, privacy):
        assert space.get_emergency_access(rich) is True
        assert space.get_emergency_access(privacy) is False
        try:
            assert space.set_emergency_access(rich, False) is False
            assert space.get_emergency_access(rich) is False
            assert space.set_emergency_access(rich, False) is False
        finally:
            assert space.set_emergency_access(rich, True) is True
        assert space.get_emergency_access(rich) is True

    def test_access_history_paged_newest_first(self, space, rich, empty, large):
        events = space.list_access_events(rich, page_size=ports.MAX_PAGE_SIZE)
        assert events.total >= 3
        assert_newest_first(events.items, lambda e: e.when)
        assert all(isinstance(e.action, AccessAction) and e.who and e.profession for e in events.items)
        assert any(e.document_title for e in events.items)
        none = space.list_access_events(empty)
        assert none.items == () and none.total == 0
        first = space.list_access_events(large)
        assert first.total > ports.DEFAULT_PAGE_SIZE and len(first.items) == ports.DEFAULT_PAGE_SIZE
        last_number = first.page_count
        last = space.list_access_events(large, page=last_number)
        assert 0 < len(last.items) <= ports.DEFAULT_PAGE_SIZE and not last.has_next
        assert space.list_access_events(large, page=last_number + 1).items == ()
        for page, size in ((0, 10), (1, 0), (1, ports.MAX_PAGE_SIZE + 1)):
            with expect(Rejected, "errors.rejected.paging"):
                space.list_access_events(rich, page=page, page_size=size)

    # ====================================================== temporary codes
    def test_create_list_and_revoke_a_code(self, space, known, rich):
        created = space.create_access_code(rich, timedelta(hours=1))
        try:
            raw = normalise_access_code(created.code)
            assert len(raw) >= 8 and set(raw) <= set(ACCESS_CODE_ALPHABET)
            assert created.duration == timedelta(hours=1) and created.expires - created.created == created.duration
            assert created.is_active(created.created) and not created.revoked
            assert abs(created.created - known.now) < timedelta(days=1)
            assert created.code in [c.code for c in space.list_access_codes(rich)]
        finally:
            revoked = space.revoke_access_code(rich, created.code.lower().replace("-", " "))
        assert revoked.revoked and revoked.code == created.code
        assert space.revoke_access_code(rich, created.code).revoked  # idempotent
        assert created.code not in [c.code for c in space.list_access_codes(rich)]

    def test_codes_are_unique_and_listed_newest_first(self, space, rich):
        made = [space.create_access_code(rich, d) for d in (timedelta(days=1), timedelta(weeks=1))]
        try:
            assert made[0].code != made[1].code
            listed = space.list_access_codes(rich)
            assert [c.created for c in listed] == sorted((c.created for c in listed), reverse=True)
            assert {c.code for c in made} <= {c.code for c in listed}
        finally:
            for code in made:
                space.revoke_access_code(rich, code.code)

    def test_code_duration_must_be_allowed(self, space, rich):
        for duration in (timedelta(minutes=5), timedelta(days=30), timedelta(0)):
            with expect(Rejected, "errors.rejected.duration"):
                space.create_access_code(rich, duration)

    def test_too_many_active_codes(self, space, rich):
        before = space.list_access_codes(rich)
        made = []
        try:
            for _ in range(ports.MAX_ACTIVE_ACCESS_CODES - len(before)):
                made.append(space.create_access_code(rich, timedelta(hours=1)))
            with expect(NotAllowed, "errors.not_allowed.too_many_codes"):
                space.create_access_code(rich, timedelta(hours=1))
            space.revoke_access_code(rich, made.pop().code)
            made.append(space.create_access_code(rich, timedelta(hours=1)))
        finally:
            for code in made:
                space.revoke_access_code(rich, code.code)

    def test_revoking_an_unknown_code_is_not_found(self, space, known, rich):
        with expect(NotFound):
            space.revoke_access_code(rich, "AAAAA-AAAAA")
        other = self.sign_in(space, known, known.privacy)
        theirs = space.create_access_code(other, timedelta(hours=1))
        try:
            with expect(NotFound):
                space.revoke_access_code(rich, theirs.code)
        finally:
            space.revoke_access_code(other, theirs.code)

    # ========================================================= space status
    def test_active_space_status(self, space, known, rich):
        status = space.get_space_status(rich)
        assert status.state is SpaceState.ACTIVE and status.is_active
        assert status.since <= known.now.date()

    def test_closed_space_shows_only_its_status(self, space, known):
        session = self.sign_in(space, known, known.closed)
        status = space.get_space_status(session)
        assert status.state is SpaceState.CLOSED and status.since <= known.now.date()
        calls = [
            lambda: space.list_documents(session),
            lambda: space.document_counts(session),
            lambda: space.list_threads(session),
            lambda: space.list_appointments(session),
            lambda: space.list_reminders(session),
            lambda: space.list_access_rights(session),
            lambda: space.get_emergency_access(session),
            lambda: space.list_access_events(session),
            lambda: space.list_access_codes(session),
            lambda: space.create_access_code(session, timedelta(hours=1)),
            lambda: space.close_space(session),
            lambda: space.oppose_space(session),
        ]
        for call in calls:
            with expect(NotAllowed, "errors.not_allowed.space_closed"):
                call()

    def test_close_a_space(self, space, known):
        session = self.sign_in(space, known, known.closable)
        status = space.close_space(session, delete_documents=False)
        assert status.state is SpaceState.CLOSED and not status.deletion_requested
        assert abs(status.since - known.now.date()) <= timedelta(days=1)
        assert space.get_space_status(session) == status
        with expect(NotAllowed, "errors.not_allowed.space_closed"):
            space.list_documents(session)
        with expect(NotAllowed, "errors.not_allowed.space_closed"):
            space.close_space(session)
        again = self.sign_in(space, known, known.closable)
        assert space.get_space_status(again).state is SpaceState.CLOSED
        with expect(NotAllowed, "errors.not_allowed.space_closed"):
            space.list_access_codes(again)

    def test_oppose_a_space(self, space, known):
        session = self.sign_in(space, known, known.opposable)
        status = space.oppose_space(session)
        assert status.state is SpaceState.OPPOSED and status.deletion_requested
        assert space.get_space_status(session).state is SpaceState.OPPOSED
        with expect(NotAllowed, "errors.not_allowed.space_closed"):
            space.list_threads(session)

    # ============================================================== offline
    def test_offline_reads_and_writes_raise_unavailable(self, offline, known):
        space, session = offline.space, offline.session
        with expect(Unavailable):
            space.start_sign_in(known.rich)
        with expect(Unavailable):
            space.list_documents(session)
        with expect(Unavailable):
            space.list_threads(session)
        with expect(Unavailable, "errors.unavailable.not_sent"):
            space.reply(session, "any-thread", "Merci.", idempotency_key=new_idempotency_key())
        with expect(Unavailable, "errors.unavailable.not_sent"):
            space.hide_document(session, "any-document")
        with expect(Unavailable, "errors.unavailable.not_sent"):
            space.create_access_code(session, timedelta(hours=1))

    # ================================================================ errors
    def test_errors_carry_no_personal_data(self, space, known, rich):
        patient = rich.patient
        secrets_ = {patient.ins, patient.given_name, patient.family_name, rich.token, known.code_for(known.rich)}
        errors: list[HealthSpaceError] = []
        for call in (
            lambda: space.get_document(rich, "no-such-document"),
            lambda: space.start_sign_in(known.unknown),
            lambda: space.list_documents(rich, page=0),
            lambda: space.finish_sign_in("no-such-handle", known.code_for(known.rich)),
        ):
            with pytest.raises(HealthSpaceError) as info:
                call()
            errors.append(info.value)
        for error in errors:
            text = f"{error} {error!r} {error.args}"
            assert not any(s in text for s in secrets_ if s)
            assert error.key.startswith("errors.")
