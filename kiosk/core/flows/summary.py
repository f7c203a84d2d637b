"""What the person did, for the end-of-session summary ("Vous avez masqué 1 document.").

Flows record each action they perform with :func:`Activity` values in
``Session.activity_log`` (counts only, no subject). The summary turns those
counts into lines ``(key, count)`` in a fixed order; the catalogue renders
them with plural forms (``Catalog.tr_n``). Each activity also maps to the
audit journal's closed set of actions (``kiosk.core.audit.AuditAction``).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Iterable, Mapping

from kiosk.core.audit import AuditAction


class Activity(str, enum.Enum):
    """Everything a flow may record for the summary. Order = order of the summary lines."""

    DOCUMENT_VIEWED = "document.viewed"
    DOCUMENT_HIDDEN = "document.hidden"
    DOCUMENT_SHOWN = "document.shown"
    MESSAGE_READ = "message.read"
    MESSAGE_SENT = "message.sent"
    APPOINTMENT_SHARED = "appointment.shared"
    PROFESSIONAL_BLOCKED = "professional.blocked"
    PROFESSIONAL_UNBLOCKED = "professional.unblocked"
    EMERGENCY_ACCESS_ENABLED = "emergency_access.enabled"
    EMERGENCY_ACCESS_DISABLED = "emergency_access.disabled"
    CODE_CREATED = "code.created"
    CODE_REVOKED = "code.revoked"
    CLOSURE_REQUESTED = "space.closure_requested"
    REFUSAL_REQUESTED = "space.refusal_requested"

    @property
    def summary_key(self) -> str:
        """Plural key stem: ``<stem>.one`` / ``<stem>.other`` in flows.po."""
        return "flows.summary." + self.value.replace(".", "_")

    @property
    def audit_action(self) -> AuditAction:
        return AUDIT_ACTIONS[self]


AUDIT_ACTIONS: Mapping[Activity, AuditAction] = {
    Activity.DOCUMENT_VIEWED: AuditAction.DOCUMENT_VIEWED,
    Activity.DOCUMENT_HIDDEN: AuditAction.DOCUMENT_HIDDEN,
    Activity.DOCUMENT_SHOWN: AuditAction.DOCUMENT_SHOWN,
    Activity.MESSAGE_READ: AuditAction.MESSAGE_READ,
    Activity.MESSAGE_SENT: AuditAction.MESSAGE_SENT,
    Activity.APPOINTMENT_SHARED: AuditAction.APPOINTMENT_SHARED_BY_QR,
    Activity.PROFESSIONAL_BLOCKED: AuditAction.PROFESSIONAL_BLOCKED,
    Activity.PROFESSIONAL_UNBLOCKED: AuditAction.PROFESSIONAL_UNBLOCKED,
    Activity.EMERGENCY_ACCESS_ENABLED: AuditAction.EMERGENCY_ACCESS_CHANGED,
    Activity.EMERGENCY_ACCESS_DISABLED: AuditAction.EMERGENCY_ACCESS_CHANGED,
    Activity.CODE_CREATED: AuditAction.CODE_CREATED,
    Activity.CODE_REVOKED: AuditAction.CODE_REVOKED,
    Activity.CLOSURE_REQUESTED: AuditAction.CLOSURE_REQUESTED,
    Activity.REFUSAL_REQUESTED: AuditAction.REFUSAL_REQUESTED,
}

#: Shown when nothing was recorded.
NOTHING_KEY = "flows.summary.nothing"
#: Title of the summary screen.
TITLE_KEY = "flows.summary.title"


@dataclass(frozen=True)
class SummaryLine:
    """One line of the summary: a plural key stem and how many times."""

    key: str
    count: int

    def render(self, catalog) -> str:
        return catalog.tr_n(self.key, self.count)


def summary_lines(counts: Mapping[str, int] | object) -> list[SummaryLine]:
    """Lines for every recorded activity, in the order of :class:`Activity`.

    ``counts`` is ``Session.activity_log`` (its ``counts`` dict is read) or a plain
    mapping. Unknown names (recorded by other parts of the kiosk) are ignored.
    """
    mapping = getattr(counts, "counts", counts)
    lines = []
    for activity in Activity:
        n = int(mapping.get(activity.value, 0))  # type: ignore[union-attr]
        if n > 0:
            lines.append(SummaryLine(activity.summary_key, n))
    return lines


def render_summary(lines: Iterable[SummaryLine], catalog) -> list[str]:
    """The sentences to show and speak; one sentence saying nothing was done when empty."""
    texts = [line.render(catalog) for line in lines]
    return texts or [catalog.tr(NOTHING_KEY)]


__all__ = ["AUDIT_ACTIONS", "Activity", "NOTHING_KEY", "SummaryLine", "TITLE_KEY", "render_summary", "summary_lines"]
