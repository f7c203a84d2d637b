"""The audit journal, guarded: an action is reported done only when it can be journaled.

Before any change on the health space the runner asks ``check()``: it fails at once when
the journal already failed, or when the probe (can the store's disk still take a write?)
fails. Then nothing is sent, and the person reads one sentence. The first failed append
turns the guard down for good, until ``retry()`` finds the disk writable again.
"""

from __future__ import annotations

import logging
from typing import Any, Callable

log = logging.getLogger(__name__)

JOURNAL_DOWN_KEY = "errors.journal_down"            # nothing was done
JOURNAL_DOWN_DONE_KEY = "errors.journal_down.done"  # done, but its entry could not be written


class JournalDown(Exception):
    """The audit journal cannot be written: nothing may be done that it would have to record."""

    def __init__(self, cause: str = "unknown", *, done: bool = False) -> None:
        super().__init__(cause)
        self.cause = cause  # a word ("full", "read_only", "broken"): never a path or a name
        #: the change was made before its entry failed: the person is told it is done
        self.done = done
        self.key = JOURNAL_DOWN_DONE_KEY if done else JOURNAL_DOWN_KEY


CAUSES = ("full", "read_only", "broken")
_SQLITE_READONLY, _SQLITE_FULL = 8, 13


def cause_of(error: BaseException) -> str:
    """A word for the log and `kiosk doctor`, from an OS or database error.

    The store's own errors already know their cause (StoreFull, StoreReadOnly...: ``error.cause``);
    a raw database error is read by its SQLite code (SQLITE_FULL, SQLITE_READONLY), an OS error
    by its errno (ENOSPC, EROFS, EACCES, EPERM).
    """
    import errno

    told = getattr(error, "cause", None)
    if isinstance(told, str) and told in CAUSES:
        return told
    number = getattr(error, "errno", None)
    code = getattr(error, "sqlite_errorcode", None)
    code = code & 0xFF if isinstance(code, int) else None
    text = str(error).lower()
    if number == errno.ENOSPC or code == _SQLITE_FULL or "full" in text:
        return "full"
    if (number in (errno.EROFS, errno.EACCES, errno.EPERM) or code == _SQLITE_READONLY
            or "readonly" in text or "read-only" in text):
        return "read_only"
    return "broken"


class GuardedJournal:
    """The Journal port, with the kiosk's promise: no unjournaled change."""

    def __init__(self, journal: Any, *, probe: Callable[[], None] | None = None) -> None:
        self._journal = journal
        self._probe = probe
        self.down = False
        self.cause: str | None = None
        self._listeners: list[Callable[["GuardedJournal"], None]] = []

    def add_listener(self, listener: Callable[["GuardedJournal"], None]) -> None:
        self._listeners.append(listener)

    def _fail(self, error: BaseException) -> JournalDown:
        first = not self.down
        self.down, self.cause = True, cause_of(error)
        if first:
            log.error("audit journal cannot be written (%s): changes are refused", self.cause)
            for listener in list(self._listeners):
                listener(self)
        return JournalDown(self.cause)

    def check(self) -> None:
        """Before a change: raise JournalDown when its entry could not be written."""
        if self.down:
            raise JournalDown(self.cause or "unknown")
        if self._probe is None:
            return
        try:
            self._probe()
        except Exception as error:
            raise self._fail(error) from None

    def retry(self) -> bool:
        """After an administrator's fix: writable again?"""
        if not self.down:
            return True
        try:
            if self._probe is not None:
                self._probe()
        except Exception:
            return False
        self.down, self.cause = False, None
        log.warning("audit journal writable again")
        return True

    def append(self, *args: Any, **kwargs: Any) -> Any:
        # the probe first: SQLite may still find room in its write-ahead log on a full disk, and
        # a guard that depended on that would go down at one entry or another by chance
        self.check()
        try:
            return self._journal.append(*args, **kwargs)
        except Exception as error:
            raise self._fail(error) from None

    def __getattr__(self, name: str) -> Any:
        return getattr(self._journal, name)


__all__ = ["GuardedJournal", "JOURNAL_DOWN_DONE_KEY", "JOURNAL_DOWN_KEY", "JournalDown", "cause_of"]
