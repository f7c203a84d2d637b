"""Typed errors of the HealthSpace port.

Every failure a backend can meet is one of five classes, all subclasses of
:class:`HealthSpaceError`. Each instance has a stable ``key`` from a closed
set, looked up in the ``errors.po`` catalogues to show and speak one FALC
sentence. Errors carry NO personal data: their text is the key plus numbers
(attempts left, seconds to wait), never a name, identifier or health content.
Backends should raise them ``from None`` when the cause could hold personal
data (an URL with an identifier, a response body).
"""

from __future__ import annotations

import math
from typing import ClassVar


class HealthSpaceError(Exception):
    """Base class. ``key`` is the catalogue key of the message for the patient."""

    base_key: ClassVar[str] = "errors.generic"
    #: The refined keys an instance may carry, besides ``base_key``.
    variants: ClassVar[frozenset[str]] = frozenset()

    def __init__(
        self,
        key: str | None = None,
        *,
        retry_after: float | None = None,
        attempts_left: int | None = None,
    ) -> None:
        key = key or self.base_key
        if key != self.base_key and key not in self.variants:
            raise ValueError(f"unknown error key for {type(self).__name__}: {key}")
        self.key = key
        self.retry_after = retry_after
        self.attempts_left = attempts_left
        details = [key]
        if attempts_left is not None:
            details.append(f"attempts_left={attempts_left}")
        if retry_after is not None:
            details.append(f"retry_after={retry_after:.0f}s")
        super().__init__(" ".join(details))

    @classmethod
    def all_keys(cls) -> frozenset[str]:
        return frozenset({cls.base_key}) | cls.variants


class NotFound(HealthSpaceError):
    """The document, thread, professional or code does not exist (for this patient)."""

    base_key = "errors.not_found"


class NotAllowed(HealthSpaceError):
    """The action is refused: session ended, sign-in locked, space closed, too many codes."""

    base_key = "errors.not_allowed"
    variants = frozenset(
        {
            "errors.not_allowed.locked",  # too many wrong codes; ``retry_after`` seconds
            "errors.not_allowed.signed_out",  # the session token is no longer valid
            "errors.not_allowed.space_closed",  # the space is closed or opposed
            "errors.not_allowed.too_many_codes",  # already the maximum of active codes
        }
    )


class SignInFailed(HealthSpaceError):
    """The sign-in did not succeed but may be tried again."""

    base_key = "errors.sign_in_failed"  # wrong code; ``attempts_left`` is set
    variants = frozenset(
        {
            "errors.sign_in_failed.unknown_identifier",
            "errors.sign_in_failed.expired",  # the code is too old or already used: ask a new one
        }
    )


class Unavailable(HealthSpaceError):
    """The service is offline, too slow or broken. Nothing was changed."""

    base_key = "errors.unavailable"  # a read failed
    variants = frozenset({
        "errors.unavailable.not_sent",  # a write failed and was not done
        "errors.unavailable.deadline",  # no answer in time to a read: nothing was changed
        "errors.unavailable.unknown",   # no answer in time to a change: it may have been done
    })


class Rejected(HealthSpaceError):
    """The request holds bad data: identifier format, empty message, page size, duration."""

    base_key = "errors.rejected"
    variants = frozenset(
        {
            "errors.rejected.identifier",
            "errors.rejected.message_empty",
            "errors.rejected.message_too_long",
            "errors.rejected.paging",
            "errors.rejected.duration",
            "errors.rejected.idempotency_key",
        }
    )


ERROR_CLASSES: tuple[type[HealthSpaceError], ...] = (
    HealthSpaceError,
    NotFound,
    NotAllowed,
    SignInFailed,
    Unavailable,
    Rejected,
)


def all_error_keys() -> frozenset[str]:
    """Every key an error may carry: each must be in the errors.po of every language."""
    keys: set[str] = set()
    for cls in ERROR_CLASSES:
        keys |= cls.all_keys()
    return frozenset(keys)


def describe(error: BaseException, catalog) -> str:
    """The sentence(s) to show and speak for ``error``, from ``catalog`` (a kiosk.core.i18n.Catalog).

    Any other exception gets the generic message: never an English exception text.
    """
    if not isinstance(error, HealthSpaceError):
        return catalog.tr(HealthSpaceError.base_key)
    text = catalog.tr(error.key)
    if error.attempts_left is not None and error.attempts_left > 0:
        text += " " + catalog.tr_n("errors.attempts_left", error.attempts_left)
    if error.retry_after is not None and error.key == "errors.not_allowed.locked":
        minutes = max(1, math.ceil(error.retry_after / 60))  # never less than the real wait
        text += " " + catalog.tr_n("errors.retry_in_minutes", minutes)
    return text
