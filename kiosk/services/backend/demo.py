"""The demo HealthSpace: fictional patients, fully offline, deterministic, resettable.

Data comes from assets/demo/patients.json (hand-written patients) plus
deterministic generation (the 1,000-document patient, the PDF and the image).
``load_demo_records()`` returns every patient's data as domain models: it is
also what seeds a FHIR server, so both backends show the same patients.

Every date is relative to the kiosk's one clock: the data is written around
an anchor day (``DEMO_NOW``, 2026-12-01) and moved by whole days so that the
anchor falls on the clock's today (``load_demo_data(today)``). A code made now
is valid now, an appointment "next week" is next week, on any date.

What a session changes (hide, block, reply, codes, emergency access, closing)
stays visible until ``reset()``. One-time sign-in codes are fixed and known
(``demo_sign_in_code``); only training mode shows them.
"""

from __future__ import annotations

import hmac
import json
import random
import secrets
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterable

from kiosk.core.clock import PARIS, Clock
from kiosk.core.errors import NotAllowed, NotFound, Rejected, SignInFailed, Unavailable
from kiosk.core.models import (
    AccessAction,
    AccessEvent,
    AccessRight,
    Appointment,
    Category,
    Document,
    DocumentContent,
    LabValue,
    Message,
    MessageThread,
    Page,
    Patient,
    PatientSession,
    Professional,
    Reminder,
    ReminderKind,
    SignInChallenge,
    SpaceState,
    SpaceStatus,
    TemporaryAccessCode,
    generate_access_code,
    ins_is_well_formed,
    normalise_access_code,
    paginate,
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
from kiosk.services.backend import demo_files
from kiosk.services.backend.forgetting import Epoch, keep_challenge
from kiosk.services.backend.outages import watch_outages

#: The anchor the demo data is written around (its "today"); the data is moved to the clock's today.
DEMO_NOW = datetime.fromisoformat("2026-12-01T10:00:00+01:00")


#: What each demo patient is for (contract suite roles and training exercises), by patient id.
DEMO_ROLES: dict[str, str] = {
    "rich": "demo-paulette",  # 82, diabetes, many documents, unread messages
    "empty": "demo-marcel",  # no document yet
    "privacy": "demo-odette",  # blocked a professional, hid a document, no emergency access
    "closed": "demo-lucien",  # space closed
    "large": "demo-gerard",  # 1,000 documents, 60 access events
    "child": "demo-leo",  # a child's profile handled by his mother
    "closable": "demo-albert",  # wants to close the space
    "opposable": "demo-rose",  # wants to refuse the space
    "lockable": "demo-jules",  # forgets his code
}


def demo_assets_dir() -> Path:
    here = Path(__file__).resolve()
    for candidate in (here.parents[3] / "assets" / "demo", here.parents[2] / "assets" / "demo"):
        if (candidate / "patients.json").is_file():
            return candidate
    raise FileNotFoundError("assets/demo")


# ------------------------------------------------------------------ records


@dataclass(frozen=True)
class PatientRecord:
    """Everything the demo knows about one patient, as domain models (for seeding another backend too)."""

    patient: Patient
    sign_in_code: str
    channel: str
    about: str
    status: SpaceStatus
    emergency_access: bool
    documents: tuple[Document, ...]
    contents: dict[str, DocumentContent]
    threads: tuple[MessageThread, ...]
    appointments: tuple[Appointment, ...]
    reminders: tuple[Reminder, ...]
    access_rights: tuple[AccessRight, ...]
    access_events: tuple[AccessEvent, ...]

    def __repr__(self) -> str:
        return f"PatientRecord({self.patient.id}, documents={len(self.documents)})"


@dataclass(frozen=True)
class DemoData:
    now: datetime
    professionals: tuple[Professional, ...]
    records: tuple[PatientRecord, ...]

    def by_ins(self, ins: str) -> PatientRecord:
        for record in self.records:
            if record.patient.ins == ins:
                return record
        raise KeyError("unknown demo identifier")

    def by_id(self, patient_id: str) -> PatientRecord:
        for record in self.records:
            if record.patient.id == patient_id:
                return record
        raise KeyError("unknown demo patient")


def _dt(text: str) -> datetime:
    value = datetime.fromisoformat(text)
    if value.tzinfo is None:
        raise ValueError("demo dates must carry their offset")
    return value


def _lab(values: list) -> tuple[LabValue, ...]:
    def num(v):
        return None if v is None else float(v)

    # [name, value, unit, low, high, LOINC code]: the code is what the kiosk says (kiosk.core.labels)
    return tuple(
        LabValue(name, float(value), unit, num(low), num(high), code=rest[0] if rest else "")
        for name, value, unit, low, high, *rest in values
    )


def _document(raw: dict, assets: Path) -> tuple[Document, DocumentContent]:
    media_type = raw.get("media_type", "text/plain")
    document = Document(
        id=raw["id"],
        category=Category(raw["category"]),
        type=raw["type"],
        type_code=raw.get("type_code", ""),
        title=raw["title"],
        author=raw["author"],
        organisation=raw["organisation"],
        date=_dt(raw["date"]),
        media_type=media_type,
        hidden_from_professionals=bool(raw.get("hidden", False)),
        lab_results=_lab(raw.get("lab_results", [])),
    )
    if "pages" in raw:
        content = DocumentContent(media_type, pages=tuple(raw["pages"]))
    elif "file" in raw:
        content = DocumentContent(media_type, data=(assets / raw["file"]).read_bytes())
    else:
        content = DocumentContent(media_type, data=demo_files.GENERATED[raw["generated"]]())
    return document, content


_GENERATED_KINDS = (
    # category, type (LOINC code, the service's words), title, author id, lab results?
    (Category.ORDONNANCE, ("57833-6", "Ordonnance de médicaments"), "Ordonnance pour la tension", "pro-generaliste", False),
    (Category.RESULTAT, ("11502-2", "Résultats d'analyses de sang"), "Prise de sang de contrôle", "pro-biologiste", True),
    (Category.COMPTE_RENDU, ("11488-4", "Compte rendu de consultation"), "Consultation pour le cœur", "pro-cardiologue",
     False),
    (Category.IMAGERIE, ("18748-4", "Compte rendu d'imagerie"), "Échographie du cœur", "pro-radiologue", False),
    (Category.VACCINATION, ("87273-9", "Certificat de vaccination"), "Vaccin contre la grippe", "pro-pharmacien", False),
    (Category.CERTIFICAT, ("89601-9", "Certificat médical"), "Certificat d'aptitude au sport", "pro-generaliste", False),
    (Category.AUTRE, ("", "Document"), "Courrier de l'Assurance Maladie", "pro-generaliste", False),
)


def _generate_documents(prefix: str, count: int, seed: int, pros: dict[str, Professional], now: datetime):
    rng = random.Random(seed)
    start = now - timedelta(days=16 * 365)
    span = int((now - start).total_seconds() // 60)
    documents, contents = [], {}
    for n in range(1, count + 1):
        category, (type_code, type_), title, author_id, with_lab = _GENERATED_KINDS[rng.randrange(len(_GENERATED_KINDS))]
        when = start + timedelta(minutes=rng.randrange(span))
        author = pros[author_id]
        labs: tuple[LabValue, ...] = ()
        if with_lab:
            labs = (
                LabValue("Sucre dans le sang à jeun (glycémie)", round(rng.uniform(0.6, 1.4), 2), "g/L", 0.70, 1.10,
                         code="1558-6"),
                LabValue("Potassium", round(rng.uniform(3.2, 5.3), 1), "mmol/L", 3.5, 5.0, code="2823-3"),
            )
        doc_id = f"{prefix}-doc-{n:04d}"
        documents.append(
            Document(doc_id, category, type_, f"{title} (numéro {n})", author.name, author.organisation, when,
                     lab_results=labs, type_code=type_code)
        )
        # written out in full: no abbreviation ("n°") in what the patient reads
        lines = [f"{type_}", f"Document numéro {n} sur {count}.",
                 f"Rédigé par {author.name}, {author.profession.lower()}."]
        lines += [f"{lab.name} : {lab.value:g} {lab.unit}" for lab in labs]
        contents[doc_id] = DocumentContent("text/plain", pages=("\n".join(lines),))
    return documents, contents


def _generate_events(prefix: str, count: int, seed: int, pros: list[Professional], now: datetime):
    rng = random.Random(seed + 1)
    actions = [AccessAction.VIEWED_RECORD, AccessAction.VIEWED_DOCUMENT, AccessAction.ADDED_DOCUMENT]
    events = []
    for n in range(1, count + 1):
        pro = pros[rng.randrange(len(pros))]
        when = now - timedelta(minutes=rng.randrange(2 * 365 * 24 * 60))
        events.append(AccessEvent(f"{prefix}-acces-{n:03d}", pro.name, pro.profession, when, rng.choice(actions),
                                  profession_code=pro.profession_code))
    return events


def _record(raw: dict, pros: dict[str, Professional], assets: Path, now: datetime) -> PatientRecord:
    patient = Patient(
        id=raw["id"],
        ins=raw["ins"],
        title=raw["title"],
        given_name=raw["given_name"],
        family_name=raw["family_name"],
        birth_date=date.fromisoformat(raw["birth_date"]),
        representative=raw.get("representative"),
    )
    documents, contents = [], {}
    for item in raw["documents"]:
        document, content = _document(item, assets)
        documents.append(document)
        contents[document.id] = content
    generate = raw.get("generate", {})
    prefix = raw["id"].removeprefix("demo-")
    if generate.get("documents"):
        more, more_contents = _generate_documents(prefix, generate["documents"], generate["seed"], pros, now)
        documents += more
        contents.update(more_contents)
    titles = {d.id: d.title for d in documents}

    threads = []
    for t in raw["threads"]:
        pro = pros[t["professional"]]
        messages = tuple(
            Message(
                id=m["id"],
                thread_id=t["id"],
                sender=None if m["from"] == "patient" else pro,
                date=_dt(m["date"]),
                body=m["body"],
                read=bool(m["read"]),
                attachments=tuple(m.get("attachments", [])),
                from_patient=m["from"] == "patient",
            )
            for m in t["messages"]
        )
        for m in messages:
            missing = [a for a in m.attachments if a not in contents]
            if missing:
                raise ValueError(f"demo data: attachment without document in {m.id}")
        threads.append(MessageThread(t["id"], t["subject"], pro, messages))

    appointments = tuple(
        Appointment(
            id=a["id"],
            who=a["who"],
            profession=a["profession"],
            place=a["place"],
            address=a["address"],
            start=_dt(a["start"]),
            duration=timedelta(minutes=a["minutes"]),
            reason=a["reason"],
            to_bring=tuple(a["to_bring"]),
            profession_code=a.get("profession_code", ""),
            kind_code=a.get("kind", ""),
        )
        for a in raw["appointments"]
    )
    reminders = tuple(
        Reminder(r["id"], ReminderKind(r["kind"]), r["title"], date.fromisoformat(r["due"]), r["purpose"])
        for r in raw["reminders"]
    )
    rights = tuple(AccessRight(pros[a["professional"]], bool(a["blocked"])) for a in raw["access"])
    events = [
        AccessEvent(
            id=e["id"],
            who=pros[e["professional"]].name,
            profession=pros[e["professional"]].profession,
            when=_dt(e["when"]),
            action=AccessAction(e["action"]),
            document_title=titles[e["document"]] if e.get("document") else None,
            profession_code=pros[e["professional"]].profession_code,
        )
        for e in raw["access_events"]
    ]
    if generate.get("access_events"):
        events += _generate_events(prefix, generate["access_events"], generate["seed"], [r.professional for r in rights], now)
    space = raw["space"]
    return PatientRecord(
        patient=patient,
        sign_in_code=raw["sign_in_code"],
        channel=raw["channel"],
        about=raw.get("about", ""),
        status=SpaceStatus(SpaceState(space["state"]), date.fromisoformat(space["since"]), bool(space["deletion_requested"])),
        emergency_access=bool(raw["emergency_access"]),
        documents=tuple(documents),
        contents=contents,
        threads=tuple(threads),
        appointments=appointments,
        reminders=reminders,
        access_rights=rights,
        access_events=tuple(events),
    )


def _authored_demo_data() -> DemoData:
    """Parse and generate the demo data, dated as written (around DEMO_NOW)."""
    assets = demo_assets_dir()
    raw = json.loads((assets / "patients.json").read_text(encoding="utf-8"))
    now = _dt(raw["today"])
    pros = {
        p["id"]: Professional(p["id"], p["name"], p["profession"], p["rpps"], p["organisation"],
                              p.get("gender", ""), p.get("profession_code", ""))
        for p in raw["professionals"]
    }
    records = tuple(_record(p, pros, assets, now) for p in raw["patients"])
    for record in records:
        if not ins_is_well_formed(record.patient.ins):
            raise ValueError(f"demo data: malformed identifier for {record.patient.id}")
    return DemoData(now, tuple(pros.values()), records)


def _later(moment: datetime, days: int) -> datetime:
    """The same Paris wall-clock time, ``days`` later (an 09:30 appointment stays at 09:30 across DST)."""
    return moment.astimezone(PARIS) + timedelta(days=days)


def _moved_record(record: PatientRecord, days: int) -> PatientRecord:
    """Every date of one patient ``days`` later; birth dates too, so ages stay as written."""
    step = timedelta(days=days)
    return replace(
        record,
        patient=replace(record.patient, birth_date=record.patient.birth_date + step),
        status=replace(record.status, since=record.status.since + step),
        documents=tuple(replace(d, date=_later(d.date, days)) for d in record.documents),
        threads=tuple(
            replace(t, messages=tuple(replace(m, date=_later(m.date, days)) for m in t.messages))
            for t in record.threads
        ),
        appointments=tuple(replace(a, start=_later(a.start, days)) for a in record.appointments),
        reminders=tuple(replace(r, due=r.due + step) for r in record.reminders),
        access_events=tuple(replace(e, when=_later(e.when, days)) for e in record.access_events),
    )


def paris_day(moment: datetime) -> date:
    """The calendar day in Paris of an aware datetime (the demo's "today" for a clock reading)."""
    return moment.astimezone(PARIS).date()


@lru_cache(maxsize=4)
def load_demo_data(today: date | None = None) -> DemoData:
    """The demo data with its "today" on ``today`` (None: as written, today is DEMO_NOW's day).

    Whole days are added to every date, so relative timing (an appointment in a week,
    a message three days old) and the time of day are kept. Values are immutable and cached.
    """
    if today is None:
        return _authored_demo_data()
    authored = load_demo_data()  # parsed once, in the same cache
    days = (today - paris_day(authored.now)).days
    if days == 0:
        return authored
    return DemoData(
        _later(authored.now, days),
        authored.professionals,
        tuple(_moved_record(r, days) for r in authored.records),
    )


def demo_data_for(clock: Clock) -> DemoData:
    """The demo data dated around the clock's today: what the demo backend and the FHIR seeding use."""
    return load_demo_data(paris_day(clock.now()))


def load_demo_records(today: date | None = None) -> tuple[PatientRecord, ...]:
    """Every demo patient's data as domain models, dated around ``today`` (see load_demo_data)."""
    return load_demo_data(today).records


def demo_sign_in_code(identifier: str) -> str:
    """The fixed one-time code of a demo patient (shown only in training mode). KeyError if unknown."""
    return load_demo_data().by_ins(identifier.replace(" ", "")).sign_in_code


@dataclass(frozen=True)
class DemoPatientCard:
    """What the training screen shows to pick a demo patient."""

    ins: str
    name: str
    sign_in_code: str
    about: str


def demo_patient_cards() -> list[DemoPatientCard]:
    return [
        DemoPatientCard(r.patient.ins, r.patient.display_name, r.sign_in_code, r.about)
        for r in load_demo_data().records
    ]


# ----------------------------------------------------------- the backend


@dataclass
class _State:
    record: PatientRecord
    hidden: dict[str, bool]
    blocked: dict[str, bool]
    read: set[str]
    added: dict[str, list[Message]]
    replies: dict[str, tuple[str, str, Message]]
    emergency: bool
    status: SpaceStatus
    by_id: dict[str, Document] = field(default_factory=dict)
    codes: list[TemporaryAccessCode] = field(default_factory=list)


@dataclass
class _Challenge:
    ins: str
    expires: datetime
    used: bool = False


def _sort_newest(items: Iterable, key_date: Callable) -> list:
    # newest first, ties by id: stable, non-overlapping pages
    return sorted(sorted(items, key=lambda i: i.id), key=key_date, reverse=True)


def _check_paging(page: int, page_size: int) -> None:
    if not isinstance(page, int) or not isinstance(page_size, int) or isinstance(page, bool):
        raise Rejected("errors.rejected.paging")
    if page < 1 or not 1 <= page_size <= MAX_PAGE_SIZE:
        raise Rejected("errors.rejected.paging")


@watch_outages("demo")
class DemoHealthSpace:
    """HealthSpace over the fictional patients. See kiosk.core.ports for the shared semantics."""

    def __init__(
        self,
        clock: Clock,
        *,
        code_generator: Callable[[], str] = generate_access_code,
        data: DemoData | None = None,
        attempts: SignInAttempts | None = None,
    ) -> None:
        self._clock = clock  # the kiosk's one clock: codes, challenges and data dates all follow it
        self._new_code = code_generator
        self._given_data = data  # fixed data (tests); else the demo data dated around the clock's today
        self._data = data or demo_data_for(clock)
        self._unavailable = False
        # wrong codes and lockouts (in the store the kiosk gives, else in memory), kept under a
        # keyed fingerprint of the identifier, never the identifier
        self._attempts = attempts or SignInAttempts(lambda: self._clock.now())
        self._fingerprint = self._attempts.fingerprint
        self._start_again()  # the lockouts as the kiosk kept them (a restart does not lift them)

    # --------------------------------------------------------- demo only
    def reset(self) -> None:
        """Back to the initial data: every change, session, sign-in attempt and lockout is forgotten."""
        self._start_again()
        self._attempts.clear()

    def _start_again(self) -> None:
        if self._given_data is None:  # dated again: a kiosk left on past midnight keeps a true "today"
            self._data = demo_data_for(self._clock)
        self._states: dict[str, _State] = {}
        for record in self._data.records:
            self._states[record.patient.id] = _State(
                record=record,
                hidden={d.id: d.hidden_from_professionals for d in record.documents},
                blocked={r.professional.id: r.blocked for r in record.access_rights},
                read={m.id for t in record.threads for m in t.messages if m.read},
                added={t.id: [] for t in record.threads},
                replies={},
                emergency=record.emergency_access,
                status=record.status,
                by_id={d.id: d for d in record.documents},
            )
        self._sessions: dict[str, str] = {}
        self._challenges: dict[str, _Challenge] = {}
        self._epoch = Epoch()
        self._reply_counter = 0

    def forget(self) -> None:
        """The person left: every session and pending sign-in is dropped (the demo data stays)."""
        with self._epoch.forgetting():
            self._sessions.clear()
            self._challenges.clear()

    def set_unavailable(self, unavailable: bool) -> None:
        """Simulate a service outage (training and UI tests): every call raises Unavailable."""
        self._unavailable = unavailable

    def demo_code_for(self, identifier: str) -> str:
        return self._data.by_ins(identifier.replace(" ", "")).sign_in_code

    @property
    def clock(self) -> Clock:
        return self._clock

    # ------------------------------------------------------------ guards
    def _online(self, write: bool = False) -> None:
        if self._unavailable:
            raise Unavailable("errors.unavailable.not_sent" if write else None)

    def _state(self, session: PatientSession, *, write: bool = False, any_status: bool = False) -> _State:
        self._online(write)
        patient_id = self._sessions.get(getattr(session, "token", None) or "")
        if patient_id is None or patient_id != session.patient.id:
            raise NotAllowed("errors.not_allowed.signed_out")
        state = self._states[patient_id]
        if not any_status and not state.status.is_active:
            raise NotAllowed("errors.not_allowed.space_closed")
        return state

    # ----------------------------------------------------------- sign-in
    def start_sign_in(self, identifier: str) -> SignInChallenge:
        self._online()
        ins = identifier.replace(" ", "") if isinstance(identifier, str) else ""
        if not ins_is_well_formed(ins):
            raise Rejected("errors.rejected.identifier")
        epoch = self._epoch.current
        self._attempts.check(self._fingerprint(ins))
        try:
            record = self._data.by_ins(ins)
        except KeyError:
            raise SignInFailed("errors.sign_in_failed.unknown_identifier") from None
        now = self._clock.now()
        expires = now + CHALLENGE_LIFETIME
        handle = keep_challenge(self._challenges, self._epoch, epoch, _Challenge(record.patient.ins, expires), now)
        return SignInChallenge(handle, len(record.sign_in_code), record.channel, expires)

    def finish_sign_in(self, handle: str, code: str) -> PatientSession:
        self._online()
        challenge = self._challenges.get(handle)
        if challenge is None or challenge.used or self._clock.now() >= challenge.expires:
            raise SignInFailed("errors.sign_in_failed.expired")
        epoch = self._epoch.current
        key = self._fingerprint(challenge.ins)
        self._attempts.check(key)
        record = self._data.by_ins(challenge.ins)
        given = (code or "").strip().encode()
        if not hmac.compare_digest(given, record.sign_in_code.encode()):
            self._attempts.failed(key)
        self._attempts.succeeded(key)
        challenge.used = True
        token = secrets.token_urlsafe(24)
        with self._epoch.storing(epoch) as still_here:
            self._challenges.pop(handle, None)  # good once: a used handle is an unknown one
            if not still_here:
                raise SignInFailed("errors.sign_in_failed.expired")
            self._sessions[token] = record.patient.id
        return PatientSession(token, record.patient)

    def sign_out(self, session: PatientSession) -> None:
        self._sessions.pop(getattr(session, "token", "") or "", None)

    # --------------------------------------------------------- documents
    def _documents(self, state: _State) -> list[Document]:
        return [replace(d, hidden_from_professionals=state.hidden[d.id]) for d in state.record.documents]

    def _document(self, state: _State, document_id: str) -> Document:
        document = state.by_id.get(document_id) if isinstance(document_id, str) else None
        if document is None:
            raise NotFound()
        return replace(document, hidden_from_professionals=state.hidden[document_id])

    def list_documents(
        self,
        session: PatientSession,
        *,
        category: Category | None = None,
        page: int = 1,
        page_size: int = DEFAULT_PAGE_SIZE,
    ) -> Page[Document]:
        state = self._state(session)
        _check_paging(page, page_size)
        docs = self._documents(state)
        if category is not None:
            try:
                wanted = Category(category)
            except ValueError:
                raise Rejected() from None
            docs = [d for d in docs if d.category is wanted]
        return paginate(_sort_newest(docs, lambda d: d.date), page, page_size)

    def document_counts(self, session: PatientSession) -> dict[Category, int]:
        state = self._state(session)
        counts = {c: 0 for c in Category}
        for d in state.record.documents:
            counts[d.category] += 1
        return counts

    def get_document(self, session: PatientSession, document_id: str) -> Document:
        return self._document(self._state(session), document_id)

    def get_document_content(self, session: PatientSession, document_id: str) -> DocumentContent:
        state = self._state(session)
        self._document(state, document_id)
        return state.record.contents[document_id]

    def _set_hidden(self, session: PatientSession, document_id: str, hidden: bool) -> Document:
        state = self._state(session, write=True)
        self._document(state, document_id)
        state.hidden[document_id] = hidden
        return self._document(state, document_id)

    def hide_document(self, session: PatientSession, document_id: str) -> Document:
        return self._set_hidden(session, document_id, True)

    def show_document(self, session: PatientSession, document_id: str) -> Document:
        return self._set_hidden(session, document_id, False)

    # ---------------------------------------------------------- messages
    def _thread(self, state: _State, thread_id: str) -> MessageThread:
        for t in state.record.threads:
            if t.id == thread_id:
                messages = tuple(replace(m, read=m.id in state.read) for m in t.messages)
                messages += tuple(state.added[t.id])
                return replace(t, messages=messages)
        raise NotFound()

    def list_threads(self, session: PatientSession) -> list[MessageThread]:
        state = self._state(session)
        threads = [self._thread(state, t.id) for t in state.record.threads]
        threads = _sort_newest(threads, lambda t: t.last_date)
        return sorted(threads, key=lambda t: t.unread_count == 0)

    def get_thread(self, session: PatientSession, thread_id: str) -> MessageThread:
        return self._thread(self._state(session), thread_id)

    def mark_thread_read(self, session: PatientSession, thread_id: str) -> MessageThread:
        state = self._state(session, write=True)
        thread = self._thread(state, thread_id)
        state.read.update(m.id for m in thread.messages)
        return self._thread(state, thread_id)

    def reply(self, session: PatientSession, thread_id: str, body: str, *, idempotency_key: str) -> Message:
        state = self._state(session, write=True)
        if not isinstance(idempotency_key, str) or not 0 < len(idempotency_key) <= MAX_IDEMPOTENCY_KEY_LENGTH:
            raise Rejected("errors.rejected.idempotency_key")
        self._thread(state, thread_id)
        text = (body or "").strip()
        if idempotency_key in state.replies:
            first_thread, first_body, message = state.replies[idempotency_key]
            if first_thread != thread_id or first_body != text:
                raise Rejected("errors.rejected.idempotency_key")
            return message
        if not text:
            raise Rejected("errors.rejected.message_empty")
        if len(text) > MAX_MESSAGE_LENGTH:
            raise Rejected("errors.rejected.message_too_long")
        self._reply_counter += 1
        message = Message(
            id=f"{thread_id}-reponse-{self._reply_counter}",
            thread_id=thread_id,
            sender=None,
            date=self._clock.now(),
            body=text,
            read=True,
            from_patient=True,
        )
        state.added[thread_id].append(message)
        state.replies[idempotency_key] = (thread_id, text, message)
        return message

    # ------------------------------------------------------------ agenda
    def list_appointments(self, session: PatientSession) -> list[Appointment]:
        state = self._state(session)
        now = self._clock.now()
        upcoming = [a for a in state.record.appointments if a.start >= now]
        return sorted(sorted(upcoming, key=lambda a: a.id), key=lambda a: a.start)

    def list_reminders(self, session: PatientSession) -> list[Reminder]:
        state = self._state(session)
        return sorted(sorted(state.record.reminders, key=lambda r: r.id), key=lambda r: r.due)

    # --------------------------------------------------- who sees my data
    def _right(self, state: _State, professional_id: str) -> AccessRight:
        for right in state.record.access_rights:
            if right.professional.id == professional_id:
                return replace(right, blocked=state.blocked[professional_id])
        raise NotFound()

    def list_access_rights(self, session: PatientSession) -> list[AccessRight]:
        state = self._state(session)
        rights = [self._right(state, r.professional.id) for r in state.record.access_rights]
        return sorted(rights, key=lambda r: (r.professional.name.casefold(), r.professional.id))

    def _set_blocked(self, session: PatientSession, professional_id: str, blocked: bool) -> AccessRight:
        state = self._state(session, write=True)
        self._right(state, professional_id)
        state.blocked[professional_id] = blocked
        return self._right(state, professional_id)

    def block_professional(self, session: PatientSession, professional_id: str) -> AccessRight:
        return self._set_blocked(session, professional_id, True)

    def unblock_professional(self, session: PatientSession, professional_id: str) -> AccessRight:
        return self._set_blocked(session, professional_id, False)

    def get_emergency_access(self, session: PatientSession) -> bool:
        return self._state(session).emergency

    def set_emergency_access(self, session: PatientSession, enabled: bool) -> bool:
        state = self._state(session, write=True)
        state.emergency = bool(enabled)
        return state.emergency

    def list_access_events(
        self, session: PatientSession, *, page: int = 1, page_size: int = DEFAULT_PAGE_SIZE
    ) -> Page[AccessEvent]:
        state = self._state(session)
        _check_paging(page, page_size)
        return paginate(_sort_newest(state.record.access_events, lambda e: e.when), page, page_size)

    # ---------------------------------------------------- temporary codes
    def create_access_code(self, session: PatientSession, duration: timedelta) -> TemporaryAccessCode:
        state = self._state(session, write=True)
        if duration not in ACCESS_CODE_DURATIONS:
            raise Rejected("errors.rejected.duration")
        now = self._clock.now()
        if sum(1 for c in state.codes if c.is_active(now)) >= MAX_ACTIVE_ACCESS_CODES:
            raise NotAllowed("errors.not_allowed.too_many_codes")
        existing = {normalise_access_code(c.code) for s in self._states.values() for c in s.codes}
        code = self._new_code()
        while normalise_access_code(code) in existing:
            code = self._new_code()
        created = TemporaryAccessCode(code, duration, now, now + duration)
        state.codes.append(created)
        return created

    def revoke_access_code(self, session: PatientSession, code: str) -> TemporaryAccessCode:
        state = self._state(session, write=True)
        wanted = normalise_access_code(code or "")
        for index, existing in enumerate(state.codes):
            if normalise_access_code(existing.code) == wanted:
                state.codes[index] = replace(existing, revoked=True)
                return state.codes[index]
        raise NotFound()

    def list_access_codes(self, session: PatientSession) -> list[TemporaryAccessCode]:
        state = self._state(session)
        now = self._clock.now()
        active = [c for c in state.codes if c.is_active(now)]
        return sorted(sorted(active, key=lambda c: c.code), key=lambda c: c.created, reverse=True)

    # -------------------------------------------------------- space status
    def get_space_status(self, session: PatientSession) -> SpaceStatus:
        return self._state(session, any_status=True).status

    def close_space(self, session: PatientSession, *, delete_documents: bool = False) -> SpaceStatus:
        state = self._state(session, write=True)
        for code in list(state.codes):
            self.revoke_access_code(session, code.code)
        state.status = SpaceStatus(SpaceState.CLOSED, self._clock.now().date(), bool(delete_documents))
        return state.status

    def oppose_space(self, session: PatientSession) -> SpaceStatus:
        state = self._state(session, write=True)
        for code in list(state.codes):
            self.revoke_access_code(session, code.code)
        state.status = SpaceStatus(SpaceState.OPPOSED, self._clock.now().date(), True)
        return state.status


__all__ = [
    "DEMO_NOW",
    "DEMO_ROLES",
    "DemoData",
    "DemoHealthSpace",
    "DemoPatientCard",
    "PatientRecord",
    "demo_assets_dir",
    "demo_data_for",
    "demo_patient_cards",
    "demo_sign_in_code",
    "load_demo_data",
    "load_demo_records",
    "paris_day",
]
