"""Assisted sessions: a helper beside the patient sees only what the patient agreed to.

The UI only follows this object; the rules are enforced here, whatever the UI does:

- A helper signs in (identifier and PIN, checked by the storage, which journals the
  sign-in). The UI then builds an :class:`AssistedSession` from plain values
  (:class:`HelperIdentity`: display name, organisation, journal fingerprint).
- ``assisted.guard`` is given to every flow: ``FlowContext(..., guard=assisted.guard)``.
  Before consent it refuses every scope except ``sign_in``; after consent it allows
  only the scopes the patient chose (documents, messages, agenda, access); after a
  refusal, a withdrawal or the end it refuses everything. A refusal raises
  ``NotAllowed``: the flow drops its data at once.
- ``give_consent(scopes)`` / ``refuse()`` / ``withdraw()`` / ``end()``. A refusal drops
  every patient object of the kiosk session (flows, caches, temporary files, the
  signed-in space) but keeps the person's display preferences: the patient stays
  alone on a neutral screen. A withdrawal ("Arrêter l'accompagnement") ends the
  helper's part only: the flows opened with the helper go, the patient stays signed
  in and goes on alone with every journey.
- ``forward_audit(journal_hook, assisted.record)`` gives each flow record both to the
  journal and to the session's action log, which feeds the end list ("what was done,
  by whom"), shown, spoken and kept as a QR code (counts and kinds only).
- The journal gets consent given / withdrawn (with the scopes) and the helper's
  sign-out, with the helper's fingerprint only: never a name or health content.
"""

from __future__ import annotations

import contextlib
import enum
from dataclasses import dataclass
from datetime import datetime
from typing import Callable, Iterable, Iterator, Mapping

from kiosk.core.audit import AuditAction
from kiosk.core.clock import Clock, SystemClock
from kiosk.core.errors import NotAllowed
from kiosk.core.flows.base import (
    SCOPE_ACCESS,
    SCOPE_AGENDA,
    SCOPE_DOCUMENTS,
    SCOPE_MESSAGES,
    SCOPE_SIGN_IN,
    AuditHook,
    AuditRecord,
)
from kiosk.core.session import Session

#: The scopes the patient chooses one by one on the consent screen, in display order.
CHOOSABLE_SCOPES: tuple[str, ...] = (SCOPE_DOCUMENTS, SCOPE_MESSAGES, SCOPE_AGENDA, SCOPE_ACCESS)

# Catalogue keys (assisted.po) for the UI.
BAND_KEY = "assisted.band"  # "Accompagné par {name} ({organisation})"
STOP_KEY = "assisted.stop"  # "Arrêter l'accompagnement"
CONSENT_TITLE_KEY = "assisted.consent.title"
CONSENT_WHO_KEY = "assisted.consent.who"  # {name}, {organisation}
CONSENT_WHAT_KEY = "assisted.consent.what"
CONSENT_ONLY_NOW_KEY = "assisted.consent.only_now"
CONSENT_YES_KEY = "assisted.consent.yes"
CONSENT_NO_KEY = "assisted.consent.no"
CONSENT_NONE_CHOSEN_KEY = "assisted.consent.none_chosen"
SCOPE_KEYS: Mapping[str, str] = {scope: f"assisted.scope.{scope}" for scope in CHOOSABLE_SCOPES}
WITHDRAWN_KEYS = ("assisted.withdrawn.title", "assisted.withdrawn.line1", "assisted.withdrawn.line2")
REFUSED_KEYS = ("assisted.refused.title", "assisted.refused.line1", "assisted.refused.line2")
END_TITLE_KEY = "assisted.end.title"
END_HELPER_KEY = "assisted.end.helper"  # {name}, {organisation}
END_DATE_KEY = "assisted.end.date"  # {date}
END_NOTHING_KEY = "assisted.end.nothing"
END_QR_KEY = "assisted.end.qr"


class ConsentState(str, enum.Enum):
    WAITING = "waiting"  # helper signed in, the patient has not answered yet
    GIVEN = "given"  # "Oui, j'accepte" with the chosen scopes
    REFUSED = "refused"  # "Non, merci"
    WITHDRAWN = "withdrawn"  # "Arrêter l'accompagnement"
    ENDED = "ended"  # the session ended (Terminer or timeout)


class Actor(str, enum.Enum):
    """Who did an action: the patient or the helper (the UI says who is using the screen)."""

    PATIENT = "patient"
    HELPER = "helper"


@dataclass(frozen=True)
class HelperIdentity:
    """The signed-in helper, as plain values (from the storage's ``SignInResult.helper``)."""

    display_name: str
    organisation: str
    fingerprint: str  # ``hlp-…``: the only way the helper appears in the journal

    def __repr__(self) -> str:  # no name in logs
        return f"HelperIdentity({self.fingerprint})"

    @classmethod
    def of(cls, account) -> "HelperIdentity":
        """From any object with ``display_name``, ``organisation`` and ``fingerprint`` (a HelperAccount)."""
        return cls(account.display_name, account.organisation, account.fingerprint)


class Kind(str, enum.Enum):
    """The kinds of action of the end list, in display order; each comes from one journal action."""

    DOCUMENT_VIEWED = "document_viewed"
    DOCUMENT_HIDDEN = "document_hidden"
    DOCUMENT_SHOWN = "document_shown"
    MESSAGE_READ = "message_read"
    MESSAGE_SENT = "message_sent"
    APPOINTMENT_SHARED = "appointment_shared"
    PROFESSIONAL_BLOCKED = "professional_blocked"
    PROFESSIONAL_UNBLOCKED = "professional_unblocked"
    EMERGENCY_CHANGED = "emergency_changed"
    HISTORY_VIEWED = "history_viewed"
    CODE_CREATED = "code_created"
    CODE_REVOKED = "code_revoked"


KIND_OF_ACTION: Mapping[AuditAction, Kind] = {
    AuditAction.DOCUMENT_VIEWED: Kind.DOCUMENT_VIEWED,
    AuditAction.DOCUMENT_HIDDEN: Kind.DOCUMENT_HIDDEN,
    AuditAction.DOCUMENT_SHOWN: Kind.DOCUMENT_SHOWN,
    AuditAction.MESSAGE_READ: Kind.MESSAGE_READ,
    AuditAction.MESSAGE_SENT: Kind.MESSAGE_SENT,
    AuditAction.APPOINTMENT_SHARED_BY_QR: Kind.APPOINTMENT_SHARED,
    AuditAction.PROFESSIONAL_BLOCKED: Kind.PROFESSIONAL_BLOCKED,
    AuditAction.PROFESSIONAL_UNBLOCKED: Kind.PROFESSIONAL_UNBLOCKED,
    AuditAction.EMERGENCY_ACCESS_CHANGED: Kind.EMERGENCY_CHANGED,
    AuditAction.ACCESS_HISTORY_VIEWED: Kind.HISTORY_VIEWED,
    AuditAction.CODE_CREATED: Kind.CODE_CREATED,
    AuditAction.CODE_REVOKED: Kind.CODE_REVOKED,
}


@dataclass(frozen=True)
class LoggedAction:
    """One action of the assisted session (kept in memory only, for the end list and training)."""

    record: AuditRecord
    actor: Actor

    @property
    def action(self) -> AuditAction:
        return self.record.action

    @property
    def kind(self) -> Kind | None:
        return KIND_OF_ACTION.get(self.record.action)


@dataclass(frozen=True)
class EndLine:
    """One line of the end list: plural key stem, count and who."""

    kind: Kind
    actor: Actor
    count: int

    @property
    def key(self) -> str:
        return f"assisted.end.{self.actor.value}.{self.kind.value}"

    def render(self, catalog, helper: HelperIdentity) -> str:
        return catalog.tr_n(self.key, self.count, helper=helper.display_name)


Listener = Callable[["AssistedSession"], None]


def forward_audit(*hooks: AuditHook | None) -> AuditHook:
    """One audit hook that gives each record to every hook (e.g. the journal and the assisted log)."""
    targets = [hook for hook in hooks if hook is not None]

    def hook(record: AuditRecord) -> None:
        for target in targets:
            target(record)

    return hook


class AssistedSession:
    """Consent, scope guard, action log and end list of one assisted session."""

    def __init__(
        self,
        helper: HelperIdentity,
        *,
        session: Session | None = None,
        journal=None,
        clock: Clock | None = None,
        actor: Actor = Actor.HELPER,
    ) -> None:
        self.helper = helper
        self.session = session
        self.journal = journal
        self.clock = clock or (session.clock if session is not None else SystemClock())
        self.state = ConsentState.WAITING
        self.scopes: frozenset[str] = frozenset()
        self.consent_at: datetime | None = None
        self.consent_was_given = False
        self.started_at = self.clock.now()
        self.actor = actor
        self._log: list[LoggedAction] = []
        self._listeners: list[Listener] = []
        if session is not None:
            session.on_end.append(self._on_session_end)

    def __repr__(self) -> str:
        return f"AssistedSession({self.helper.fingerprint}, {self.state.value}, scopes={sorted(self.scopes)})"

    # ------------------------------------------------------------- reading
    @property
    def active(self) -> bool:
        """True while the helper is beside the patient (the band is shown)."""
        return self.state in (ConsentState.WAITING, ConsentState.GIVEN)

    @property
    def consent_pending(self) -> bool:
        """True while the consent screen must be shown (nothing of the patient before "Oui")."""
        return self.state is ConsentState.WAITING

    def allows(self, scope: str) -> bool:
        if scope == SCOPE_SIGN_IN:
            return self.active
        return self.state is ConsentState.GIVEN and scope in self.scopes

    def band_values(self) -> dict[str, str]:
        """Values for ``BAND_KEY`` and ``CONSENT_WHO_KEY``."""
        return {"name": self.helper.display_name, "organisation": self.helper.organisation}

    @property
    def actions(self) -> tuple[LoggedAction, ...]:
        return tuple(self._log)

    # ------------------------------------------------------------ the guard
    def guard(self, scope: str) -> None:
        """The scope guard for ``FlowContext(guard=…)``: raises NotAllowed unless allowed."""
        if not self.allows(scope):
            raise NotAllowed()

    # --------------------------------------------------------------- consent
    def give_consent(self, scopes: Iterable[str]) -> bool:
        """"Oui, j'accepte" with the scopes ticked. False if nothing is ticked or it is too late."""
        chosen = frozenset(scopes)
        unknown = chosen - set(CHOOSABLE_SCOPES)
        if unknown:
            raise ValueError("unknown consent scope")
        if self.state is not ConsentState.WAITING or not chosen:
            return False
        self.state = ConsentState.GIVEN
        self.scopes = chosen
        self.consent_at = self.clock.now()
        self.consent_was_given = True
        self._journal(AuditAction.CONSENT_GIVEN, scopes=self._scope_list())
        self._notify()
        return True

    def refuse(self) -> bool:
        """"Non, merci": the helper sees nothing; the patient's data is dropped from the kiosk."""
        if self.state is not ConsentState.WAITING:
            return False
        self.state = ConsentState.REFUSED
        self._drop_patient_data()
        self._notify()
        return True

    def withdraw(self) -> bool:
        """"Arrêter l'accompagnement" (asked once by the UI): the helper's part ends at once.

        Everything is refused to the helper from now on and every flow opened with the helper goes;
        the patient stays signed in and goes on alone, with every journey (no scope any more).
        The action log stays, for the end list.
        """
        if not self.active:
            return False
        was_given = self.state is ConsentState.GIVEN
        self.state = ConsentState.WITHDRAWN
        if was_given:
            self._journal(AuditAction.CONSENT_WITHDRAWN, scopes=self._scope_list())
        self.scopes = frozenset()
        self._drop_helper_flows()
        self._notify()
        return True

    def end(self) -> bool:
        """The helper signs out (session end, or "Terminer"): journaled once."""
        if self.state is ConsentState.ENDED:
            return False
        self.state = ConsentState.ENDED
        self.scopes = frozenset()
        # keep only what the end list needs (kinds and who), not the backend's subject ids
        self._log = [LoggedAction(AuditRecord(logged.action), logged.actor) for logged in self._log]
        if self.session is not None and self._on_session_end in self.session.on_end:
            self.session.on_end.remove(self._on_session_end)
        self._journal(AuditAction.HELPER_SIGNED_OUT)
        self._notify()
        return True

    def _on_session_end(self, _session: Session) -> None:
        self.end()

    # ------------------------------------------------------------- the log
    def set_actor(self, actor: Actor) -> None:
        """Who is using the screen now; each next action is counted for them."""
        self.actor = Actor(actor)

    @contextlib.contextmanager
    def acting_as(self, actor: Actor) -> Iterator[None]:
        previous = self.actor
        self.set_actor(actor)
        try:
            yield
        finally:
            self.actor = previous

    def record(self, record: AuditRecord) -> None:
        """The audit hook of the assisted log (use with :func:`forward_audit`)."""
        if record.action in KIND_OF_ACTION:
            self._log.append(LoggedAction(record, self.actor))
            self._notify()

    def audit_hook(self, journal_hook: AuditHook | None = None) -> AuditHook:
        """Shortcut: ``forward_audit(journal_hook, self.record)``."""
        return forward_audit(journal_hook, self.record)

    def end_lines(self) -> list[EndLine]:
        counts: dict[tuple[Kind, Actor], int] = {}
        for logged in self._log:
            kind = logged.kind
            if kind is not None:
                counts[(kind, logged.actor)] = counts.get((kind, logged.actor), 0) + 1
        lines = []
        for kind in Kind:
            for actor in (Actor.HELPER, Actor.PATIENT):
                if counts.get((kind, actor)):
                    lines.append(EndLine(kind, actor, counts[(kind, actor)]))
        return lines

    def end_list(self, catalog) -> list[str]:
        """The sentences to show and speak: one per kind and person, or one saying nothing was done."""
        texts = [line.render(catalog, self.helper) for line in self.end_lines()]
        return texts or [catalog.tr(END_NOTHING_KEY)]

    def qr_payload(self, catalog) -> str:
        """A short text for the QR code to keep: title, date, helper, the end list (counts and kinds only)."""
        from kiosk.core.i18n import format_date

        day = format_date(self.started_at.date(), catalog.lang)
        lines = [
            catalog.tr(END_TITLE_KEY),
            catalog.tr(END_DATE_KEY, date=day),
            catalog.tr(END_HELPER_KEY, **self.band_values()),
            *self.end_list(catalog),
        ]
        return "\n".join(lines)

    # ------------------------------------------------------------ listeners
    def add_listener(self, listener: Listener) -> Callable[[], None]:
        """Called after every change (state, log); returns a function that removes it."""
        self._listeners.append(listener)

        def remove() -> None:
            if listener in self._listeners:
                self._listeners.remove(listener)

        return remove

    def _notify(self) -> None:
        for listener in list(self._listeners):
            listener(self)

    # -------------------------------------------------------------- helpers
    def _scope_list(self) -> list[str]:
        return [scope for scope in CHOOSABLE_SCOPES if scope in self.scopes]

    def _journal(self, action: AuditAction, **details) -> None:
        if self.journal is None:
            return
        self.journal.append(action, subject_fingerprints=[self.helper.fingerprint], details=details or None)

    def _drop_helper_flows(self) -> None:
        """Every flow opened with the helper (it holds this guard) is wiped and goes from the session;
        the signed-in space, the display preferences and the rest of the session stay."""
        if self.session is None:
            return
        from kiosk.core.flows.base import _LIVE  # every flow of this session still alive

        for flow in list(_LIVE.get(self.session, ())):
            if getattr(flow, "guard", None) == self.guard:
                flow.wipe()
        data = self.session.data
        for key, value in list(data.items()):
            if getattr(value, "guard", None) == self.guard:
                wipe = getattr(value, "wipe", None)
                if callable(wipe):
                    wipe()
                data.pop(key, None)

    def _drop_patient_data(self) -> None:
        """Every flow, cache, temporary file and the signed-in space go; display preferences stay."""
        if self.session is None:
            return
        prefs = self.session.prefs
        self.session.wipe()
        self.session.prefs = prefs


__all__ = [
    "Actor",
    "AssistedSession",
    "BAND_KEY",
    "CHOOSABLE_SCOPES",
    "ConsentState",
    "EndLine",
    "HelperIdentity",
    "KIND_OF_ACTION",
    "Kind",
    "LoggedAction",
    "SCOPE_KEYS",
    "STOP_KEY",
    "forward_audit",
]
