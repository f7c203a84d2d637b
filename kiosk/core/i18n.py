"""Message catalogues and French-style dates.

Catalogues are gettext .po files under locales/<lang>/LC_MESSAGES/. The msgid
is a dotted key, the msgstr the text; French is the source. Every .po file of
a language is merged, so each part of the code owns its own file.
"""

from __future__ import annotations

import string
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path

from babel.dates import format_date as _babel_date
from babel.dates import format_datetime as _babel_datetime
from babel.messages.pofile import read_po

SOURCE_LANGUAGE = "fr"


def locales_dir() -> Path:
    here = Path(__file__).resolve()
    for candidate in (here.parents[2] / "locales", here.parents[1] / "locales"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("locales")


def available_languages() -> list[str]:
    root = locales_dir()
    return sorted(p.name for p in root.iterdir() if (p / "LC_MESSAGES").is_dir())


class MissingMessage(KeyError):
    """A key asked for by the code is in no catalogue: a programming error, caught by tests."""


class Catalog:
    def __init__(self, lang: str, messages: dict[str, str]) -> None:
        self.lang = lang
        self.messages = messages

    @classmethod
    def load(cls, lang: str) -> "Catalog":
        return _load_cached(lang)

    def has(self, key: str) -> bool:
        return key in self.messages

    def tr(self, key: str, **values: object) -> str:
        try:
            text = self.messages[key]
        except KeyError:
            raise MissingMessage(key) from None
        return text.format(**values) if values else text

    def tr_n(self, key: str, n: int, **values: object) -> str:
        # French counts 0 and 1 as singular; English only 1.
        singular = n in (0, 1) if self.lang == "fr" else n == 1
        return self.tr(f"{key}.{'one' if singular else 'other'}", n=n, **values)


def read_catalog_files(lang: str) -> dict[str, str]:
    folder = locales_dir() / lang / "LC_MESSAGES"
    messages: dict[str, str] = {}
    for po_path in sorted(folder.glob("*.po")):
        with po_path.open("rb") as handle:
            catalog = read_po(handle, locale=None)
        for message in catalog:
            if not message.id or not isinstance(message.id, str):
                continue
            if message.string:
                messages[message.id] = message.string
    return messages


@lru_cache(maxsize=None)
def _load_cached(lang: str) -> Catalog:
    return Catalog(lang, read_catalog_files(lang))


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def format_date(value: datetime | date, lang: str, with_time: bool | None = None, *, weekday: bool = True) -> str:
    """'mardi 3 décembre à 14 h 30' in French, 'Tuesday 3 December at 2:30 PM' in English.

    weekday=False, for a date alone in a list line: '3 décembre 2026'.
    """
    if with_time is None:
        with_time = isinstance(value, datetime)
    if lang == "fr":
        # the first day of a month is written "1er" in French: "mardi 1er décembre"
        if with_time:
            tzinfo = getattr(value, "tzinfo", None)
            day = "'1er'" if _babel_datetime(value, "d", locale="fr_FR", tzinfo=tzinfo) == "1" else "d"
            pattern = f"EEEE {day} MMMM 'à' H 'h'" + (" mm" if value.minute else "")
            return _babel_datetime(value, pattern, locale="fr_FR", tzinfo=tzinfo)
        day = "'1er'" if value.day == 1 else "d"
        return _babel_date(value, ("EEEE " if weekday else "") + f"{day} MMMM y", locale="fr_FR")
    if with_time:
        return _babel_datetime(value, "EEEE d MMMM 'at' h:mm a", locale="en_GB",
                               tzinfo=getattr(value, "tzinfo", None))
    return _babel_date(value, ("EEEE " if weekday else "") + "d MMMM y", locale="en_GB")


def language_name(lang: str) -> str:
    """A language named in itself: 'Français', 'English'."""
    from babel import Locale

    name = Locale.parse(lang).get_display_name(lang) or lang
    return name[:1].upper() + name[1:]
