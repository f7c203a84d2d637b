"""The installer's log: start, stop, errors and backend outages, to the systemd journal or stderr.

No extra dependency. Under systemd (``JOURNAL_STREAM`` or ``INVOCATION_ID`` set)
each line goes to stderr with the sd-daemon priority prefix ("<3>" error, "<4>"
warning, "<6>" info, "<7>" debug), which journald reads as the entry's
priority; elsewhere each line is "time level logger: message".

What is logged: ``kiosk started (demo|fhir|training)``, ``kiosk stopped``,
errors (a flow's unexpected error, a crash, a voice failure), and one line when
the health space stops answering and one when it is back
(kiosk.services.backend.outages). The FHIR client's one line per request
(method, resource type, status, request id, duration) only with ``verbose``.

Privacy (DESIGN, Privacy and security): the kiosk's messages never hold a name,
an identifier, a code or health content. Two guards stand behind that rule, for
messages written by others (Kivy, libraries):

- an exception is written as its type and where it was raised (file, line,
  function), never its message (which may quote data) nor its local variables;
- anything shaped like an identifier (15 digits, spaces allowed) or a temporary
  access code (10 characters of the code alphabet, letters and digits) is masked.

Every record is one line: journald would take each further line as a new entry.
"""

from __future__ import annotations

import logging
import os
import re
import sys
import threading
import traceback
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, TextIO

#: Python level -> sd-daemon priority (syslog numbers).
JOURNAL_PRIORITY = {
    logging.CRITICAL: 2,
    logging.ERROR: 3,
    logging.WARNING: 4,
    logging.INFO: 6,
    logging.DEBUG: 7,
}

MASK = "[masqué]"
_IDENTIFIER = re.compile(r"(?<![0-9A-Za-z])[0-9](?: ?[0-9AB]){12} ?[0-9] ?[0-9](?![0-9A-Za-z])")
_ACCESS_CODE = re.compile(r"(?<![0-9A-Za-z])[2-9A-Z]{5}[- ]?[2-9A-Z]{5}(?![0-9A-Za-z])")


def under_systemd(environ: Mapping[str, str]) -> bool:
    """True when started by systemd (its stderr is then a stream to the journal)."""
    return bool(environ.get("JOURNAL_STREAM") or environ.get("INVOCATION_ID"))


def mode_of(settings: Any) -> str:
    """"training", "demo" or "fhir": what ``kiosk started (...)`` says."""
    if getattr(settings, "training", False):
        return "training"
    return "demo" if getattr(settings, "is_demo", True) else "fhir"


def mask(text: str) -> str:
    """Mask what looks like an identifier or a temporary access code."""
    text = _IDENTIFIER.sub(MASK, text)

    def code(match: re.Match) -> str:
        word = match.group(0)
        has_letter = any(c.isalpha() for c in word)
        has_digit = any(c.isdigit() for c in word)
        return MASK if has_letter and has_digit else word

    return _ACCESS_CODE.sub(code, text)


def _where(filename: str) -> str:
    """A short file name: from the package folder on (kiosk/..., requests/...)."""
    parts = filename.replace("\\", "/").split("/")
    for anchor in ("kiosk", "site-packages", "dist-packages"):
        if anchor in parts:
            index = len(parts) - 1 - parts[::-1].index(anchor)
            rest = parts[index + (0 if anchor == "kiosk" else 1):]
            return "/".join(rest)
    return "/".join(parts[-2:])


def describe_exception(error: BaseException | None, *, frames: int = 4) -> str:
    """"TypeError at kiosk/x.py:12 in f <- kiosk/y.py:40 in g": the type and where, never the message."""
    parts: list[str] = []
    seen: set[int] = set()
    while error is not None and id(error) not in seen and len(parts) < 4:
        seen.add(id(error))
        stack = traceback.extract_tb(error.__traceback__)[-frames:]
        where = " <- ".join(f"{_where(f.filename)}:{f.lineno} in {f.name}" for f in reversed(stack))
        parts.append(type(error).__qualname__ + (f" at {where}" if where else ""))
        error = error.__cause__ or (None if error.__suppress_context__ else error.__context__)
    return "; from ".join(parts)


class PrivateFormatter(logging.Formatter):
    """One masked line per record; exceptions by type and place only."""

    def __init__(self, *, journal: bool) -> None:
        super().__init__(datefmt="%Y-%m-%d %H:%M:%S")
        self.journal = journal

    def format(self, record: logging.LogRecord) -> str:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: say so, without its arguments
            message = f"(unreadable log message from {record.name})"
        if record.exc_info and record.exc_info[1] is not None:
            message = f"{message}: {describe_exception(record.exc_info[1])}"
        line = " ".join(mask(message).split())
        if self.journal:
            priority = JOURNAL_PRIORITY.get(record.levelno)
            if priority is None:
                priority = 3 if record.levelno >= logging.ERROR else 4 if record.levelno >= logging.WARNING else 6
            return f"<{priority}>{record.name}: {line}"
        return f"{self.formatTime(record, self.datefmt)} {record.levelname} {record.name}: {line}"


@dataclass
class LogSetup:
    """What ``setup_logging`` changed, so ``close()`` can put it back (tests, or a second set-up)."""

    handler: logging.Handler
    journal: bool
    _levels: dict[str, int] = field(default_factory=dict)
    _hooks: tuple[Callable, Callable] | None = None

    def close(self) -> None:
        logging.getLogger().removeHandler(self.handler)
        for name, level in self._levels.items():
            logging.getLogger(name or None).setLevel(level)
        if self._hooks is not None:
            sys.excepthook, threading.excepthook = self._hooks
            self._hooks = None


_current: LogSetup | None = None


def setup_logging(
    settings: Any = None,
    *,
    stream: TextIO | None = None,
    environ: Mapping[str, str] | None = None,
    verbose: bool = False,
    catch_crashes: bool = True,
) -> LogSetup:
    """Send the kiosk's log to the journal (under systemd) or to stderr. Call once, before the app.

    ``verbose`` adds debug lines and the FHIR client's one line per request.
    ``catch_crashes`` routes uncaught exceptions (any thread) through this log, without their text.
    """
    global _current
    if _current is not None:
        _current.close()
    environ = os.environ if environ is None else environ
    journal = under_systemd(environ)
    handler = logging.StreamHandler(stream if stream is not None else sys.stderr)
    handler.setFormatter(PrivateFormatter(journal=journal))
    levels = {
        "": logging.WARNING,  # libraries and Kivy: warnings and errors only
        "kiosk": logging.DEBUG if verbose else logging.INFO,
        "kiosk.fhir": logging.INFO if verbose else logging.WARNING,  # per request: only when asked
    }
    setup = LogSetup(handler, journal)
    for name, level in levels.items():
        logger = logging.getLogger(name or None)
        setup._levels[name] = logger.level
        logger.setLevel(level)
    logging.getLogger().addHandler(handler)
    if catch_crashes:
        setup._hooks = (sys.excepthook, threading.excepthook)
        sys.excepthook = _log_uncaught
        threading.excepthook = _log_uncaught_in_thread
    _current = setup
    return setup


def _log_uncaught(kind, error, tb) -> None:
    if issubclass(kind, KeyboardInterrupt):
        return
    logging.getLogger("kiosk").critical("kiosk crashed", exc_info=(kind, error, tb))


def _log_uncaught_in_thread(args: threading.ExceptHookArgs) -> None:
    if args.exc_type is SystemExit:
        return
    logging.getLogger("kiosk").error("a background task failed (thread %s)",
                                     getattr(args.thread, "name", "?"),
                                     exc_info=(args.exc_type, args.exc_value, args.exc_traceback))


__all__ = ["JOURNAL_PRIORITY", "LogSetup", "PrivateFormatter", "describe_exception", "mask", "mode_of",
           "setup_logging", "under_systemd"]
