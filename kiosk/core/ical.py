"""iCalendar (RFC 5545) text of one appointment, for "Mettre sur mon téléphone" (a QR code).

Pure functions, no I/O. Times are written in UTC (``...Z``, RFC 5545 3.3.5
form 2), so no VTIMEZONE block is needed and phones show local time. Text
values are escaped (3.3.11) and content lines folded at 75 octets with CRLF
and one space (3.1), never inside a UTF-8 character.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timezone

from kiosk.core.models import Appointment

CRLF = "\r\n"
MAX_LINE_OCTETS = 75
PRODID = "-//Kiosque Sante//Kiosque Sante 1.0//FR"
UID_DOMAIN = "kiosque-sante"


def escape_text(value: str) -> str:
    """Escape a TEXT value: backslash, semicolon, comma and line breaks (RFC 5545 3.3.11)."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return value.replace("\n", "\\n")


def fold_line(line: str) -> str:
    """Fold one content line into physical lines of at most 75 octets (CRLF + space between)."""
    pieces: list[str] = []
    current: list[str] = []
    size = 0
    limit = MAX_LINE_OCTETS
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            pieces.append("".join(current))
            current, size = [], 0
            limit = MAX_LINE_OCTETS - 1  # the leading space of a continuation line counts
        current.append(char)
        size += width
    pieces.append("".join(current))
    return (CRLF + " ").join(pieces)


def format_utc(value: datetime) -> str:
    """DATE-TIME in UTC: 20261203T133000Z. ``value`` must be timezone-aware."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("an aware datetime is needed")
    return value.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def event_uid(appointment_id: str) -> str:
    """A stable UID (adding the same appointment twice updates it) that reveals nothing of the id."""
    digest = hashlib.sha256(appointment_id.encode("utf-8")).hexdigest()[:32]
    return f"{digest}@{UID_DOMAIN}"


def appointment_to_ical(
    appointment: Appointment,
    *,
    dtstamp: datetime,
    summary: str,
    description: str,
    location: str | None = None,
) -> str:
    """A VCALENDAR holding one VEVENT for ``appointment``; every line ends with CRLF.

    ``summary`` and ``description`` are already written in the person's language
    (the flow takes them from the catalogue); ``location`` defaults to
    "place, address".
    """
    if location is None:
        location = ", ".join(part for part in (appointment.place, appointment.address) if part)
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:{event_uid(appointment.id)}",
        f"DTSTAMP:{format_utc(dtstamp)}",
        f"DTSTART:{format_utc(appointment.start)}",
        f"DTEND:{format_utc(appointment.end)}",
        f"SUMMARY:{escape_text(summary)}",
        f"LOCATION:{escape_text(location)}",
        f"DESCRIPTION:{escape_text(description)}",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return "".join(fold_line(line) + CRLF for line in lines)


__all__ = ["appointment_to_ical", "escape_text", "event_uid", "fold_line", "format_utc"]
