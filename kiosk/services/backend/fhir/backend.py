"""HealthSpace over a FHIR R4 server. Resource mapping: see mapping.py; HTTP: client.py.

Design notes (what is the server's, what is the kiosk's):

- Every read and write goes to the server; the kiosk keeps in memory only the signed-in
  sessions, the sign-in challenges and failure counts, and per-session paging links.
  Nothing is written to disk; ``sign_out`` drops the session and its cache.
- Searches are sent with ``Prefer: handling=strict`` so a server that does not know a
  parameter says so instead of silently ignoring it (which would return other
  patients' resources). Two such gaps have fallbacks: chained ``patient.identifier``
  -> ``patient`` reference; ``ImmunizationRecommendation?patient`` -> the patient
  compartment tag the seeder and the kiosk put in ``meta.tag``.
- Writes converge: each write step reads the current state, returns at once when it is
  already as asked, else writes with ``If-Match`` (JSON Patch with ``test`` operations,
  or a conditional create with ``If-None-Exist`` on a client identifier). When the
  outcome is unknown (timeout, 5xx, conflict) the step runs once more, which reads back
  and either confirms or writes again; otherwise the person gets
  ``Unavailable("errors.unavailable.not_sent")`` and can retry, or, when a write may
  have reached the server (the connection cut after sending, no answer in time),
  ``Unavailable("errors.unavailable.unknown")``. Nothing is ever reported done that the
  server did not confirm, nor "not sent" that the server may have got.
- Sign-in: the real "Mon espace santé" sends the one-time code through its own identity
  service; a FHIR server has no standard for that. :class:`SeededCodeVerifier` checks
  the code against the salted hash the seeder stored in a ``Basic`` resource: it is for
  test and training servers only. A deployment plugs its own :class:`CodeVerifier`.
  Failure counting and lockout are kept by this kiosk process (per identifier).
"""

from __future__ import annotations

import secrets
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any, Callable, Iterator, Protocol
from urllib.parse import urlencode

from kiosk.core.clock import Clock
from kiosk.core.errors import NotAllowed, NotFound, Rejected, SignInFailed, Unavailable
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
    Patient,
    PatientSession,
    Professional,
    Reminder,
    SignInChallenge,
    SpaceState,
    SpaceStatus,
    TemporaryAccessCode,
    ACCESS_CODE_ALPHABET,
    generate_access_code,
    ins_is_well_formed,
    normalise_access_code,
)
from kiosk.core.ports import (
    ACCESS_CODE_DURATIONS,
    CHALLENGE_LIFETIME,
    DEFAULT_PAGE_SIZE,
    MAX_ACTIVE_ACCESS_CODES,
    MAX_IDEMPOTENCY_KEY_LENGTH,
    MAX_MESSAGE_LENGTH,
    MAX_PAGE_SIZE,
)
from kiosk.core.sign_in_attempts import SignInAttempts
from kiosk.services.backend.fhir import mapping as m
from kiosk.services.backend.fhir.client import JSON_PATCH, UNKNOWN, ClientError, FhirClient, to_port_error
from kiosk.services.backend.fhir.mapping import MalformedResource
from kiosk.services.backend.forgetting import Epoch, keep_challenge
from kiosk.services.backend.outages import watch_outages

NOT_SENT = "errors.unavailable.not_sent"
MAX_LIST = 2000  # resources gathered for an unpaged list (threads, rights...)
STATUS_TTL_S = 30.0


# ------------------------------------------------------------------ sign-in
class CodeVerifier(Protocol):
    """Sends and checks the one-time sign-in code of a patient (by FHIR Patient id)."""

    def send(self, client: FhirClient, patient_id: str) -> tuple[str, int]:
        """Send a code; return (channel "sms"/"email", code length). NotFound if the patient has no channel."""

    def verify(self, client: FhirClient, patient_id: str, code: str) -> bool:
        """True when ``code`` is the one sent."""


class SeededCodeVerifier:
    """Test and training servers: the code is the seeded one, checked against its stored hash.

    It "sends" nothing: the seeded codes are known (shown in training mode only).
    """

    def _record(self, client: FhirClient, patient_id: str) -> tuple[str, int, str]:
        bundle = client.search("Basic", [
            ("subject", f"Patient/{patient_id}"), ("code", f"{m.KIOSK_CODES}|{m.BASIC_SIGN_IN}"),
        ])
        found = m.bundle_matches(bundle, "Basic")
        if not found:
            raise NotFound()
        return m.parse_sign_in(found[0])

    def send(self, client: FhirClient, patient_id: str) -> tuple[str, int]:
        channel, length, _ = self._record(client, patient_id)
        return channel, length

    def verify(self, client: FhirClient, patient_id: str, code: str) -> bool:
        _, _, stored = self._record(client, patient_id)
        return m.code_matches(code, stored)


# ----------------------------------------------------------------- internals
@dataclass
class _Session:
    patient: Patient
    status: SpaceStatus
    status_at: float
    links: dict = field(default_factory=dict)
    pros: dict[str, Professional] = field(default_factory=dict)


@dataclass
class _Challenge:
    patient: Patient
    expires: datetime
    used: bool = False


def _check_paging(page: Any, page_size: Any) -> None:
    for value in (page, page_size):
        if not isinstance(value, int) or isinstance(value, bool):
            raise Rejected("errors.rejected.paging")
    if page < 1 or not 1 <= page_size <= MAX_PAGE_SIZE:
        raise Rejected("errors.rejected.paging")


def _valid_id(value: Any) -> bool:
    return isinstance(value, str) and bool(m.ID_RE.match(value))


def _newest_first(items: list, key: Callable) -> list:
    return sorted(sorted(items, key=lambda i: i.id), key=key, reverse=True)


@watch_outages("fhir")
class FhirHealthSpace:
    """HealthSpace on a FHIR R4 server. See kiosk.core.ports for the shared semantics."""

    def __init__(
        self,
        client: FhirClient,
        clock: Clock,
        *,
        verifier: CodeVerifier | None = None,
        code_generator: Callable[[], str] = generate_access_code,
        attempts: SignInAttempts | None = None,
    ) -> None:
        self.client = client
        self._clock = clock  # the kiosk's one clock
        self._verifier = verifier or SeededCodeVerifier()
        self._new_code = code_generator
        self._sessions: dict[str, _Session] = {}
        self._challenges: dict[str, _Challenge] = {}
        # wrong codes and lockouts (in the store the kiosk gives, else in memory), kept under a
        # keyed fingerprint of the identifier, never the identifier
        self._attempts = attempts or SignInAttempts(lambda: self._clock.now())
        self._fingerprint = self._attempts.fingerprint
        self._epoch = Epoch()
        #: how each resource type names the patient in searches, once a fallback was needed
        self._modes: dict[str, str] = {}

    @property
    def clock(self) -> Clock:
        return self._clock

    def close(self) -> None:
        self.forget()
        self.client.close()

    def forget(self) -> None:
        """The person left: sessions (with their paging links and cached professionals) and pending
        sign-ins are dropped, and the pooled connections closed (locally: nothing is sent or awaited)."""
        with self._epoch.forgetting():
            self._sessions.clear()
            self._challenges.clear()
        self.client.drop_connections()

    # ------------------------------------------------------------ plumbing
    @contextmanager
    def _io(self, write: bool = False) -> Iterator[None]:
        try:
            yield
        except ClientError as error:
            raise to_port_error(error, write=write) from None
        except MalformedResource:
            if write:
                raise Unavailable(NOT_SENT) from None
            raise

    def _converge(self, step: Callable[[], Any]) -> Any:
        """Run an idempotent read-compare-write step; once more when its outcome is unknown.
        When both fail and a write of either may have reached the server, the outcome is unknown."""
        last: ClientError | None = None
        maybe_done = False
        for _ in range(2):
            try:
                return step()
            except ClientError as error:
                if error.reason == "http" and error.status in (400, 403, 404, 410):
                    raise to_port_error(error, write=True) from None
                last, maybe_done = error, maybe_done or error.maybe_done
            except MalformedResource:
                raise Unavailable(UNKNOWN if maybe_done else NOT_SENT) from None
        raise Unavailable(UNKNOWN if maybe_done else NOT_SENT, retry_after=last.retry_after if last else None) from None

    def _session(self, session: PatientSession, *, write: bool = False, any_status: bool = False) -> _Session:
        state = self._sessions.get(getattr(session, "token", None) or "")
        patient = getattr(session, "patient", None)
        if state is None or patient is None or state.patient.id != patient.id:
            raise NotAllowed("errors.not_allowed.signed_out")
        if not any_status:
            status = self._status(state, write=write)
            if not status.is_active:
                raise NotAllowed("errors.not_allowed.space_closed")
        return state

    def _status(self, state: _Session, *, write: bool = False, fresh: bool = False) -> SpaceStatus:
        if fresh or self._clock.monotonic() - state.status_at > STATUS_TTL_S:
            with self._io(write):
                state.status = self._fetch_status(state.patient.id)
            state.status_at = self._clock.monotonic()
        return state.status

    def _patient_params(self, mode: str, patient: Patient, param: str) -> list[tuple[str, str]]:
        if mode == "chained":
            return [(f"{param}.identifier", f"{m.INS_SYSTEM}|{patient.ins}")]
        if mode == "tag":
            return [("_tag", f"{m.COMPARTMENT_TAG_SYSTEM}|Patient/{patient.id}")]
        return [(param, f"Patient/{patient.id}")]

    def _search(self, rtype: str, patient: Patient, params: list[tuple[str, str]], param: str = "patient") -> dict:
        """A patient-scoped search. The patient is named the standard way first (documents by the
        chained INS, the rest by reference); when the server refuses that parameter, the next way
        is tried, and remembered only if it works (another refused parameter is not mistaken for it)."""
        modes = ["chained", "reference", "tag"] if rtype == "DocumentReference" else ["reference", "tag"]
        start = modes.index(self._modes.get(rtype, modes[0]))
        first_error: ClientError | None = None
        for mode in modes[start:]:
            try:
                bundle = self.client.search(rtype, self._patient_params(mode, patient, param) + params)
            except ClientError as error:
                if not error.not_supported:
                    raise
                first_error = first_error or error
                continue
            if mode != modes[start]:
                self._modes[rtype] = mode
            return bundle
        raise first_error or ClientError("http", 400)

    def _gather(self, rtype: str, patient: Patient, params: list[tuple[str, str]], param: str = "patient") -> list[dict]:
        """Every match of a search, following ``next`` links (up to MAX_LIST)."""
        bundle = self._search(rtype, patient, params + [("_count", str(MAX_PAGE_SIZE))], param)
        out = m.bundle_matches(bundle, rtype)
        followed: set[str] = set()
        while len(out) < MAX_LIST:
            link = m.bundle_link(bundle, "next")
            if not link or link in followed:
                break
            followed.add(link)
            bundle = self.client.follow(link)
            more = m.bundle_matches(bundle, rtype)
            if not more:  # a page that brings nothing new ends the paging (a server could loop for ever)
                break
            out += more
        return out

    def _paged(self, state: _Session, rtype: str, params: list[tuple[str, str]], sort: str,
               page: int, page_size: int, parse: Callable[[dict], Any], key: Callable) -> Page:
        """One page, reached by following the Bundle ``next`` links (cached per session)."""
        cache_key = (rtype, tuple(params), page_size)
        for attempt in range(2):
            cached = state.links.get(cache_key)
            try:
                if page == 1 or cached is None:
                    bundle = self._search(rtype, state.patient, params + [
                        ("_sort", sort), ("_count", str(page_size)), ("_total", "accurate")])
                    cached = {"total": m.bundle_total(bundle), "urls": {}}
                    state.links[cache_key] = cached
                    self._remember_next(cached, 1, bundle)
                    if page == 1:
                        return self._page_of(bundle, page, page_size, cached["total"], parse, key)
                if (page - 1) * page_size >= cached["total"]:
                    return Page((), page, page_size, cached["total"])
                known = max((p for p in cached["urls"] if p <= page), default=None)
                if known is None:
                    return Page((), page, page_size, cached["total"])
                number, bundle = known, self.client.follow(cached["urls"][known])
                self._remember_next(cached, number, bundle)
                while number < page:
                    link = m.bundle_link(bundle, "next")
                    if not link:
                        return Page((), page, page_size, m.bundle_total(bundle))
                    number, bundle = number + 1, self.client.follow(link)
                    self._remember_next(cached, number, bundle)
                cached["total"] = m.bundle_total(bundle)
                return self._page_of(bundle, page, page_size, cached["total"], parse, key)
            except ClientError as error:
                # an old paging link may have expired (410 Gone on cursor servers): start again once
                state.links.pop(cache_key, None)
                if attempt or error.status not in (404, 410):
                    raise
        raise ClientError("http", 410)  # pragma: no cover

    @staticmethod
    def _remember_next(cached: dict, number: int, bundle: dict) -> None:
        link = m.bundle_link(bundle, "next")
        if link:
            cached["urls"][number + 1] = link

    @staticmethod
    def _page_of(bundle, page, page_size, total, parse, key) -> Page:
        items = [parse(r) for r in m.bundle_matches(bundle)][:page_size]
        items = _newest_first(items, key)
        return Page(tuple(items), page, page_size, total)

    # ----------------------------------------------------------- sign-in

    def start_sign_in(self, identifier: str) -> SignInChallenge:
        ins = identifier.replace(" ", "") if isinstance(identifier, str) else ""
        if not ins_is_well_formed(ins):
            raise Rejected("errors.rejected.identifier")
        epoch = self._epoch.current
        self._attempts.check(self._fingerprint(ins))
        with self._io():
            bundle = self.client.search("Patient", [("identifier", f"{m.INS_SYSTEM}|{ins}")])
            found = m.bundle_matches(bundle, "Patient")
            if not found:
                raise SignInFailed("errors.sign_in_failed.unknown_identifier")
            if len(found) > 1:
                raise Unavailable()
            patient = m.parse_patient(found[0])
            if patient.ins != ins:
                raise MalformedResource()
            try:
                channel, length = self._verifier.send(self.client, patient.id)
            except NotFound:
                raise SignInFailed("errors.sign_in_failed.unknown_identifier") from None
        now = self._clock.now()
        expires = now + CHALLENGE_LIFETIME
        handle = keep_challenge(self._challenges, self._epoch, epoch, _Challenge(patient, expires), now)
        return SignInChallenge(handle, length, channel, expires)

    def finish_sign_in(self, handle: str, code: str) -> PatientSession:
        challenge = self._challenges.get(handle) if isinstance(handle, str) else None
        if challenge is None or challenge.used or self._clock.now() >= challenge.expires:
            raise SignInFailed("errors.sign_in_failed.expired")
        epoch = self._epoch.current
        key = self._fingerprint(challenge.patient.ins)
        self._attempts.check(key)
        given = (code or "").strip() if isinstance(code, str) else ""
        with self._io():
            try:
                good = bool(given) and self._verifier.verify(self.client, challenge.patient.id, given)
            except NotFound:
                raise SignInFailed("errors.sign_in_failed.expired") from None
            if good:
                status = self._fetch_status(challenge.patient.id)
        if not good:
            self._attempts.failed(key)
        self._attempts.succeeded(key)
        challenge.used = True
        token = secrets.token_urlsafe(24)
        with self._epoch.storing(epoch) as still_here:
            self._challenges.pop(handle, None)  # good once: a used handle is an unknown one
            if not still_here:
                raise SignInFailed("errors.sign_in_failed.expired")
            self._sessions[token] = _Session(challenge.patient, status, self._clock.monotonic())
        return PatientSession(token, challenge.patient)

    def sign_out(self, session: PatientSession) -> None:
        """Drop the session and its cache, and close the pooled connections (the next call opens a new one)."""
        self._sessions.pop(getattr(session, "token", "") or "", None)
        self.client.drop_connections()

    # --------------------------------------------------------- documents
    def _document_params(self, category: Category | None) -> list[tuple[str, str]]:
        params = [("status", "current")]
        if category is not None:
            params.append(("category", f"{m.CATEGORY_SYSTEM}|{Category(category).value}"))
        return params

    def list_documents(self, session: PatientSession, *, category: Category | None = None,
                       page: int = 1, page_size: int = DEFAULT_PAGE_SIZE) -> Page[Document]:
        state = self._session(session)
        _check_paging(page, page_size)
        if category is not None:
            try:
                category = Category(category)
            except ValueError:
                raise Rejected() from None
        with self._io():
            return self._paged(state, "DocumentReference", self._document_params(category), "-date,_id",
                               page, page_size, m.parse_document, lambda d: d.date)

    def document_counts(self, session: PatientSession) -> dict[Category, int]:
        state = self._session(session)
        counts = {}
        with self._io():
            for category in Category:
                bundle = self._search("DocumentReference", state.patient,
                                      self._document_params(category) + [("_summary", "count")])
                counts[category] = m.bundle_total(bundle)
        return counts

    def _document_resource(self, state: _Session, document_id: str) -> tuple[dict, str | None]:
        if not _valid_id(document_id):
            raise NotFound()
        reply = self.client.get(f"DocumentReference/{document_id}", expect="DocumentReference")
        resource = reply.body
        subject = resource.get("subject") if isinstance(resource.get("subject"), dict) else {}
        owner = m.document_patient_id(resource)
        by_ins = isinstance(subject.get("identifier"), dict) and subject["identifier"].get("value") == state.patient.ins
        if (owner != state.patient.id and not by_ins) or resource.get("status") != "current":
            raise NotFound()
        return resource, reply.etag

    def get_document(self, session: PatientSession, document_id: str) -> Document:
        state = self._session(session)
        with self._io():
            return m.parse_document(self._document_resource(state, document_id)[0])

    def get_document_content(self, session: PatientSession, document_id: str) -> DocumentContent:
        state = self._session(session)
        with self._io():
            resource, _ = self._document_resource(state, document_id)
            document = m.parse_document(resource)
            attachment = m.attachment_of(resource)
            if attachment.get("data") is not None:
                data = m.decode_base64(attachment["data"])
            elif isinstance(attachment.get("url"), str):
                reply = self.client.get(attachment["url"], raw=True)
                if isinstance(reply.body, (bytes, bytearray)):
                    data = bytes(reply.body)
                else:
                    media_type, data = m.parse_binary(reply.body)
                    if media_type.split(";")[0].strip() != document.media_type:
                        raise MalformedResource()
            else:
                raise MalformedResource()
            return m.content_from_bytes(document.media_type, data, attachment.get("hash"))

    def _set_hidden(self, session: PatientSession, document_id: str, hidden: bool) -> Document:
        state = self._session(session, write=True)

        def step() -> Document:
            resource, etag = self._document_resource(state, document_id)
            if m.is_hidden(resource) == hidden:
                return m.parse_document(resource)
            labels = resource.get("securityLabel") or []
            if hidden:
                patch = ([{"op": "add", "path": "/securityLabel/-", "value": m.MASQUE_PS_LABEL}] if labels
                         else [{"op": "add", "path": "/securityLabel", "value": [m.MASQUE_PS_LABEL]}])
            else:
                masked = [i for i, label in enumerate(labels) if m.has_code([label], m.VISIBILITY_SYSTEM, m.MASQUE_PS)]
                if len(masked) == len(labels):
                    patch = [{"op": "remove", "path": "/securityLabel"}]
                else:
                    patch = []
                    for i in reversed(masked):
                        patch += [{"op": "test", "path": f"/securityLabel/{i}", "value": labels[i]},
                                  {"op": "remove", "path": f"/securityLabel/{i}"}]
            reply = self._patch(f"DocumentReference/{document_id}", patch, etag)
            if isinstance(reply, dict) and reply.get("resourceType") == "DocumentReference":
                return m.parse_document(reply)
            return m.parse_document(self._document_resource(state, document_id)[0])

        return self._converge(step)

    def _patch(self, path: str, operations: list[dict], etag: str | None) -> Any:
        headers = {"Prefer": "return=representation"}
        if etag:
            headers["If-Match"] = etag
        return self.client.request("PATCH", path, json_body=operations, content_type=JSON_PATCH,
                                   headers=headers).body

    def hide_document(self, session: PatientSession, document_id: str) -> Document:
        return self._set_hidden(session, document_id, True)

    def show_document(self, session: PatientSession, document_id: str) -> Document:
        return self._set_hidden(session, document_id, False)

    # ---------------------------------------------------------- messages
    def _professionals(self, state: _Session, ids: set[str]) -> dict[str, Professional]:
        missing = sorted(i for i in ids if i not in state.pros and _valid_id(i))
        if missing:
            bundle = self.client.search("PractitionerRole", [
                ("practitioner", ",".join(f"Practitioner/{i}" for i in missing)),
                ("_include", "PractitionerRole:practitioner"), ("_count", str(MAX_PAGE_SIZE)),
            ])
            roles = {m.reference_id(r.get("practitioner"), "Practitioner"): r
                     for r in m.bundle_matches(bundle, "PractitionerRole")}
            practitioners = {r.get("id"): r for r in m.bundle_included(bundle)
                             if r.get("resourceType") == "Practitioner"}
            for pro_id in missing:
                if pro_id not in practitioners:
                    try:
                        practitioners[pro_id] = self.client.get(f"Practitioner/{pro_id}", expect="Practitioner").body
                    except ClientError as error:
                        if error.status in (404, 410):
                            continue
                        raise
                state.pros[pro_id] = m.parse_professional(practitioners[pro_id], roles.get(pro_id))
        return {i: state.pros[i] for i in ids if i in state.pros}

    def _threads(self, state: _Session) -> list[MessageThread]:
        resources = self._gather("Communication", state.patient, [("_sort", "sent,_id")])
        pros = self._professionals(state, m.communication_sender_ids(resources))
        groups: dict[str, list[dict]] = {}
        for resource in resources:
            groups.setdefault(m.thread_root_id(resource), []).append(resource)
        threads = []
        for root_id, members in groups.items():
            root = next((r for r in members if r.get("id") == root_id), None)
            if root is None:
                continue  # a reply whose first message is gone: nothing to show it in
            messages = sorted((m.parse_communication(r, state.patient.id, pros) for r in members),
                              key=lambda msg: (msg.date, msg.id))
            if messages[0].id != root_id or messages[0].sender is None:
                raise MalformedResource()
            topic = root.get("topic") if isinstance(root.get("topic"), dict) else {}
            subject = topic.get("text")
            if not isinstance(subject, str) or not subject.strip():
                raise MalformedResource()
            threads.append(MessageThread(root_id, subject, messages[0].sender, tuple(messages)))
        return threads

    def _thread(self, state: _Session, thread_id: str) -> MessageThread:
        if not _valid_id(thread_id):
            raise NotFound()
        for thread in self._threads(state):
            if thread.id == thread_id:
                return thread
        raise NotFound()

    def list_threads(self, session: PatientSession) -> list[MessageThread]:
        state = self._session(session)
        with self._io():
            threads = _newest_first(self._threads(state), lambda t: t.last_date)
        return sorted(threads, key=lambda t: t.unread_count == 0)

    def get_thread(self, session: PatientSession, thread_id: str) -> MessageThread:
        state = self._session(session)
        with self._io():
            return self._thread(state, thread_id)

    def mark_thread_read(self, session: PatientSession, thread_id: str) -> MessageThread:
        state = self._session(session, write=True)
        with self._io(write=True):
            thread = self._thread(state, thread_id)
        now = m.fhir_datetime(self._clock.now())
        for message in thread.messages:
            if message.read or message.from_patient:
                continue

            def step(message_id: str = message.id) -> None:
                self.client.request(
                    "PATCH", f"Communication/{message_id}", json_body=[{"op": "add", "path": "/received", "value": now}],
                    content_type=JSON_PATCH, idempotent=True, headers={"Prefer": "return=minimal"}, ok=(200, 204),
                )

            self._converge(step)
        return replace(thread, messages=tuple(replace(msg, read=True) for msg in thread.messages))

    def reply(self, session: PatientSession, thread_id: str, body: str, *, idempotency_key: str) -> Message:
        state = self._session(session, write=True)
        if not isinstance(idempotency_key, str) or not 0 < len(idempotency_key) <= MAX_IDEMPOTENCY_KEY_LENGTH:
            raise Rejected("errors.rejected.idempotency_key")
        with self._io(write=True):
            thread = self._thread(state, thread_id)
        text = (body or "").strip() if isinstance(body, str) else ""
        if not text:
            raise Rejected("errors.rejected.message_empty")
        if len(text) > MAX_MESSAGE_LENGTH:
            raise Rejected("errors.rejected.message_too_long")
        resource = m.reply_resource(state.patient.id, thread.professional.id, thread.id, thread.messages[-1].id,
                                    text, self._clock.now(), idempotency_key)
        condition = urlencode({"identifier": f"{m.IDEMPOTENCY_SYSTEM}|{idempotency_key}"})

        def step() -> Message:
            # conditional create: a retry (same key) finds the first one instead of adding a second
            reply = self.client.request(
                "POST", "Communication", json_body=resource, idempotent=True, expect="Communication",
                headers={"If-None-Exist": condition, "Prefer": "return=representation"},
            )
            return m.parse_communication(reply.body, state.patient.id, {})

        with self._io(write=True):
            message = self._converge(step)
        if message.thread_id != thread.id or message.body != text or not message.from_patient:
            raise Rejected("errors.rejected.idempotency_key")
        return message

    # ------------------------------------------------------------ agenda
    def list_appointments(self, session: PatientSession) -> list[Appointment]:
        state = self._session(session)
        now = self._clock.now()
        with self._io():
            found = self._gather("Appointment", state.patient, [
                ("date", f"ge{m.fhir_datetime(now)}"), ("status", "booked"), ("_sort", "date,_id")])
            appointments = [m.parse_appointment(r) for r in found]
        upcoming = [a for a in appointments if a.start >= now]
        return sorted(sorted(upcoming, key=lambda a: a.id), key=lambda a: a.start)

    def list_reminders(self, session: PatientSession) -> list[Reminder]:
        state = self._session(session)
        with self._io():
            reminders: list[Reminder] = []
            for resource in self._gather("ImmunizationRecommendation", state.patient, []):
                reminders += m.parse_immunization_recommendations(resource)
            for resource in self._gather("ServiceRequest", state.patient, [
                ("intent", "proposal"), ("status", "active"), ("category", f"{m.SNOMED}|{m.SCREENING_CODE}")]):
                reminders.append(m.parse_screening(resource))
        return sorted(sorted(reminders, key=lambda r: r.id), key=lambda r: r.due)

    # --------------------------------------------------- who sees my data
    def _consents(self, state: _Session, category: str, extra: list[tuple[str, str]] = ()) -> list[dict]:
        return self._gather("Consent", state.patient, [("category", f"{m.KIOSK_CODES}|{category}"), *extra])

    def _rights(self, state: _Session) -> list[tuple[dict, AccessRight]]:
        consents = [c for c in self._consents(state, m.CONSENT_ACCESS) if c.get("status") == "active"]
        actors = [m.consent_actor_id(c) for c in consents]
        pros = self._professionals(state, set(actors))
        out = []
        for consent, actor in zip(consents, actors):
            if actor not in pros:
                raise MalformedResource()
            out.append((consent, AccessRight(pros[actor], m.consent_blocked(consent))))
        return out

    def list_access_rights(self, session: PatientSession) -> list[AccessRight]:
        state = self._session(session)
        with self._io():
            rights = [r for _, r in self._rights(state)]
        return sorted(rights, key=lambda r: (r.professional.name.casefold(), r.professional.id))

    def _set_blocked(self, session: PatientSession, professional_id: str, blocked: bool) -> AccessRight:
        state = self._session(session, write=True)

        def step() -> AccessRight:
            for consent, right in self._rights(state):
                if right.professional.id != professional_id:
                    continue
                if right.blocked == blocked:
                    return right
                current = "deny" if right.blocked else "permit"
                self._patch(f"Consent/{consent['id']}", [
                    {"op": "test", "path": "/provision/type", "value": current},
                    {"op": "replace", "path": "/provision/type", "value": "deny" if blocked else "permit"},
                ], None)
                return replace(right, blocked=blocked)
            raise NotFound()

        if not _valid_id(professional_id):
            raise NotFound()
        return self._converge(step)

    def block_professional(self, session: PatientSession, professional_id: str) -> AccessRight:
        return self._set_blocked(session, professional_id, True)

    def unblock_professional(self, session: PatientSession, professional_id: str) -> AccessRight:
        return self._set_blocked(session, professional_id, False)

    def get_emergency_access(self, session: PatientSession) -> bool:
        state = self._session(session)
        with self._io():
            consents = self._consents(state, m.CONSENT_EMERGENCY)
        return not any(c.get("status") == "active" for c in consents)

    def set_emergency_access(self, session: PatientSession, enabled: bool) -> bool:
        state = self._session(session, write=True)
        enabled = bool(enabled)
        wanted = "inactive" if enabled else "active"

        def step() -> bool:
            consents = self._consents(state, m.CONSENT_EMERGENCY)
            if not consents and not enabled:
                resource = m.emergency_consent(state.patient.id, refused=True, when=self._clock.now())
                del resource["id"]
                condition = urlencode({"identifier": f"{m.KIOSK_ID_SYSTEM}|{state.patient.id}-urgence",
                                       "patient": f"Patient/{state.patient.id}"})
                self.client.request("POST", "Consent", json_body=resource, idempotent=True,
                                    headers={"If-None-Exist": condition, "Prefer": "return=minimal"})
            for consent in consents:
                if consent.get("status") != wanted and consent.get("status") in ("active", "inactive"):
                    self._patch(f"Consent/{consent['id']}", [
                        {"op": "test", "path": "/status", "value": consent["status"]},
                        {"op": "replace", "path": "/status", "value": wanted}], None)
            return enabled

        return self._converge(step)

    def list_access_events(self, session: PatientSession, *, page: int = 1,
                           page_size: int = DEFAULT_PAGE_SIZE) -> Page[AccessEvent]:
        state = self._session(session)
        _check_paging(page, page_size)
        with self._io():
            return self._paged(state, "AuditEvent", [], "-date,_id", page, page_size,
                               m.parse_audit_event, lambda e: e.when)

    # ---------------------------------------------------- temporary codes
    def _codes(self, state: _Session, extra: list[tuple[str, str]] = ()) -> list[tuple[dict, TemporaryAccessCode]]:
        return [(c, m.parse_access_code(c)) for c in self._consents(state, m.CONSENT_TEMPORARY, extra)]

    def list_access_codes(self, session: PatientSession) -> list[TemporaryAccessCode]:
        state = self._session(session)
        now = self._clock.now()
        with self._io():
            active = [code for _, code in self._codes(state, [("status", "active")]) if code.is_active(now)]
        return sorted(sorted(active, key=lambda c: c.code), key=lambda c: c.created, reverse=True)

    def create_access_code(self, session: PatientSession, duration: timedelta) -> TemporaryAccessCode:
        state = self._session(session, write=True)
        if duration not in ACCESS_CODE_DURATIONS:
            raise Rejected("errors.rejected.duration")
        now = self._clock.now().replace(microsecond=0)
        with self._io(write=True):
            active = [c for _, c in self._codes(state, [("status", "active")]) if c.is_active(now)]
        if len(active) >= MAX_ACTIVE_ACCESS_CODES:
            raise NotAllowed("errors.not_allowed.too_many_codes")
        for _ in range(5):
            raw = normalise_access_code(self._new_code())
            resource = m.access_code_consent(state.patient.id, raw, now, now + duration)
            condition = urlencode({"identifier": f"{m.ACCESS_CODE_SYSTEM}|{raw}"})

            def step() -> tuple[int, dict]:
                reply = self.client.request(
                    "POST", "Consent", json_body=resource, idempotent=True, expect="Consent",
                    headers={"If-None-Exist": condition, "Prefer": "return=representation"})
                return reply.status, reply.body

            with self._io(write=True):
                status, body = self._converge(step)
                created = m.parse_access_code(body)
            if status == 201:
                return created
            # 200: a Consent with this code existed: ours (a retried create) or a collision
            ours = m.reference_id(body.get("patient"), "Patient") == state.patient.id and created.created == now
            if ours:
                return created
        raise Unavailable(NOT_SENT)

    def revoke_access_code(self, session: PatientSession, code: str) -> TemporaryAccessCode:
        state = self._session(session, write=True)
        raw = normalise_access_code(code or "") if isinstance(code, str) else ""
        if not raw or any(ch not in ACCESS_CODE_ALPHABET for ch in raw):
            raise NotFound()

        def step() -> TemporaryAccessCode:
            found = self._codes(state, [("identifier", f"{m.ACCESS_CODE_SYSTEM}|{raw}")])
            if not found:
                raise NotFound()
            consent, parsed = found[0]
            if parsed.revoked:
                return parsed
            self._patch(f"Consent/{consent['id']}", [
                {"op": "test", "path": "/status", "value": "active"},
                {"op": "replace", "path": "/status", "value": "inactive"}], None)
            return replace(parsed, revoked=True)

        return self._converge(step)

    # -------------------------------------------------------- space status
    def _space_resource(self, patient_id: str) -> dict | None:
        bundle = self.client.search("Basic", [
            ("subject", f"Patient/{patient_id}"), ("code", f"{m.KIOSK_CODES}|{m.BASIC_SPACE}")])
        found = m.bundle_matches(bundle, "Basic")
        return found[0] if found else None

    def _fetch_status(self, patient_id: str) -> SpaceStatus:
        resource = self._space_resource(patient_id)
        if resource is None:
            return SpaceStatus(SpaceState.ACTIVE, self._clock.now().date())
        return m.parse_space(resource)

    def get_space_status(self, session: PatientSession) -> SpaceStatus:
        state = self._session(session, any_status=True)
        return self._status(state, fresh=True)

    def _end_space(self, session: PatientSession, new: SpaceStatus) -> SpaceStatus:
        state = self._session(session, write=True)
        for code in self.list_access_codes(session):
            self.revoke_access_code(session, code.code)

        def step() -> SpaceStatus:
            resource = self._space_resource(state.patient.id)
            if resource is None:
                body = m.space_resource(state.patient.id, new)
                del body["id"]
                condition = urlencode({"identifier": f"{m.KIOSK_ID_SYSTEM}|{state.patient.id}-espace"})
                self.client.request("POST", "Basic", json_body=body, idempotent=True,
                                    headers={"If-None-Exist": condition, "Prefer": "return=minimal"})
                return new
            current = m.parse_space(resource)
            if current.state is new.state:
                return current
            self._patch(f"Basic/{resource['id']}", [
                {"op": "replace", "path": "/extension", "value": m.space_extensions(new)},
                {"op": "replace", "path": "/created", "value": new.since.isoformat()},
            ], f'W/"{resource.get("meta", {}).get("versionId")}"' if resource.get("meta", {}).get("versionId") else None)
            return new

        result = self._converge(step)
        state.status, state.status_at = result, self._clock.monotonic()
        return result

    def close_space(self, session: PatientSession, *, delete_documents: bool = False) -> SpaceStatus:
        new = SpaceStatus(SpaceState.CLOSED, self._clock.now().date(), bool(delete_documents))
        return self._end_space(session, new)

    def oppose_space(self, session: PatientSession) -> SpaceStatus:
        new = SpaceStatus(SpaceState.OPPOSED, self._clock.now().date(), True)
        return self._end_space(session, new)


def make_fhir_backend(settings, clock: Clock, attempts: SignInAttempts | None = None) -> FhirHealthSpace:
    """The FHIR backend for ``kiosk run --backend URL``: reads backend, backend_token, backend_ca_bundle;
    the patients' sign-in lockouts in ``attempts`` (the kiosk's store), else in memory."""
    client = FhirClient(
        settings.backend,
        token=getattr(settings, "backend_token", "") or "",
        ca_bundle=getattr(settings, "backend_ca_bundle", "") or "",
    )
    return FhirHealthSpace(client, clock, attempts=attempts)


__all__ = ["CodeVerifier", "FhirHealthSpace", "SeededCodeVerifier", "make_fhir_backend"]
